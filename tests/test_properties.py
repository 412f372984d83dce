r"""Hypothesis properties of `softmax`, `log_softmax` and `logsumexp` on arbitrary finite input.

Inputs: float32 or float64 arrays of 1 to 3 dimensions (sides 1..8), any finite values up
to the dtype's max (subnormals and ±max included), reduced along any axis. The examples
are derandomized and no example database is used, so every run checks the same inputs.

Sum bound, derived from the algorithm rather than from the per-entry ulp targets. With
$u = 2^{-53}$, $\hat q_i = \mathrm{fl}(\hat e_i / \hat t)$ where $\hat t = \mathrm{fl}(1 +
\hat s)$ and $\hat s$ sums the $M - 1$ computed $\hat e_j$ (the max term is exactly 1).
Whatever the summation order, $\hat s$ is within $(M - 2)u$ relative of the exact sum of
those $\hat e_j$, and $\hat t$ adds $u$, so $\sum_i \hat e_i / \hat t$ is within
$(M - 1)u$ of 1; the divisions add $u$ and this test's own float64 sum $(M - 1)u$:
$|\sum_i \hat q_i - 1| \le 2Mu$ to first order. Errors of `exp` cancel out of this
argument. float32 output adds one rounding per entry ($u_{32}$ relative), and entries in
the subnormal range round with an absolute error of up to half the smallest subnormal
instead: tolerance $2Mu + u_{32}\,[\text{float32}] + M\,\mathrm{tiny}$.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax as sm

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@st.composite
def arrays_and_axis(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    top = float(np.finfo(dtype).max)
    width = np.finfo(dtype).bits
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=8))
    elements = st.floats(
        min_value=-top, max_value=top, allow_nan=False, allow_infinity=False, width=width
    )
    x = draw(hnp.arrays(dtype, shape, elements=elements))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, axis


def slice_max(x, axis):
    return np.max(x, axis=axis, keepdims=True)


@SETTINGS
@given(arrays_and_axis())
def test_softmax_is_finite_in_unit_interval_and_keeps_dtype(case):
    x, axis = case
    q = sm.softmax(x, axis=axis)
    assert q.dtype == x.dtype
    assert q.shape == x.shape
    assert np.all(np.isfinite(q))
    assert np.all((q >= 0) & (q <= 1))


@SETTINGS
@given(arrays_and_axis())
def test_softmax_slices_sum_to_one_within_derived_bound(case):
    x, axis = case
    q = sm.softmax(x, axis=axis)
    info = np.finfo(x.dtype)
    m = x.shape[axis]
    u64 = np.finfo(np.float64).eps / 2
    u32 = np.finfo(np.float32).eps / 2 if x.dtype == np.float32 else 0.0
    tol = 2 * m * u64 + u32 + m * float(info.smallest_subnormal)
    total = q.astype(np.float64).sum(axis=axis)
    assert np.all(np.abs(total - 1.0) <= tol), np.abs(total - 1.0).max()


@SETTINGS
@given(arrays_and_axis())
def test_maximal_entries_map_to_the_maximal_output(case):
    # argmax is preserved; with ties, every entry equal to the slice max gets max(q).
    x, axis = case
    at_max = x == slice_max(x, axis)
    for out in (sm.softmax(x, axis=axis), sm.log_softmax(x, axis=axis)):
        top = np.broadcast_to(slice_max(out, axis), out.shape)
        assert np.all(out[at_max] == top[at_max])
        # the first argmax of x is an argmax of the output
        k = np.argmax(x, axis=axis)
        picked = np.take_along_axis(out, np.expand_dims(k, axis), axis=axis)
        assert np.array_equal(picked, slice_max(out, axis))


@SETTINGS
@given(arrays_and_axis())
def test_log_softmax_is_non_positive_and_finite_unless_the_exact_value_overflows(case):
    x, axis = case
    logq = sm.log_softmax(x, axis=axis)
    assert logq.dtype == x.dtype
    assert not np.any(np.isnan(logq))
    assert np.all(logq <= 0)
    # -inf only where log q_i = x_i - m - log1p(s) lies beyond -max: halves avoid overflow,
    # and the tiny log1p(s) <= log(512) is absorbed by the 2^-20 relative margin.
    top = float(np.finfo(x.dtype).max)
    x64 = x.astype(np.float64)
    half_gap = slice_max(x64, axis) / 2 - x64 / 2
    beyond = half_gap >= (top / 2) * (1 - 2.0**-20)
    assert np.all(np.isfinite(logq) | beyond)
    assert np.all(np.isfinite(logq) | (logq == -np.inf))


@SETTINGS
@given(arrays_and_axis())
def test_logsumexp_lies_between_max_and_max_plus_log_m(case):
    x, axis = case
    lse = sm.logsumexp(x, axis=axis)
    assert lse.dtype == x.dtype
    assert np.all(np.isfinite(lse))
    m = np.max(x, axis=axis)
    # lse = m + log1p(s) with 0 <= s <= M - 1; rounding is monotone, so lse >= m exactly.
    assert np.all(lse >= m)
    # Upper side: lse - m <= log M up to 4.5 ulp of lse (9u|lse|), the log1p error of the
    # at most log M term (9u log M), and the float64 rounding of this check (2 u64 log M).
    # Written as a difference so that m near the dtype max cannot overflow the check.
    u, u64 = np.finfo(x.dtype).eps / 2, np.finfo(np.float64).eps / 2
    log_m = np.log(x.shape[axis])
    lse64 = lse.astype(np.float64)
    slack = 9 * u * (np.abs(lse64) + log_m) + 2 * u64 * log_m
    assert np.all(lse64 - m.astype(np.float64) <= log_m + slack)


@SETTINGS
@given(arrays_and_axis())
def test_exp_log_softmax_and_softmax_agree_where_log_q_is_moderate(case):
    x, axis = case
    q = sm.softmax(x, axis=axis).astype(np.float64)
    logq = sm.log_softmax(x, axis=axis).astype(np.float64)
    moderate = logq > -30  # exp keeps relative error ~ |log q| ulp: tolerance 2^-9 there
    rtol = (8 * 30 + 10) * np.finfo(x.dtype).eps / 2
    assert np.allclose(np.exp(logq[moderate]), q[moderate], rtol=rtol, atol=0)
