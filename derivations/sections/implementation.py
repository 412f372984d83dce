r"""What the production functions rely on: the shift and the exponential (IMPL-1, 2, 11).

Shift invariance, the TwoSum-corrected exponential and the scaled form without a shift,
each proven. Their numeric evidence includes properties the claims own
(`derivations.properties`), run here on `softmax` itself and by `derivations.conform` on
anyone's.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations, prop
from derivations.evidence import Check, close, holds
from derivations.numeric import U, normal_grid
from derivations.proof import Proof, for_sizes, identity, step
from derivations.properties import ULP_BOUND, accuracy, rowwise
from derivations.reference import reference_row, ulp_error
from derivations.sources import BLANCHARD, KNUTH
from derivations.symbolic import q_z
from derivations.symbols import M, assume, i, k, vector, z
from softmax import _blocks, _column_kernels, _kernels, _long_rows

declare = declarations(__name__)

c = sp.Symbol("c", real=True)


# --- shift invariance --------------------------------------------------------------------


def _shifted(f, what, offset=0.0):
    """`f` of logits z and of z + 1024 (exact: z are multiples of 1/8), compared.

    Each side is within the ULP_BOUND target of its exact value, and the exact values
    differ by `offset` (0, or 1024 for logsumexp), so they may differ by both targets;
    adding `offset` rounds once more (half an ulp).
    """
    z0 = np.round(normal_grid(20) * 8) / 8
    a, b = rowwise(f)(z0), rowwise(f)(z0 + 1024.0)
    rounding = 0.5 if offset else 0.0
    budget = ULP_BOUND * np.spacing(np.abs(a)) + (ULP_BOUND + rounding) * np.spacing(np.abs(b))
    gap = np.abs(b - (a + offset))
    ok = bool(np.all(np.isfinite(b)) and np.all(gap <= budget))
    return Check(what, ok, f"max gap {gap.max():.3g}, within {ULP_BOUND} ulp of each side")


@prop("softmax", "softmax(z + c) = softmax(z) for an exact shift c = 1024")
def _shift_property(f):
    return _shifted(f, "softmax shift by 1024")


@prop("softmax", "no overflow: logits near 1000 give finite rows summing to 1")
def _no_overflow(f):
    q = rowwise(f)(normal_grid(21) + 1000.0)
    return close(
        "rows of softmax(z + 1000) sum to 1",
        q.sum(axis=1),
        np.ones(len(q)),
        rtol=0,
        atol=32 * U,
        reference="1",
    )


@prop("log_softmax", "log_softmax(z + c) = log_softmax(z) for an exact shift c = 1024")
def _log_shift(f):
    return _shifted(f, "log_softmax shift by 1024")


@prop("log_softmax", "no overflow: e^log_softmax of logits near 1000 sums to 1")
def _log_no_overflow(f):
    q = np.exp(rowwise(f)(normal_grid(21) + 1000.0))
    # log q_i within the 4-ulp target, ≤ 8u|log q_i|, is a relative error of that in q_i;
    # exp adds 2u and the sum of M = 9 terms 8u; q|log q| ≤ 1/e bounds each term's share.
    atol = (8 * 9 / np.e + 2 + 8) * U
    sums = q.sum(axis=1)
    return close(
        "rows of e^log_softmax(z + 1000) sum to 1",
        sums,
        np.ones(len(q)),
        rtol=0,
        atol=atol,
        reference="1",
    )


@prop("logsumexp", "lse(z + c) = lse(z) + c for an exact shift c = 1024, without overflow")
def _lse_shift(f):
    return _shifted(f, "lse shift by 1024", offset=1024.0)


declare(
    id="IMPL-1",
    title=r"Shift invariance: $\mathrm{softmax}(z + c) = \mathrm{softmax}(z)$",
    source=r"\mathrm{softmax}(z + c) = \mathrm{softmax}(z)",
    expect="holds",
    uses=("SM-1",),
    written=lambda: identity(
        sp.exp(z[i] + c) / sp.Sum(sp.exp(z[k] + c), (k, 1, M)), q_z(i), assumptions=assume(M, c)
    ),
    properties=(_shift_property, _no_overflow, _log_shift, _log_no_overflow, _lse_shift),
    implementation=(
        production.softmax,
        production.log_softmax,
        production.logsumexp,
        _kernels._bound,
    ),
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


declare(
    id="IMPL-2",
    title=r"The corrected exponential $e^{d}(1 + r)$; softmax within 4 ulp on the test families",
    source=r"e^{x_i - m} = e^{d_i}(1 + r_i) + O(r_i^2),\ d_i = \mathrm{fl}(x_i - m),\ "
    r"r_i = (x_i - m) - d_i",
    expect="holds",
    uses=("IMPL-1",),
    written=_first_order,
    numeric=lambda: [_twosum_exact()],
    properties=accuracy("softmax"),
    implementation=(production.softmax, _kernels, _kernels.correct_rows, _blocks.compute),
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


declare(
    id="IMPL-11",
    title=r"The scaled form $e^{z_i}/(e^m + t)$: softmax without a shift, where it is safe",
    source=r"\frac{e^{z_i - m}}{1 + s} = \frac{e^{z_i}}{e^m + t},\ "
    r"t = \sum_{i \ne \arg\max} e^{z_i}",
    expect="holds",
    uses=("SM-1",),
    written=lambda: for_sizes(_scaled, range(2, 7), name="M", why=_WHY_SUM),
    numeric=lambda: [_naive_loses_subnormals(), _naive_overflows()],
    implementation=(
        production.softmax,
        _kernels,
        _kernels.finish_softmax,
        _blocks.compute,
        _column_kernels,
        _long_rows,
        _long_rows.unshifted,
    ),
    note="The production kernel uses this form when the slice's maximum is at most "
    "log(float max) − log M − 1 (nothing overflows) and either m ≥ 0 or no entry is "
    "below −708 (no e^{z_i} is subnormal); it then needs one exp per entry and no "
    "correction. The checks show what each condition prevents. Accuracy on every test "
    "family is claim IMPL-2's.",
)
