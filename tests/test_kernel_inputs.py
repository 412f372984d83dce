"""The compiled kernel (`softmax._kernels`) on every layout and size it must handle.

Each row is computed from that row alone, so a view, a copy or a broadcast of the same
rows must give the same bits; shapes at the extremes (one entry, two entries, a row of
1e7 entries, 1e7 rows of 3) are checked against independent forms.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special

import softmax as sm
from derivations.properties import ULP_BOUND
from derivations.reference import reference_row, ulp_error, ulp_error_scalar
from derivations.sum_order import bound
from softmax import _blocks, _column_kernels, _kernels, _tree

FUNCS = [sm.softmax, sm.log_softmax, sm.logsumexp]
DTYPES = [np.float64, np.float32]


def _rows(shape, dtype, seed=0):
    return np.random.default_rng(seed).normal(0.0, 3.0, shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
def test_strided_and_fortran_views_give_the_bits_of_a_contiguous_copy(f, dtype):
    x = _rows((40, 70), dtype)
    for view in (x[:, ::3], x[::2, 5:], np.asfortranarray(x), x.T):
        np.testing.assert_array_equal(f(view), f(np.ascontiguousarray(view)))
    for axis in (0, 1):
        np.testing.assert_array_equal(f(x.T, axis=axis), f(np.ascontiguousarray(x.T), axis=axis))


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
def test_broadcast_view_with_zero_strides_repeats_the_row_result(f):
    row = _rows(17, np.float64)
    view = np.broadcast_to(row, (1000, 17))
    assert view.strides[0] == 0
    got = f(view)
    np.testing.assert_array_equal(got, np.broadcast_to(f(row), got.shape))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
def test_read_only_input_is_accepted_and_left_as_it_was(f, dtype):
    x = _rows((30, 9), dtype)
    before = x.copy()
    x.setflags(write=False)
    np.testing.assert_array_equal(f(x), f(before))
    np.testing.assert_array_equal(x, before)


def test_one_entry_per_slice_is_the_degenerate_distribution():
    x = _rows((5, 1), np.float64) * 100
    np.testing.assert_array_equal(sm.softmax(x), np.ones_like(x))
    np.testing.assert_array_equal(sm.log_softmax(x), np.zeros_like(x))
    np.testing.assert_array_equal(sm.logsumexp(x), x[:, 0])


def test_two_entries_per_slice_within_4_ulp_of_the_exact_logistic():
    x = _rows((200, 2), np.float64) * np.geomspace(0.01, 300, 200)[:, None]
    for row, q, logq in zip(x, sm.softmax(x), sm.log_softmax(x), strict=True):
        q_exact, logq_exact, _ = reference_row(row.tolist())
        assert ulp_error(q, np.array(q_exact, dtype=object), np.float64).max() <= 4
        assert ulp_error(logq, np.array(logq_exact, dtype=object), np.float64).max() <= 4


def test_a_row_of_ten_million_entries():
    # One row longer than a block (`softmax._blocks.BLOCK`). Error budgets, in u = 2^-53:
    # the kernel's t errs by at most IMPL-12's bound (42u here) and each e_i and the
    # division add 2u, so each q_i and log1p(s) err by at most 44u relative; np.sum of q
    # adds its own pairwise error, at most 8 + log2(n / 8) = 29u.
    u, n = 2.0**-53, 10**7
    kernel = bound(n) + 2
    x = _rows(n, np.float64)
    q, lse = sm.softmax(x), sm.logsumexp(x)
    assert x.size > _blocks.BLOCK
    np.testing.assert_allclose(np.sum(q), 1.0, rtol=0, atol=(kernel + 29) * u)
    # lse = m + log1p(s): at most kernel u of |lse| on each side, SciPy's and ours.
    np.testing.assert_allclose(lse, scipy.special.logsumexp(x), rtol=2 * kernel * u)
    # log q_i = (x_i - m) - log1p(s) against x_i - lse: each within kernel u of |lse| and
    # one rounding of |x_i - lse| (below 64 here).
    atol = 2 * kernel * u * abs(lse) + np.spacing(64.0)
    np.testing.assert_allclose(sm.log_softmax(x), x - lse, rtol=0, atol=atol)


def test_ten_million_rows_of_three():
    u = 2.0**-53
    x = _rows((10**7, 3), np.float64)
    q = sm.softmax(x)
    # The closed form q_i = 1 / sum_j e^{x_j - x_i}: exp amplifies the rounding of its own
    # shifts x_j - x_i into |x_j - x_i| u, plus a u for each exp, the two additions and the
    # division; the kernel is within 4 ulp (8u). Budget from these rows' widest gap.
    gap = float(np.max(x.max(axis=1) - x.min(axis=1)))
    for i in range(3):
        closed = 1.0 / np.exp(x - x[:, i : i + 1]).sum(axis=1)
        np.testing.assert_allclose(q[:, i], closed, rtol=(gap + 6 + 8) * u)
    # lse = m + log1p(s) cancels where m < 0 (IMPL-3), so compare absolutely: each side errs
    # by at most 4u of the larger of |m| and log1p(s) (at most log 3 here), plus its rounding.
    scale = float(np.max(np.abs(x))) + np.log(3.0)
    np.testing.assert_allclose(
        sm.logsumexp(x), scipy.special.logsumexp(x, axis=1), rtol=0, atol=2 * 5 * u * scale
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("m", [1, 2, 7, 8, 9, 11, 13, 16])
def test_short_rows_get_the_bits_of_the_row_layout_in_the_column_layout(m, dtype, monkeypatch):
    # softmax._column_kernels does the row layout's arithmetic in the same order, so the
    # layout that serves short rows changes no bit; rows of every mode are included.
    x = np.concatenate([_rows((300, m), np.float64), np.full((2, m), 1000.0)]).astype(dtype)
    x[-1, 0], x[-3, -1] = np.nan, -np.inf
    y = np.arange(x.shape[0]) % m
    funcs = [sm.softmax, sm.log_softmax, sm.logsumexp]
    columns = [f(x) for f in funcs]
    logits = np.nan_to_num(x[:-2].astype(np.float64), neginf=-30.0)
    loss_columns = sm.cross_entropy_loss_and_grad(np.eye(m), logits, y[:-2])
    monkeypatch.setattr(_blocks.column_kernels(), "SMALL", 0)  # every row in the row layout
    for f, got in zip(funcs, columns, strict=True):
        np.testing.assert_array_equal(got, f(x), err_msg=f.__name__)
    loss_rows = sm.cross_entropy_loss_and_grad(np.eye(m), logits, y[:-2])
    assert loss_columns[0] == loss_rows[0]
    np.testing.assert_array_equal(loss_columns[1], loss_rows[1])


def _boundary_rows(n):
    """Rows of n entries at each edge of IMPL-11's modes and of the first-maximum rule."""
    bound = float(_kernels._bound(n))
    low = _kernels.NORMAL_X
    rows = [
        [3.0, 1.0, 3.0],  # a tie: the first maximal index
        [-0.0, 0.0, -0.0],  # a tie of zeros of either sign
        [-np.inf] * 3,  # no finite maximum
        [1.0, np.inf, 0.0],
        [bound, 0.0, 0.0],  # the largest maximum that is safe unshifted
        [np.nextafter(bound, np.inf), 0.0, 0.0],
        [-1.0, low, -2.0],  # the smallest minimum that is safe below a maximum of 0
        [-1.0, np.nextafter(low, -np.inf), -2.0],
        [low - 5.0, 0.0, -1.0],  # a subnormal e^x_i does not matter from a maximum of 0
        [low - 5.0, -0.0, -1.0],
        [low - 5.0, 0.5, -1.0],
        [low - 5.0, np.nextafter(0.0, -np.inf), -1.0],
    ]
    # Each row padded to n entries with -1 (beyond the pattern when n < 3, cut), the
    # minimum placed first as well as last.
    out = [(r + [-1.0] * n)[:n] for r in rows]
    return np.array(out + [row[::-1] for row in out])


@pytest.mark.parametrize("n", [1, 2, 3, 8, 13, 16])
def test_both_layouts_decide_each_rows_maximum_its_first_index_and_mode_alike(n):
    # softmax._column_kernels.stats must agree with the row layout's _prepare on every row,
    # or a short row would get another mode (and other bits) than the same row when long.
    x = _boundary_rows(n)
    m, k, mode = np.empty(len(x)), np.empty(len(x), np.intp), np.empty(len(x), np.int8)
    _column_kernels.stats(np.ascontiguousarray(x.T), m, k, mode)
    scratch = np.empty(_tree.scratch_size(n))
    for r in range(len(x)):
        want = _kernels._prepare(x, r, False, _kernels._bound(n), scratch)
        assert (m[r], k[r], mode[r]) == want, f"row {r}: {x[r]}"
        assert np.signbit(m[r]) == np.signbit(want[0]), f"row {r}: {x[r]}"


@pytest.mark.parametrize("n", [2, 3, 1000])
def test_n_equal_entries_whose_unshifted_sum_overflows_are_each_one_nth(n):
    # IMPL-11: at m = log(max) - log n + 1/2 each e^m is finite but n of them overflow, so
    # only the shifted form (IMPL-2) is exact here: q = 1/n, lse = m + log n.
    m = np.log(np.finfo(np.float64).max) - np.log(n) + 0.5
    x = np.full((1, n), m)
    np.testing.assert_array_equal(sm.softmax(x), np.full((1, n), 1.0 / n))
    lse = reference_row(x[0].tolist())[2]  # the exact value, to 60 digits
    assert ulp_error_scalar(sm.logsumexp(x)[0], lse, np.float64) <= ULP_BOUND


@pytest.mark.parametrize("n", [1, 2, 3, 1000, 1 << 17])
def test_the_unshifted_form_is_taken_exactly_up_to_impl_11s_bound(n):
    # IMPL-11's note: unshifted where the maximum is at most log(float max) - log n - 1. A
    # lower bound would only cost speed, a higher one overflows (the test above); this
    # pins the rule the kernels and the docs state.
    stated = np.log(np.finfo(np.float64).max) - np.log(n) - 1.0
    x = np.zeros((2, n))
    x[0, 0], x[1, 0] = stated, np.nextafter(stated, np.inf)
    m, s, mode = np.empty(2), np.empty(2), np.empty(2, np.int8)
    e = np.exp(np.minimum(x, 0.0))  # entries the pass may read; their values do not matter
    _kernels.finish_lse(x, e, m, s, False, mode)
    assert mode.tolist() == [_kernels.UNSHIFTED, _kernels.SHIFTED]


def test_a_pass_returns_the_count_of_rows_it_leaves_for_the_shifted_redo():
    x = np.array([[0.0, 1.0], [800.0, 0.0], [2.0, 3.0], [900.0, 1.0], [-800.0, -801.0]])
    e = np.exp(np.minimum(x, 0.0))
    out, m, s, mode = np.empty(x.shape), np.empty(5), np.empty(5), np.empty(5, np.int8)
    assert _kernels.finish_softmax(x, e, out, m, s, True, False, mode) == 3
    assert _kernels.finish_lse(x, e, m, s, False, mode) == 3
    assert mode.tolist() == [0, 1, 0, 1, 1]
