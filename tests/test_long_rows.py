"""Rows longer than `softmax._long_rows.LONG`, computed chunk by chunk (claim IMPL-12).

The chunked path must keep everything the row layout promises: the non-finite policy, the
shifted path for rows it cannot take, float32, any `workers`, `out` aliasing `z`, and the
accuracy of a tree sum (IMPL-12's bound $D(n)$ for the chunked tree).
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

import softmax as sm
from derivations.sum_order import bound
from softmax import _blocks, _kernels, _long_rows, _tree
from tests.test_kernel_inputs import _boundary_rows

pytestmark = pytest.mark.claim("IMPL-12")

N = _long_rows.LONG + 2 * _long_rows.CHUNK + 5  # a long row with a partial last chunk
U = 2.0**-53


def _row(seed=0, scale=3.0):
    return np.random.default_rng(seed).normal(0.0, scale, N)


#: Error budgets in u, from IMPL-12 and the operations around the sum. Ours: the sum t errs
#: by D u relative, each e_i and e^m by one exp ulp (2u; NumPy's is within one), the
#: division by u/2. The reference below: each e_i 2u, math.fsum of them (correctly rounded)
#: u/2 more, its division u/2.
OURS = bound(N) + 4.5
REFERENCE = 5.0


def _reference(x):
    """q and lse of a row whose exponentials neither overflow nor underflow, with the sum
    of NumPy's e^{x_i} correctly rounded (math.fsum)."""
    e = np.exp(x)
    total = math.fsum(e.tolist())
    return e / total, math.log(total)


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
    np.testing.assert_allclose(q[kept], _reference(x[kept])[0], rtol=(OURS + REFERENCE) * U)


@pytest.mark.claim("IMPL-1", "IMPL-2")
@pytest.mark.parametrize("offset", [1000.0, -1000.0], ids=["would overflow", "would underflow"])
def test_rows_that_must_be_shifted_are_shift_invariant(offset):
    """Such rows leave the chunked path for the shifted whole-row one (IMPL-1, IMPL-2)."""
    x = np.round(_row() * 8) / 8  # multiples of 1/8, so x + offset is exact
    with np.errstate(over="ignore"):  # the overflow that sends the row away
        assert _long_rows.row(x + offset, None) is None
    # The shifted path sums the whole row by the unchunked tree: its D is bound(N, long=N).
    shifted = bound(N, long=N) + 4.5
    np.testing.assert_allclose(sm.softmax(x + offset), sm.softmax(x), rtol=(OURS + shifted) * U)
    # lse = m + log1p(s): s's relative error is an absolute one in lse, plus an ulp of each
    # result and of the addition of the offset.
    atol = (OURS + shifted) * U + 3 * np.spacing(abs(offset) + 64.0)
    np.testing.assert_allclose(sm.logsumexp(x + offset), sm.logsumexp(x) + offset, atol=atol)


def test_q_lse_and_log_q_are_within_the_chunked_tree_budget():
    x = _row(1)
    q_ref, lse_ref = _reference(x)
    np.testing.assert_allclose(sm.softmax(x), q_ref, rtol=(OURS + REFERENCE) * U)
    # np.sum of q adds its pairwise error, 8 + log2(N / 8) u (NumPy's blocks of 8 lanes).
    pairwise = 8 + math.log2(N / 8)
    np.testing.assert_allclose(sm.softmax(x).sum(), 1.0, rtol=0, atol=(OURS + pairwise) * U)
    # In the logs a relative error becomes an absolute one; each result rounds once more.
    lse = sm.logsumexp(x)
    np.testing.assert_allclose(lse, lse_ref, rtol=0, atol=(OURS + REFERENCE) * U + np.spacing(lse))
    log_q = sm.log_softmax(x)
    atol = (OURS + REFERENCE) * U + 2 * np.spacing(np.abs(x - lse_ref))
    np.testing.assert_array_less(np.abs(log_q - (x - lse_ref)), atol)


def test_float32_long_rows_are_the_float64_result_rounded():
    x = _row(2).astype(np.float32)
    q32 = sm.softmax(x)
    assert q32.dtype == np.float32
    q64 = sm.softmax(x.astype(np.float64))
    # q32 rounds to float32 the same float64 quotient but for its last step (a float32 out
    # takes e * fl(1/scale) without the correction, two roundings of u each): within two
    # float64 ulps of q64, i.e. 2 * 2^-29 float32 ulps (twice that across a binade), then
    # half a float32 ulp for the rounding itself.
    assert np.max(np.abs(q32 - q64) / np.spacing(q32)) <= 0.5 + 2.0**-27


def test_long_rows_give_the_same_bits_for_any_workers_and_with_out_aliasing_z():
    x = np.stack([_row(s) for s in range(3)])
    one = sm.softmax(x, workers=1)
    np.testing.assert_array_equal(sm.softmax(x, workers=2), one)
    np.testing.assert_array_equal(sm.log_softmax(x, workers=2), sm.log_softmax(x, workers=1))
    y = x.copy()
    sm.softmax(y, out=y)
    np.testing.assert_array_equal(y, one)


@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax, sm.logsumexp], ids=lambda f: f.__name__)
def test_a_long_row_that_needs_no_shift_never_takes_the_whole_row_path(f, monkeypatch):
    # The point of the chunks is memory: a whole-row pass needs a scratch row of N float64.
    def whole_row(*args, **kwargs):
        raise AssertionError("the row was computed whole")

    monkeypatch.setattr(_blocks, "compute", whole_row)
    assert np.all(np.isfinite(f(_row()[None])))


def test_long_rows_decide_unshifted_as_the_row_layout_does():
    # IMPL-11's rule must not depend on the layout: each row at an edge of it (from
    # tests/test_kernel_inputs.py), padded to a long row, is unshifted exactly where the
    # row layout's _prepare gives it mode 0.
    x = _boundary_rows(_long_rows.LONG + 1)
    scratch = np.empty(_tree.scratch_size(x.shape[1]))
    bound = _kernels._bound(x.shape[1])
    for r in range(len(x)):
        m, _, mode = _kernels._prepare(x, r, False, bound, scratch)
        if np.isfinite(m):
            assert _long_rows.unshifted(x[r], m) == (mode == _kernels.UNSHIFTED), f"row {r}"


def test_a_chunk_is_divided_correctly_rounded_into_float64_and_by_the_reciprocal_otherwise():
    # _long_rows.divide is _kernels._divide on one chunk (IMPL-13): for a float64 result the
    # quotient IEEE division gives, for float32 the float64 product with 1/scale.
    e = np.random.default_rng(4).uniform(0.0, 1.0, _long_rows.CHUNK)
    scale = 3.0 * math.pi
    exact, rough = np.empty_like(e), np.empty_like(e)
    _long_rows.divide(e, exact, scale, True)
    _long_rows.divide(e, rough, scale, False)
    np.testing.assert_array_equal(exact, e / scale)
    np.testing.assert_array_equal(rough, e * (1.0 / scale))
    assert not np.array_equal(rough, exact)  # the two roundings differ somewhere here


def test_a_long_float64_row_is_the_correctly_rounded_quotient_with_its_maximum_in_the_last_chunk():
    # e^x is exactly 1 or 1.5 here (NumPy's exp of 0 and of log 1.5), so every partial sum
    # is a multiple of 1/2 below 2^52: the sum is exact whatever the tree, and the softmax
    # must be IEEE's e / S (IMPL-13) -- for S = N + 1.5, 1.5 * fl(1/S) differs from it. The
    # three maxima sit in the partial last chunk, which log_softmax and logsumexp, with no
    # row of exponentials, recompute in a chunk of their scratch.
    x = np.zeros(N)
    x[-3:] = np.log(1.5)
    e, total = np.exp(x), N - 3 + 3 * 1.5
    assert set(e.tolist()) == {1.0, 1.5}
    np.testing.assert_array_equal(sm.softmax(x), e / total)
    np.testing.assert_array_equal(sm.softmax(x[None], out=np.empty((1, N)))[0], e / total)
    lse = sm.logsumexp(x)
    assert abs(lse - math.log(total)) <= np.spacing(lse) + OURS * U
    # log q = (x - m) - log1p(s) against x - fl(m + log1p(s)): lse's rounding (half an ulp
    # of lse) and each side's final subtraction (half an ulp of |log q| <= lse): 2 ulps.
    np.testing.assert_allclose(sm.log_softmax(x), x - lse, rtol=0, atol=2 * np.spacing(lse))


def test_a_long_row_given_its_exponentials_row_allocates_no_chunk_of_scratch():
    # With `e` (the result's row) there is nowhere a chunk buffer is needed: what is left
    # is the tree's scratch and the per-chunk stats, well under half a chunk of float64.
    x, out = _row(5), np.empty(N)
    _long_rows.row(x, out, out)  # compiled and warm
    tracemalloc.start()
    try:
        _long_rows.row(x, out, out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < _long_rows.CHUNK * 8 / 2
