r"""What the production functions rely on: the tricks of `softmax.functions`, each proven.

Shift invariance, the TwoSum-corrected exponential, the log1p forms of log-sum-exp and
log-softmax, $\partial\,\mathrm{lse}/\partial z = \mathrm{softmax}$, the Jacobian, and the
limits behind the non-finite policy. Their numeric evidence is the conformance suite of
`derivations.conform`, run here on `softmax` itself.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

import softmax as production
from derivations import conform
from derivations.conform import prop, rowwise
from derivations.evidence import close, holds
from derivations.proof import Proof, for_sizes, identity, step
from derivations.reference import reference_row, ulp_error
from derivations.registry import register
from derivations.symbols import M, assume, i, j, k, vector, z

c = sp.Symbol("c", real=True)
_S = sp.Sum(sp.exp(z[k]), (k, 1, M))
BLANCHARD = (
    "Blanchard, Higham & Higham (2021), IMA J. Numer. Anal. 41(4), doi:10.1093/imanum/draa038"
)
KNUTH = "Knuth, The Art of Computer Programming vol. 2, §4.2.2 (TwoSum)"


def _q(index):
    return sp.exp(z[index]) / _S


def ranged(expr):
    """Give every KroneckerDelta its range 1..M so that `.doit()` can resolve sums over it."""
    return expr.replace(
        lambda a: isinstance(a, sp.KroneckerDelta) and len(a.args) == 2,
        lambda a: sp.KroneckerDelta(a.args[0], a.args[1], (1, M)),
    )


def _grid(seed, rows=30, m=9, scale=3.0):
    return np.random.default_rng(seed).normal(0.0, scale, (rows, m))


# --- shift invariance --------------------------------------------------------------------


@prop("IMPL-1", "softmax", "softmax(z + c) = softmax(z) for an exact shift c = 1024")
def _shift_property(f):
    z0 = np.round(_grid(20) * 8) / 8  # multiples of 1/8: z + 1024 is exact in float64
    a, b = rowwise(f)(z0), rowwise(f)(z0 + 1024.0)
    return close("shift by 1024", b, a, rtol=4 * 2.0**-53, reference="softmax(z)")


@prop("IMPL-1", "softmax", "no overflow: logits near 1000 give finite rows summing to 1")
def _no_overflow(f):
    q = rowwise(f)(_grid(21) + 1000.0)
    return close(
        "rows of softmax(z + 1000) sum to 1",
        q.sum(axis=1),
        np.ones(len(q)),
        rtol=0,
        atol=16 * 2.0**-52,
        reference="1",
    )


register(
    id="IMPL-1",
    title="Shift invariance: softmax(z + c) = softmax(z)",
    section="implementation",
    source=r"\mathrm{softmax}(z + c) = \mathrm{softmax}(z)",
    expect="holds",
    written=lambda: identity(
        sp.exp(z[i] + c) / sp.Sum(sp.exp(z[k] + c), (k, 1, M)), _q(i), assumptions=assume(M, c)
    ),
    numeric=lambda: conform.checks_for("IMPL-1", production.softmax),
    implementation=("softmax.softmax", "softmax.log_softmax", "softmax.logsumexp"),
    note="Why the production code may subtract the maximum: every exponent becomes ≤ 0.",
)

# --- the corrected exponential -----------------------------------------------------------

_d, _r = sp.symbols("d r", real=True)


def _first_order():
    exact = sp.exp(_d + _r)
    approx = sp.exp(_d) * (1 + _r)
    linear = sp.series(exact - approx, _r, 0, 2).removeO()
    return Proof(
        (step("terms of order < 2 in r of e^{d+r} - e^d(1+r)", linear, 0),),
        assumptions=assume(_d, _r),
    )


def _twosum_exact():
    """The TwoSum premise: x - m - fl(x - m) is itself a double, so r is exact."""
    rng = np.random.default_rng(22)
    x = (10.0 ** rng.uniform(-3, 3, 400) * rng.choice([-1.0, 1.0], 400)).reshape(40, 10)
    m = x.max(axis=1, keepdims=True)
    d = x - m  # the shifted path's first operation, softmax._kernels.shift_rows
    bad = 0
    for xv, mv, dv in zip(x.ravel(), np.broadcast_to(m, x.shape).ravel(), d.ravel(), strict=True):
        err = Fraction(float(xv)) - Fraction(float(mv)) - Fraction(float(dv))
        bad += Fraction(float(err)) != err
    return holds(
        "the shift's rounding error is exactly a double (TwoSum premise)",
        bad == 0,
        f"{bad} of {x.size} errors x - m - fl(x - m) not representable",
    )


register(
    id="IMPL-2",
    title="The corrected exponential e^{d}(1 + r); softmax within 4 ulp on the test families",
    section="implementation",
    source=r"e^{x_i - m} = e^{d_i}(1 + r_i) + O(r_i^2),\ d_i = \mathrm{fl}(x_i - m),\ "
    r"r_i = (x_i - m) - d_i",
    expect="holds",
    written=_first_order,
    numeric=lambda: [_twosum_exact(), *conform.checks_for("IMPL-2", production.softmax)],
    implementation=("softmax.softmax",),
    references=(KNUTH, BLANCHARD),
    note="|r_i| ≤ ulp(d_i)/2, so the dropped O(r²) term is below 2⁻¹⁰⁶ relative. The 4-ulp "
    "bound is met on every family here but not on every input: `python -m benchmarks.search` "
    "finds rare random rows above it for log_softmax, where s = t / e^m carries the roundings "
    "of the unshifted form; a strict xfail in tests/test_accuracy.py records the worst and "
    "fails if it stops failing.",
)

# --- the scaled form, without a shift ----------------------------------------------------

_WHY_SUM = "SymPy does not cancel a common factor out of a sum with a symbolic number of terms."


def _scaled(n):
    zs = vector("z", n, real=True)
    m = zs[0]  # z_1 is the maximum; the identity itself needs no ordering
    shifted = sp.exp(zs[-1] - m) / (1 + sum(sp.exp(v - m) for v in zs[1:]))
    scaled = sp.exp(zs[-1]) / (sp.exp(m) + sum(sp.exp(v) for v in zs[1:]))
    return Proof(
        (step("e^{z_i - m}/(1 + s) = e^{z_i}/(e^m + t)", shifted, scaled),),
        assumptions=assume(*zs[:1], "z_1 = \\max_k z_k"),
    )


def _unscaled(z0):
    """e^z / Σ e^z with neither a shift nor the production kernel's tests of safety."""
    with np.errstate(under="ignore", over="ignore"):
        return np.exp(z0) / np.sum(np.exp(z0))


def _naive_loses_subnormals():
    """Why a slice with m < 0 and a subnormal e^{z_i} is shifted after all."""
    z0 = np.array([-720.0, -725.3])  # e^{z} are subnormal; q is not
    q_exact, _, _ = reference_row(z0.tolist())
    exact = np.array(q_exact, dtype=object)
    naive = _unscaled(z0)
    bad, good = (
        float(ulp_error(v, exact, np.float64).max()) for v in (naive, production.softmax(z0))
    )
    return holds(
        "z = [-720, -725.3]: unscaled e^z / Σ e^z errs, production does not",
        bad > 1e3 and good <= 4.0,
        f"unshifted form {bad:.3g} ulp, production {good:.2f} ulp",
    )


def _naive_overflows():
    z0 = np.array([709.5, 709.5])  # each e^{z_i} is finite, their sum is not
    naive = _unscaled(z0)
    got = production.softmax(z0)
    return holds(
        "z = [709.5, 709.5]: the unscaled sum overflows to inf and q to 0; production is 1/2",
        bool(np.all(naive == 0.0)) and bool(np.array_equal(got, [0.5, 0.5])),
        f"unshifted form {naive.tolist()}, production {got.tolist()}",
    )


register(
    id="IMPL-11",
    title="The scaled form e^{z_i}/(e^m + t): softmax without a shift, where it is safe",
    section="implementation",
    source=r"\frac{e^{z_i - m}}{1 + s} = \frac{e^{z_i}}{e^m + t},\ "
    r"t = \sum_{i \ne \arg\max} e^{z_i}",
    expect="holds",
    written=lambda: for_sizes(_scaled, range(2, 7), name="M", why=_WHY_SUM),
    numeric=lambda: [_naive_loses_subnormals(), _naive_overflows()],
    implementation=("softmax.softmax", "softmax.log_softmax", "softmax.logsumexp"),
    note="The production kernel uses this form when the slice's maximum is at most "
    "log(float max) − log M − 1 (nothing overflows) and either m ≥ 0 or no entry is "
    "below −708 (no e^{z_i} is subnormal); it then needs one exp per entry and no "
    "correction. The checks show what each condition prevents. Accuracy on every test "
    "family is claim IMPL-2's.",
)

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
register(
    id="IMPL-3",
    title="log-sum-exp in the log1p form",
    section="implementation",
    source=r"\log\sum_k e^{z_k} = m + \operatorname{log1p}\Big(\sum_{k\ne \arg\max} e^{z_k-m}\Big)",
    expect="holds",
    written=lambda: for_sizes(_lse_log1p, range(1, 7), name="M", why=_WHY),
    numeric=lambda: conform.checks_for("IMPL-3", production.logsumexp),
    implementation=("softmax.logsumexp",),
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


register(
    id="IMPL-4",
    title="log-softmax as z − lse(z), in the log1p form",
    section="implementation",
    source=r"\log q_i = (z_i - m) - \operatorname{log1p}(s)",
    expect="holds",
    written=lambda: identity(sp.expand_log(sp.log(_q(i)), force=True), z[i] - sp.log(_S)),
    numeric=lambda: [_plain_is_zero(), *conform.checks_for("IMPL-4", production.log_softmax)],
    implementation=("softmax.log_softmax",),
    references=(BLANCHARD,),
)

# --- derivatives -------------------------------------------------------------------------


def _fd_lse_grad(f):
    z0 = _grid(23, rows=5, m=6)
    h = 1e-5  # central difference: truncation ~h²·|f'''| ≈ 1e-10, rounding ~u/h ≈ 1e-11
    grads = np.empty_like(z0)
    for col in range(z0.shape[1]):
        e = np.zeros_like(z0)
        e[:, col] = h
        grads[:, col] = (rowwise_lse(f, z0 + e) - rowwise_lse(f, z0 - e)) / (2 * h)
    return grads


def rowwise_lse(f, z0):
    return np.asarray(f(z0, axis=-1))


@prop("IMPL-5", "logsumexp", "∂lse/∂z equals softmax (central differences)")
def _lse_grad_property(f):
    z0 = _grid(23, rows=5, m=6)
    return close(
        "finite-difference gradient of lse",
        _fd_lse_grad(f),
        production.softmax(z0),
        rtol=0,
        atol=1e-9,
        reference="softmax.softmax",
    )


register(
    id="IMPL-5",
    title="The gradient of log-sum-exp is the softmax",
    section="implementation",
    source=r"\frac{\partial}{\partial z_j}\log\sum_k e^{z_k} = q_j",
    expect="holds",
    written=lambda: identity(
        ranged(sp.diff(sp.log(_S), z[j])).doit(), _q(j), assumptions=assume(M)
    ),
    numeric=lambda: conform.checks_for("IMPL-5", production.logsumexp),
    implementation=("softmax.logsumexp", "softmax.softmax"),
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


register(
    id="IMPL-6",
    title="The Jacobian of the softmax is diag(q) − q qᵀ",
    section="implementation",
    source=r"\frac{\partial q_i}{\partial z_j} = q_i(\delta_{ij} - q_j)",
    expect="holds",
    written=lambda: identity(
        ranged(sp.diff(_q(i), z[j])).doit(),
        ranged(_q(i) * (sp.KroneckerDelta(i, j) - _q(j))),
        assumptions=assume(M),
    ),
    numeric=lambda: [_jacobian_numeric()],
    implementation=("softmax.softmax",),
)
