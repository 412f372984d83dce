r"""What the production loss, gradient and non-finite policy rely on, each proven.

Cross-entropy from logits as $\mathrm{lse}(z) - z_y$; the logit gradient $q - p$; convexity;
the literal matrix forms equal to the stable path; and the limits behind the policy for
infinite inputs.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations, prop
from derivations.evidence import Check, close, holds
from derivations.numeric import U
from derivations.proof import Proof, for_sizes, identity, step
from derivations.properties import ULP_BOUND
from derivations.symbolic import ranged
from derivations.symbols import M, assume, i, k, p, softmax_vec, vector, z
from softmax import _residual_kernels
from softmax.gradient import loss_and_grad_sums

declare = declarations(__name__)

_S = sp.Sum(sp.exp(z[k]), (k, 1, M))
y = sp.Symbol("y", integer=True, positive=True)


def _problem(seed, o=12, m=4, n=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), rng.normal(size=(o, n)), rng.integers(0, m, o)


@prop("cross_entropy", "matches mpmath's lse(z) - z_y on N(0,3) logits")
def _ce_reference(f):
    z0 = np.random.default_rng(30).normal(0, 3, (25, 6))
    labels = np.random.default_rng(31).integers(0, 6, 25)
    want = np.mean(reference.logsumexp(z0) - z0[np.arange(25), labels])
    return close(
        "mean cross-entropy",
        f(z0, labels),
        want,
        rtol=1e-14,
        reference="mpmath lse − z_y, mean in float64",
    )


@prop("cross_entropy", "finite and exact where log(softmax) overflows to inf")
def _ce_far(f):
    z0 = np.array([[0.0, -1000.0]])
    # -log q_2 = lse(z) - z_2 = 1000 + log1p(e^-1000) = 1000 exactly in float64.
    return close(
        "cross-entropy of a confidently wrong prediction",
        f(z0, np.array([1])),
        1000.0,
        rtol=2 * U,
        reference="1000 + log1p(e^{-1000})",
    )


declare(
    id="IMPL-7",
    title=r"Cross-entropy from logits: $-\log q_y = \mathrm{lse}(z) - z_y$",
    source=r"-\log q_y = \log\sum_k e^{z_k} - z_y",
    expect="holds",
    uses=(
        "IMPL-4",
        "CE-1",
    ),
    written=lambda: identity(-sp.log(sp.exp(z[y]) / _S), sp.log(_S) - z[y], assumptions=assume(M)),
    properties=(_ce_reference, _ce_far),
    implementation=(production.cross_entropy,),
    note="Never log(softmax(z)): that is −inf once q_y underflows, while lse(z) − z_y is finite.",
)


def _logit_grad(assumed):
    h = -sp.Sum(p[k] * sp.log(sp.exp(z[k]) / _S), (k, 1, M))
    grad = ranged(sp.diff(h, z[i]), features=()).doit()
    rhs = sp.exp(z[i]) / _S - p[i]
    if assumed:
        # Σ_k p_k = 1, substituted where SymPy kept the sum.
        grad = sp.simplify(grad).subs(sp.Sum(p[k], (k, 1, M)), 1)
        grad = grad.replace(
            lambda a: isinstance(a, sp.Sum) and a.function == p[a.variables[0]],
            lambda a: sp.Integer(1),
        )
    cond = sp.Eq(sp.Sum(p[k], (k, 1, M)), 1)
    return identity(grad, rhs, assumptions=assume(M, cond) if assumed else assume(M))


@prop("gradient", "matches central differences of the mean cross-entropy")
def _grad_fd(f):
    W, X, labels = _problem(32)
    h = 1e-6  # truncation O(h²) ≈ 1e-12, rounding O(u·|H|/h) ≈ 1e-10
    fd = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = h
        fd[idx] = (
            production.cross_entropy(X @ (W + e).T, labels)
            - production.cross_entropy(X @ (W - e).T, labels)
        ) / (2 * h)
    return close(
        "∂H/∂W by central differences",
        f(W, X, labels),
        fd,
        rtol=0,
        atol=1e-8,
        reference="finite differences of softmax.cross_entropy",
    )


@prop("gradient", "equals −D/O from the tutorial's literal matrix forms")
def _grad_literal(f):
    W, X, labels = _problem(33)
    P = np.eye(W.shape[0])[labels]
    G = production.notation.G(X, W)
    Q = production.notation.Q(G, production.notation.S(G))
    return close(
        "(Q − P)ᵀX/O",
        f(W, X, labels),
        -production.notation.D(P, Q, X) / len(X),
        rtol=1e-13,
        atol=1e-15,
        reference="softmax.notation",
    )


declare(
    id="IMPL-8",
    title=r"The logit gradient of the cross-entropy is $q - p$",
    source=r"\frac{\partial H}{\partial z_i} = q_i - p_i",
    expect="holds-under-assumption",
    uses=("IMPL-7",),
    written=lambda: _logit_grad(assumed=False),
    assumed=lambda: _logit_grad(assumed=True),
    properties=(_grad_fd, _grad_literal),
    implementation=(
        production.cross_entropy_grad,
        production.cross_entropy_loss_and_grad,
        loss_and_grad_sums,
        _residual_kernels,
    ),
    note="Without Σp = 1 the gradient is q_i Σ_k p_k − p_i; the validated labels guarantee it.",
)


def _variance_form(n):
    zs, vs = vector("z", n, real=True), vector("v", n, real=True)
    q = softmax_vec(zs)
    quad = sum(q[a] * vs[a] ** 2 for a in range(n)) - sum(q[a] * vs[a] for a in range(n)) ** 2
    mean = sum(q[a] * vs[a] for a in range(n))
    return Proof(
        (
            step(
                "vᵀ(diag q − q qᵀ)v = Σ q_i (v_i − q·v)²",
                quad,
                sum(q[a] * (vs[a] - mean) ** 2 for a in range(n)),
            ),
        )
    )


def _convex_along_lines():
    W, X, labels = _problem(34)
    rng = np.random.default_rng(35)
    worst = np.inf
    for _ in range(20):
        V = rng.normal(size=W.shape)
        t = np.linspace(-3, 3, 41)
        h = np.array([production.cross_entropy(X @ (W + s * V).T, labels) for s in t])
        worst = min(worst, float(np.min(h[:-2] - 2 * h[1:-1] + h[2:])))
    # Second differences of a convex function are ≥ 0; rounding allows ~4u·|H| ≈ 1e-15.
    return holds(
        "second differences along 20 random lines are ≥ −1e-13",
        worst >= -1e-13,
        f"smallest second difference {worst:.3g}",
    )


declare(
    id="IMPL-9",
    title=r"The cross-entropy is convex in $W$",
    source=r"v^\mathsf{T}(\operatorname{diag}q - qq^\mathsf{T})v = \sum_i q_i\big(v_i - "
    r"\textstyle\sum_k q_k v_k\big)^2 \ge 0",
    expect="holds",
    uses=("IMPL-7",),
    written=lambda: for_sizes(
        _variance_form,
        range(2, 6),
        name="M",
        why="Squares of sums with a symbolic number of terms do not expand.",
    ),
    numeric=lambda: [_convex_along_lines()],
    implementation=(production.cross_entropy,),
    note="The Hessian in W is Σ_k (diag q_k − q_k q_kᵀ) ⊗ x_k x_kᵀ, a sum of Kronecker products "
    "of positive semidefinite matrices: a stationary point is a global minimum.",
)


def _path_dependence():
    t = sp.Symbol("t", positive=True)
    a, b, cc = sp.symbols("a b c", real=True)
    one_inf = sp.limit(softmax_vec([t, a, b])[0], t, sp.oo)
    two_inf = sp.limit(softmax_vec([t, t + cc])[0], t, sp.oo)
    return Proof(
        (
            step("one entry → +∞: the limit is one-hot", one_inf, 1),
            step(
                "two entries → +∞ at gap c: the limit depends on c", two_inf, 1 / (1 + sp.exp(cc))
            ),
        ),
        assumptions=assume(a, b, cc),
    )


_KINDS = ("softmax", "log_softmax", "logsumexp")
_INF, _NAN = np.inf, np.nan
#: The policy table of `softmax.functions`, row by row: input, softmax, log_softmax, lse.
POLICY = {
    "a NaN": ([_NAN, 1.0, 2.0], [_NAN] * 3, [_NAN] * 3, _NAN),
    "some −∞, some finite": (
        [-_INF, 0.0, 0.0],
        [0.0, 0.5, 0.5],
        [-_INF, np.log(0.5), np.log(0.5)],
        np.log(2.0),
    ),
    "only −∞": ([-_INF, -_INF], [_NAN] * 2, [_NAN] * 2, -_INF),
    "exactly one +∞": ([_INF, 1.0, -2.0], [1.0, 0.0, 0.0], [0.0, -_INF, -_INF], _INF),
    "two or more +∞": ([_INF, _INF, 0.0], [_NAN] * 3, [_NAN] * 3, _INF),
}


def _policy_row(kind, row, values):
    z, *expected = values
    want = np.asarray(expected[_KINDS.index(kind)])

    @prop(kind, f"non-finite policy: a slice with {row}")
    def run(f):
        with np.errstate(all="ignore"):
            got = np.asarray(f(np.array([z]), axis=-1), np.float64).reshape(want.shape)
        # The 4-ulp target: a relative error of 4u is at most 4 ulp. The finite references
        # (0.5, log 0.5, log 2) are correctly rounded; the rest must match exactly.
        rtol = ULP_BOUND * U
        same = np.allclose(got, want, rtol=rtol, atol=0, equal_nan=True)
        same = same and np.array_equal(np.isinf(got), np.isinf(want))
        return Check(f"policy: {row}", bool(same), f"got {got.tolist()}, want {want.tolist()}")

    return run


_POLICY_ROWS = tuple(
    _policy_row(kind, row, values) for kind in _KINDS for row, values in POLICY.items()
)


def _policy_checks():
    inf = np.inf
    q = production.softmax([[inf, 1.0, -2.0], [inf, inf, 0.0], [-inf, -inf, -inf]])
    lse = production.logsumexp([[-inf, -inf], [inf, inf]])
    return [
        holds("one +inf → one-hot", np.array_equal(q[0], [1.0, 0.0, 0.0]), f"{q[0]}"),
        holds("two +inf → NaN (no unique limit)", np.isnan(q[1]).all(), f"{q[1]}"),
        holds(
            "all −inf → NaN softmax, −inf logsumexp",
            np.isnan(q[2]).all() and lse[0] == -inf,
            f"{q[2]}, lse {lse[0]}",
        ),
        holds("logsumexp with +inf is +inf", lse[1] == inf, f"{lse[1]}"),
    ]


declare(
    id="IMPL-10",
    title=r"Infinite logits: one $+\infty$ has a one-hot limit, two have none",
    source=r"\lim_{t\to\infty}\mathrm{softmax}(t, a, b) = (1, 0, 0),\quad "
    r"\lim_{t\to\infty}\mathrm{softmax}(t, t + c)_1 = \frac{1}{1 + e^{c}}",
    expect="holds",
    uses=("IMPL-1",),
    written=_path_dependence,
    numeric=_policy_checks,
    properties=_POLICY_ROWS,
    implementation=(production.softmax, production.log_softmax, production.logsumexp),
    note="Two infinite entries can approach ∞ at any gap c, and the limit depends on c: so "
    "softmax returns NaN there, and the one-hot limit where only one entry is infinite.",
)
