"""Rows longer than `softmax._long_rows.LONG`, computed chunk by chunk (claim IMPL-12).

The chunked path must keep everything the row layout promises: the non-finite policy, the
shifted path for rows it cannot take, float32, any `workers`, `out` aliasing `z`, and the
accuracy of a tree sum (IMPL-12's bound $D(n)$ for the chunked tree).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special

import softmax as sm
from derivations.sum_order import bound
from softmax import _long_rows

N = _long_rows.LONG + 2 * _long_rows.CHUNK + 5  # a long row with a partial last chunk
U = 2.0**-53


def _row(seed=0, scale=3.0):
    return np.random.default_rng(seed).normal(0.0, scale, N)


@pytest.mark.parametrize(
    ("where", "value", "softmax_at", "others", "lse"),
    [
        ({7}, np.nan, np.nan, np.nan, np.nan),
        ({N - 1}, np.inf, 1.0, 0.0, np.inf),
        ({3, N - 2}, np.inf, np.nan, np.nan, np.inf),
    ],
    ids=["a NaN", "one +inf", "two +inf"],
)
def test_the_non_finite_policy_holds_on_long_rows(where, value, softmax_at, others, lse):
    x = _row()
    x[list(where)] = value
    q = sm.softmax(x)
    np.testing.assert_array_equal(q[list(where)], softmax_at)
    rest = np.delete(q, list(where))
    np.testing.assert_array_equal(rest, np.full(rest.shape, others))
    np.testing.assert_array_equal(sm.logsumexp(x), lse)


def test_a_long_row_of_only_minus_infinity_is_nan_with_lse_minus_infinity():
    x = np.full(N, -np.inf)
    assert np.isnan(sm.softmax(x)).all() and np.isnan(sm.log_softmax(x)).all()
    assert sm.logsumexp(x) == -np.inf


def test_minus_infinity_entries_get_zero_weight_and_leave_the_rest_as_without_them():
    x = _row()
    x[::5] = -np.inf
    q = sm.softmax(x)
    assert (q[::5] == 0).all()
    kept = np.delete(np.arange(N), np.arange(0, N, 5))
    np.testing.assert_allclose(q[kept], scipy.special.softmax(x[kept]), rtol=2 * bound(N) * U)


@pytest.mark.parametrize("offset", [1000.0, -1000.0], ids=["would overflow", "would underflow"])
def test_rows_that_must_be_shifted_are_shift_invariant(offset):
    """Such rows leave the chunked path for the shifted whole-row one (IMPL-1, IMPL-2)."""
    x = np.round(_row() * 8) / 8  # multiples of 1/8, so x + offset is exact
    with np.errstate(over="ignore"):  # the overflow that sends the row away
        assert _long_rows.row(x + offset, None) is None
    np.testing.assert_allclose(sm.softmax(x + offset), sm.softmax(x), rtol=2 * bound(N) * U)
    np.testing.assert_allclose(sm.logsumexp(x + offset), sm.logsumexp(x) + offset, rtol=4 * U)


def test_the_sum_and_lse_are_within_the_chunked_tree_bound():
    x = _row(1)
    q = sm.softmax(x)
    np.testing.assert_allclose(q.sum(), 1.0, rtol=0, atol=(bound(N) + 2 + bound(N)) * U)
    lse = sm.logsumexp(x)
    np.testing.assert_allclose(lse, scipy.special.logsumexp(x), rtol=2 * (bound(N) + 2) * U)
    np.testing.assert_allclose(
        sm.log_softmax(x),
        x - lse,
        rtol=0,
        atol=4 * (bound(N) + 2) * U * abs(lse) + np.spacing(64.0),
    )


def test_float32_long_rows_are_the_float64_result_rounded():
    x = _row(2).astype(np.float32)
    q32 = sm.softmax(x)
    assert q32.dtype == np.float32
    q64 = sm.softmax(x.astype(np.float64))
    # One rounding of a float64 result that errs by a few float64 ulps.
    assert np.max(np.abs(q32 - q64) / np.spacing(q32)) <= 0.5 + 2.0**-20


def test_long_rows_give_the_same_bits_for_any_workers_and_with_out_aliasing_z():
    x = np.stack([_row(s) for s in range(3)])
    one = sm.softmax(x, workers=1)
    np.testing.assert_array_equal(sm.softmax(x, workers=2), one)
    np.testing.assert_array_equal(sm.log_softmax(x, workers=2), sm.log_softmax(x, workers=1))
    y = x.copy()
    sm.softmax(y, out=y)
    np.testing.assert_array_equal(y, one)
