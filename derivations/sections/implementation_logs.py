r"""The log1p forms of log-sum-exp and log-softmax, and the derivatives (IMPL-3 to IMPL-6).

$\mathrm{lse}(z) = m + \operatorname{log1p}(s)$ and
$\log q_i = (z_i - m) - \operatorname{log1p}(s)$, where $s$ sums the shifted exponentials
but the largest; $\partial\,\mathrm{lse}/\partial z = \mathrm{softmax}$, and the Jacobian.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations, prop
from derivations.evidence import close, holds
from derivations.numeric import normal_grid
from derivations.proof import Proof, for_sizes, identity, step
from derivations.properties import accuracy
from derivations.sources import BLANCHARD
from derivations.symbolic import Z_SUM, q_z, ranged
from derivations.symbols import M, assume, i, j, vector, z
from softmax import _kernels, _residual_kernels
from softmax.gradient import loss_and_grad_sums
from softmax.loss import residual_and_losses

declare = declarations(__name__)

# --- log1p forms -------------------------------------------------------------------------


def _lse_log1p(n):
    zs = vector("z", n, real=True)
    m = zs[0]  # z_1 is the maximum; the identity itself needs no ordering
    lhs = sp.log(sum(sp.exp(v) for v in zs))
    rhs = m + sp.log(1 + sum(sp.exp(v - m) for v in zs[1:]))
    return Proof(
        (step("lse = m + log1p(s)", sp.exp(lhs), sp.exp(rhs)),),
        assumptions=assume(*zs[:1], "z_1 = \\max_k z_k"),
    )


_WHY = "SymPy does not combine a log of a sum with a symbolic number of terms."
declare(
    id="IMPL-3",
    title="log-sum-exp in the log1p form",
    source=r"\log\sum_k e^{z_k} = m + \operatorname{log1p}\Big(\sum_{k\ne \arg\max} e^{z_k-m}\Big)",
    expect="holds",
    uses=("IMPL-1",),
    written=lambda: for_sizes(_lse_log1p, range(1, 7), name="M", why=_WHY),
    properties=accuracy("logsumexp"),
    implementation=(production.logsumexp, _kernels, _kernels.finish_lse),
    references=(BLANCHARD,),
    note="Both sides are logarithms of positive reals, so comparing their exponentials is exact.",
)


def _plain_is_zero():
    z0 = np.array([0.0, -50.0])
    plain = z0 - z0.max() - np.log(np.sum(np.exp(z0 - z0.max())))
    got = production.log_softmax(z0)
    return holds(
        "gap 50: plain form gives 0 at the max, production gives -e^-50",
        plain[0] == 0.0 and got[0] == -np.exp(-50.0),
        f"plain {plain[0]!r}, production {got[0]!r}, -e^-50 = {-np.exp(-50.0)!r}",
    )


def _loss_pass_is_log_softmax():
    """The loss pass forms -log q_y with log_softmax's operations on the same values."""
    W, X = normal_grid(40, rows=6, m=5), normal_grid(41, rows=50, m=5)
    y = np.random.default_rng(42).integers(0, 6, 50)
    Z = (W @ X.T).T
    want = -production.log_softmax(Z)[np.arange(50), y]
    losses = residual_and_losses(Z, "index", y)[1]
    total = loss_and_grad_sums(W, X, "index", y)[0]
    same = np.array_equal(losses, want) and total == losses.sum()
    return holds(
        "the loss pass: −log q_y = −log_softmax(z)_y bit for bit, summed by loss_and_grad_sums",
        bool(same),
        "the same bits" if same else f"max |Δ| = {np.max(np.abs(losses - want)):.3g}",
    )


declare(
    id="IMPL-4",
    title=r"log-softmax as $z - \mathrm{lse}(z)$, in the log1p form",
    source=r"\log q_i = (z_i - m) - \operatorname{log1p}(s)",
    expect="holds",
    uses=("IMPL-3",),
    written=lambda: identity(sp.expand_log(sp.log(q_z(i)), force=True), z[i] - sp.log(Z_SUM)),
    numeric=lambda: [_plain_is_zero(), _loss_pass_is_log_softmax()],
    properties=accuracy("log_softmax"),
    implementation=(
        production.log_softmax,
        _kernels,
        _kernels.finish_lse,
        _kernels.log_softmax_rows,
        _residual_kernels,
        loss_and_grad_sums,
        residual_and_losses,
    ),
    references=(BLANCHARD,),
)

# --- derivatives -------------------------------------------------------------------------


def _fd_lse_grad(f):
    z0 = normal_grid(23, rows=5, m=6)
    h = 1e-5  # central difference: truncation ~h²·|f'''| ≈ 1e-10, rounding ~u/h ≈ 1e-11
    grads = np.empty_like(z0)
    for col in range(z0.shape[1]):
        e = np.zeros_like(z0)
        e[:, col] = h
        grads[:, col] = (rowwise_lse(f, z0 + e) - rowwise_lse(f, z0 - e)) / (2 * h)
    return grads


def rowwise_lse(f, z0):
    return np.asarray(f(z0, axis=-1))


@prop("logsumexp", "∂lse/∂z equals softmax (central differences)")
def _lse_grad_property(f):
    z0 = normal_grid(23, rows=5, m=6)
    return close(
        "finite-difference gradient of lse",
        _fd_lse_grad(f),
        production.softmax(z0),
        rtol=0,
        atol=1e-9,
        reference="softmax.softmax",
    )


declare(
    id="IMPL-5",
    title="The gradient of log-sum-exp is the softmax",
    source=r"\frac{\partial}{\partial z_j}\log\sum_k e^{z_k} = q_j",
    expect="holds",
    uses=("IMPL-3",),
    written=lambda: identity(
        ranged(sp.diff(sp.log(Z_SUM), z[j]), features=()).doit(), q_z(j), assumptions=assume(M)
    ),
    properties=(_lse_grad_property,),
    implementation=(production.logsumexp, production.softmax),
)


def _jacobian_numeric():
    z0 = np.random.default_rng(24).normal(0, 2, 7)
    q0 = production.softmax(z0)
    h = 1e-6
    jac = np.stack(
        [
            (production.softmax(z0 + h * e) - production.softmax(z0 - h * e)) / (2 * h)
            for e in np.eye(7)
        ],
        axis=1,
    )
    return close(
        "central differences of softmax",
        jac,
        np.diag(q0) - np.outer(q0, q0),
        rtol=0,
        atol=1e-9,
        reference="diag(q) - q qᵀ",
    )


declare(
    id="IMPL-6",
    title=r"The Jacobian of the softmax is $\mathrm{diag}(q) - q q^T$",
    source=r"\frac{\partial q_i}{\partial z_j} = q_i(\delta_{ij} - q_j)",
    expect="holds",
    uses=("SM-1",),
    written=lambda: identity(
        ranged(sp.diff(q_z(i), z[j]), features=()).doit(),
        ranged(q_z(i) * (sp.KroneckerDelta(i, j) - q_z(j)), features=()),
        assumptions=assume(M),
    ),
    numeric=lambda: [_jacobian_numeric()],
    implementation=(production.softmax,),
)
