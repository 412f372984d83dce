"""Behaviour of `softmax`, `log_softmax` and `logsumexp`: axes, dtypes, `out=`, keepdims,
shift invariance, the non-finite policy of `softmax.functions`, and agreement with the
identities and libraries they should agree with."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.special

import softmax as sm
from softmax import _blocks
from softmax.loss import residual_and_losses

FUNCS = {"softmax": sm.softmax, "log_softmax": sm.log_softmax, "logsumexp": sm.logsumexp}
ELEMENTWISE = {"softmax": sm.softmax, "log_softmax": sm.log_softmax}
EPS64 = np.finfo(np.float64).eps  # 2u


def by_name(mapping):
    return pytest.mark.parametrize("func", list(mapping.values()), ids=list(mapping))


def rand(shape, seed=0, scale=3.0, dtype=np.float64):
    return (np.random.default_rng(seed).normal(0.0, scale, shape)).astype(dtype)


# ---- sums, axes -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_slices_sum_to_one(axis, dtype):
    x = rand((7, 50), seed=1, dtype=dtype)
    q = sm.softmax(x, axis=axis)
    m = x.shape[axis]
    # q_i = e_i / fl(1 + s): the sum of the m - 1 e_j errs by (m - 2)u, 1 + s and the
    # divisions by u each, this float64 sum by (m - 1)u; float32 rounds once more (u32).
    # Derivation in tests/test_properties.py: |sum - 1| <= 2 m u64 (+ u32).
    u32 = np.finfo(np.float32).eps / 2 if dtype == np.float32 else 0.0
    tol = 2 * m * EPS64 / 2 + u32
    assert np.all(np.abs(q.astype(np.float64).sum(axis=axis) - 1.0) <= tol)


@by_name(FUNCS)
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_any_axis_equals_moving_that_axis_last(func, axis):
    x = rand((4, 5, 6), seed=2)
    got = func(x, axis=axis)
    moved = func(np.moveaxis(x, axis, -1), axis=-1)
    if func is not sm.logsumexp:
        moved = np.moveaxis(moved, -1, axis)
    # Only the summation order of s may differ between axes: each result is within 4 ulp
    # of exact, so they agree within 8 ulp (<= 8 eps relative).
    np.testing.assert_allclose(got, moved, rtol=8 * EPS64, atol=0)


@by_name(FUNCS)
def test_default_axis_is_the_last(func):
    x = rand((3, 4), seed=3)
    np.testing.assert_array_equal(func(x), func(x, axis=-1))
    np.testing.assert_array_equal(func(x), func(x, axis=1))


@by_name(FUNCS)
def test_one_dimensional_input_is_one_slice(func):
    x = rand(9, seed=4)
    np.testing.assert_array_equal(func(x), func(x[None, :])[0])


def test_axis_as_numpy_integer_is_accepted():
    x = rand((3, 4), seed=5)
    np.testing.assert_array_equal(sm.softmax(x, axis=np.int64(0)), sm.softmax(x, axis=0))


# ---- dtypes -----------------------------------------------------------------------------


DTYPE_RULES = [
    (np.float32, np.float32),
    (np.float64, np.float64),
    (np.float16, np.float32),
    (np.int8, np.float64),
    (np.int64, np.float64),
    (np.uint16, np.float64),
    (np.bool_, np.float64),
]


@by_name(FUNCS)
@pytest.mark.parametrize(
    ("given", "expected"), DTYPE_RULES, ids=[np.dtype(g).name for g, _ in DTYPE_RULES]
)
def test_result_dtype_follows_validate_rules(func, given, expected):
    x = np.array([[1, 0, 1], [0, 0, 1]]).astype(given)
    got = func(x)
    assert got.dtype == expected
    # and the values are those of the input converted to the computing dtype
    np.testing.assert_array_equal(got, func(x.astype(expected)))


@by_name(FUNCS)
def test_python_lists_are_computed_in_float64(func):
    assert func([1.0, 2.0, 3.0]).dtype == np.float64
    assert func([1, 2, 3]).dtype == np.float64


# ---- out= ---------------------------------------------------------------------------------


@by_name(ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_out_is_written_and_returned(func, dtype):
    x = rand((3, 5), seed=6, dtype=dtype)
    out = np.full_like(x, np.nan)
    got = func(x, axis=0, out=out)
    assert got is out
    np.testing.assert_array_equal(out, func(x, axis=0))


@by_name(ELEMENTWISE)
@pytest.mark.parametrize("n", [6, 512, 1 << 17 | 1], ids=["columns", "rows", "long_rows"])
def test_out_may_be_the_input_itself(func, n):
    # In each layout: the input must not serve as the scratch of its own exponentials.
    x = rand((4, n), seed=7)
    expected = func(x)
    z = x.copy()
    got = func(z, out=z)
    assert got is z
    np.testing.assert_array_equal(z, expected)


@by_name(ELEMENTWISE)
def test_out_may_be_a_non_contiguous_view(func):
    x = rand((4, 6), seed=8)
    buf = np.zeros((6, 4)).T  # Fortran-ordered view
    assert func(x, out=buf) is buf
    np.testing.assert_array_equal(buf, func(x))


@by_name(ELEMENTWISE)
def test_without_out_the_input_is_not_modified(func):
    x = rand((3, 4), seed=9)
    before = x.copy()
    func(x)
    np.testing.assert_array_equal(x, before)


# ---- keepdims -------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_logsumexp_keepdims_keeps_a_length_one_axis_with_the_same_values(axis):
    x = rand((2, 3, 4), seed=10)
    kept = sm.logsumexp(x, axis=axis, keepdims=True)
    expected_shape = list(x.shape)
    expected_shape[axis] = 1
    assert kept.shape == tuple(expected_shape)
    np.testing.assert_array_equal(np.squeeze(kept, axis=axis), sm.logsumexp(x, axis=axis))


def test_logsumexp_of_a_vector_is_a_zero_dimensional_array():
    got = sm.logsumexp([0.0, 0.0])
    assert isinstance(got, np.ndarray)
    assert got.shape == ()
    assert got == pytest.approx(np.log(2.0), rel=EPS64)


def test_logsumexp_keepdims_accepts_numpy_bool():
    assert sm.logsumexp(np.zeros((2, 3)), keepdims=np.bool_(True)).shape == (2, 1)


# ---- shift invariance ------------------------------------------------------------------------


def _exact_grid(dtype):
    """Multiples of 2^-8 below 2^6: adding 2^10 or 2^11 to them is exact in both dtypes."""
    rng = np.random.default_rng(11)
    return (rng.integers(-(2**14), 2**14, (5, 12)) / 2.0**8).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_softmax_and_log_softmax_are_bit_identical_under_exact_shifts_of_large_logits(dtype):
    # Maxima above 709 are computed by the shift (softmax._kernels): both inputs then give
    # the same gaps x_i - m, the same numbers, and bit-identical outputs.
    x = _exact_grid(dtype) + dtype(2.0**10)
    c = dtype(2.0**10)
    assert np.array_equal((x + c) - c, x)
    np.testing.assert_array_equal(sm.softmax(x + c), sm.softmax(x))
    np.testing.assert_array_equal(sm.log_softmax(x + c), sm.log_softmax(x))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_softmax_and_log_softmax_are_shift_invariant_across_the_two_kernels(dtype):
    # x is computed without a shift (maxima below 64), x + 2^10 with it. Each result is
    # within 4 float64 ulp of the same exact value (tests/test_accuracy.py), so they are
    # within 8 of each other; float32 results, rounded once from those, within 1 ulp.
    x = _exact_grid(dtype)
    c = dtype(2.0**10)
    assert np.array_equal((x + c) - c, x)
    for f in (sm.softmax, sm.log_softmax):
        a, b = f(x).astype(np.float64), f(x + c).astype(np.float64)
        ulps = np.abs(a - b) / np.spacing(np.abs(b).astype(dtype)).astype(np.float64)
        assert ulps.max() <= (8.0 if dtype == np.float64 else 1.0), f.__name__
    # lse(x + c) = lse(x) + c: both sides rounded once more, so within 1 ulp of each other.
    lhs = sm.logsumexp(x + c).astype(np.float64)
    rhs = sm.logsumexp(x).astype(np.float64) + c
    np.testing.assert_allclose(lhs, rhs, rtol=np.finfo(dtype).eps, atol=0)


def test_softmax_is_shift_invariant_for_huge_shifts():
    x = rand((3, 8), seed=12)
    shifted = x + 1e300  # now all entries are equal: q = 1/8
    np.testing.assert_array_equal(sm.softmax(shifted), np.full_like(x, 1 / 8))
    y = np.array([1e300, 1e300 - 2.0**997])  # gap 2^997: q = [1, 0]
    np.testing.assert_array_equal(sm.softmax(y), [1.0, 0.0])


# ---- each slice on its own -------------------------------------------------------------------


def _mixed_rows(m):
    """Rows that take every path of softmax._kernels, in one array of row length `m`."""
    rng = np.random.default_rng(13)
    rows = [
        rng.normal(0.0, 3.0, m),  # no shift
        rng.normal(0.0, 3.0, m) + 1000.0,  # max above the overflow bound: shifted, TwoSum
        -720.0 - rng.uniform(0.0, 20.0, m),  # m < 0 with subnormal e^x: shifted
        rng.normal(0.0, 3.0, m) - 30.0,  # m < 0, nothing subnormal: no shift
        np.where(np.arange(m) % 3 == 0, -np.inf, rng.normal(0.0, 3.0, m)),
        np.where(np.arange(m) == 1, np.nan, 1.0),
        np.where(np.arange(m) == 2, np.inf, 0.0),
        np.full(m, -np.inf),
    ]
    return np.stack(rows)


@pytest.mark.parametrize("m", [5, 40], ids=["short-rows", "one-lane-group-and-tail"])
@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax, sm.logsumexp], ids=lambda f: f.__name__)
def test_each_slice_gives_the_same_bits_alone_as_among_other_slices(f, m):
    # Which path a slice takes depends on that slice alone, so its neighbours in the same
    # block (here: every other path) cannot change a bit of its result.
    x = _mixed_rows(m)
    together = f(x)
    for i in range(len(x)):
        np.testing.assert_array_equal(together[i], f(x[i : i + 1])[0], err_msg=f"row {i}")


@pytest.mark.parametrize("m", [5, 40, 3000], ids=["short-rows", "one-chunk", "many-chunks"])
@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax, sm.logsumexp], ids=lambda f: f.__name__)
def test_threads_give_the_same_bits_as_one_thread(f, m):
    # Many blocks of every path (softmax._kernels), float32 too, shared among 1, 2 and 3
    # threads and all CPUs: each slice is computed on its own, so the bits cannot change.
    rows = _mixed_rows(m)
    x = np.tile(rows, (3 * _blocks.BLOCK // (rows.size) + 1, 1))
    for dtype in (np.float64, np.float32):
        xd = x.astype(dtype)
        want = f(xd)
        for workers in (2, 3, -1):
            np.testing.assert_array_equal(f(xd, workers=workers), want, err_msg=str(workers))


@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax, sm.logsumexp], ids=lambda f: f.__name__)
def test_workers_share_the_blocks_among_that_many_threads(f, monkeypatch):
    # The bits cannot show the threads (above); the blocks handed to the pool can.
    shared = []
    monkeypatch.setattr(_blocks, "_threads", lambda blocks, starts, w: shared.append(w))
    f(np.zeros((4 * _blocks.BLOCK // 8, 8)), workers=3)
    assert shared == [3]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("m", [7, _blocks.BLOCK + 3], ids=["short-rows", "rows-over-a-block"])
def test_rows_are_finished_in_blocks_of_about_block_entries(m, workers):
    # max(1, BLOCK // m) rows a block, the last one shorter; each block C-contiguous and
    # handed over with the same rows of every row-aligned array. Rows are numbered in
    # column 0, so the blocks show which rows they hold.
    step = max(1, _blocks.BLOCK // m)
    rows = np.zeros((3 * step + 2, m))
    rows[:, 0] = np.arange(len(rows))
    labels, seen = np.arange(len(rows)) * 10, []

    def finish(x, outs):
        assert x.flags.c_contiguous
        seen.append((x[:, 0].tolist(), outs[0].tolist()))

    _blocks.run(rows, finish, (labels,), workers)
    seen.sort()
    expected = [
        list(range(start, min(len(rows), start + step))) for start in range(0, len(rows), step)
    ]
    assert [block for block, _ in seen] == [[float(k) for k in b] for b in expected]
    assert [out for _, out in seen] == [[10 * k for k in b] for b in expected]


def test_threads_see_the_callers_errstate():
    # Rows below -708 underflow in exp, which NumPy ignores by default. A caller who asks
    # for underflow to raise gets it from the threads too: they run in the caller's context.
    x = np.tile(_mixed_rows(40), (500, 1))
    for workers in (None, 2):
        with np.errstate(under="raise"), pytest.raises(FloatingPointError, match="underflow"):
            sm.softmax(x, workers=workers)


# ---- the non-finite policy (one test per row of the table in softmax.functions) -------------

INF, NAN = np.inf, np.nan
GOOD_ROW = np.array([1.0, 2.0, 3.0, 0.5])


def with_good_row(bad):
    """Stack a bad slice with a finite one, to check the policy is applied per slice."""
    return np.stack([np.asarray(bad, dtype=np.float64), GOOD_ROW])


def assert_good_row_untouched(x):
    np.testing.assert_array_equal(sm.softmax(x)[1], sm.softmax(GOOD_ROW))
    np.testing.assert_array_equal(sm.log_softmax(x)[1], sm.log_softmax(GOOD_ROW))
    np.testing.assert_array_equal(sm.logsumexp(x)[1], sm.logsumexp(GOOD_ROW))


@pytest.mark.parametrize(
    "bad",
    [[1.0, NAN, 2.0, 3.0], [NAN, NAN, NAN, NAN], [INF, NAN, 0.0, 1.0], [-INF, NAN, -INF, 1.0]],
    ids=["one_nan", "all_nan", "nan_and_plus_inf", "nan_and_minus_inf"],
)
def test_policy_a_nan_makes_the_whole_slice_nan(bad):
    x = with_good_row(bad)
    assert np.isnan(sm.softmax(x)[0]).all()
    assert np.isnan(sm.log_softmax(x)[0]).all()
    assert np.isnan(sm.logsumexp(x)[0])
    assert_good_row_untouched(x)


def test_policy_some_minus_inf_weigh_zero_and_the_rest_is_the_finite_softmax():
    bad = [-INF, 1.0, -INF, 2.0]
    x = with_good_row(bad)
    q, logq, lse = sm.softmax(x)[0], sm.log_softmax(x)[0], sm.logsumexp(x)[0]
    finite = np.array([1.0, 2.0])
    np.testing.assert_array_equal(q[[0, 2]], [0.0, 0.0])
    np.testing.assert_array_equal(q[[1, 3]], sm.softmax(finite))
    np.testing.assert_array_equal(logq[[0, 2]], [-INF, -INF])
    np.testing.assert_array_equal(logq[[1, 3]], sm.log_softmax(finite))
    assert np.isfinite(lse)
    assert lse == sm.logsumexp(finite)
    assert_good_row_untouched(x)


def test_policy_only_minus_inf_gives_nan_softmax_and_minus_inf_logsumexp():
    x = with_good_row([-INF] * 4)
    assert np.isnan(sm.softmax(x)[0]).all()
    assert np.isnan(sm.log_softmax(x)[0]).all()
    assert sm.logsumexp(x)[0] == -INF
    assert_good_row_untouched(x)


@pytest.mark.parametrize(
    "bad", [[1.0, INF, 2.0, 3.0], [-INF, INF, -INF, 5.0], [1e308, INF, -1e308, 0.0]]
)
def test_policy_exactly_one_plus_inf_is_one_hot(bad):
    x = with_good_row(bad)
    np.testing.assert_array_equal(sm.softmax(x)[0], [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(sm.log_softmax(x)[0], [-INF, 0.0, -INF, -INF])
    assert sm.logsumexp(x)[0] == INF
    assert_good_row_untouched(x)


@pytest.mark.parametrize("bad", [[INF, INF, 0.0, 1.0], [INF, INF, INF, INF], [INF, -INF, INF, 0]])
def test_policy_two_or_more_plus_inf_give_nan_softmax_and_plus_inf_logsumexp(bad):
    x = with_good_row(bad)
    assert np.isnan(sm.softmax(x)[0]).all()
    assert np.isnan(sm.log_softmax(x)[0]).all()
    assert sm.logsumexp(x)[0] == INF
    assert_good_row_untouched(x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_policy_applies_along_any_axis_and_in_float32(dtype):
    x = np.array([[1.0, -INF], [INF, -INF], [NAN, 0.0]], dtype=dtype).T  # slices = columns
    q = sm.softmax(x, axis=0)
    assert q.dtype == dtype
    np.testing.assert_array_equal(q[:, 0], [1.0, 0.0])
    np.testing.assert_array_equal(q[:, 1], [1.0, 0.0])
    assert np.isnan(q[:, 2]).all()
    lse = sm.logsumexp(x, axis=0)
    np.testing.assert_array_equal(lse[:2], [1.0, INF])
    assert np.isnan(lse[2])


def test_policy_edge_cases_emit_no_warnings():
    # pytest turns warnings into errors; this runs every row of the table in one call.
    x = np.array([[NAN, 0.0], [-INF, 0.0], [-INF, -INF], [INF, 0.0], [INF, INF], [1e308, -1e308]])
    for func in FUNCS.values():
        func(x)
        func(x, axis=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_log_softmax_beyond_the_dtype_range_rounds_to_minus_inf_without_warning(dtype):
    top = np.finfo(dtype).max
    x = np.array([top, -top], dtype=dtype)  # log q_1 = -2 max, beyond the range
    np.testing.assert_array_equal(sm.log_softmax(x), np.array([0.0, -INF], dtype=dtype))
    out = np.empty_like(x)
    np.testing.assert_array_equal(sm.log_softmax(x, out=out), [0.0, -INF])
    np.testing.assert_array_equal(sm.softmax(x), [1.0, 0.0])
    assert sm.logsumexp(x) == top


# ---- identities and other libraries --------------------------------------------------------


def test_exp_of_log_softmax_is_softmax():
    x = rand((6, 20), seed=13)
    logq = sm.log_softmax(x)
    # log q is within 4 ulp (8u|log q| absolute); exp turns that into 8u|log q| relative,
    # plus 1 ulp for exp, against q within 4 ulp: rtol = (8 max|log q| + 2 + 8) u.
    rtol = (8 * np.abs(logq).max() + 10) * EPS64 / 2
    np.testing.assert_allclose(np.exp(logq), sm.softmax(x), rtol=rtol, atol=0)


def test_logsumexp_gradient_is_softmax_by_central_differences():
    # x on the grid 2^-20 and h = 2^-12, so x ± h is exact. Taylor: the central difference
    # errs by at most h^2 / 6 * max|f'''|, and along a coordinate f''' = q(1 - q)(1 - 2q)
    # is at most 1 / (6 sqrt 3): 9.6e-10. Rounding adds 2 * 4.5 ulp(lse ~ 3.4) / (2h),
    # below 1e-11. Tolerance 1e-9 (measured 9.0e-10: the Taylor bound is nearly attained).
    rng = np.random.default_rng(14)
    x = np.round(rng.normal(0.0, 2.0, 10) * 2.0**20) / 2.0**20
    h = 2.0**-12
    grad = np.empty_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (sm.logsumexp(x + step) - sm.logsumexp(x - step)) / (2 * h)
    np.testing.assert_allclose(grad, sm.softmax(x), rtol=0, atol=1e-9)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_agrees_with_scipy_special_on_benign_inputs(axis):
    x = rand((8, 10), seed=15, scale=1.0)
    # scipy shifts without the TwoSum correction: relative error up to |x_i - m| u plus a
    # few ulp. With |x_i - m| < 10 here, rtol = 32 eps covers both sides.
    rtol = 32 * EPS64
    np.testing.assert_allclose(
        sm.softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=rtol
    )
    np.testing.assert_allclose(
        sm.log_softmax(x, axis=axis), scipy.special.log_softmax(x, axis=axis), rtol=rtol
    )
    np.testing.assert_allclose(
        sm.logsumexp(x, axis=axis), scipy.special.logsumexp(x, axis=axis), rtol=rtol
    )


def test_tutorial_example_values():
    q = sm.softmax([5.0, 1.0, -1.0])
    expected = np.exp([5.0, 1.0, -1.0]) / np.exp([5.0, 1.0, -1.0]).sum()
    np.testing.assert_allclose(q, expected, rtol=8 * EPS64)
    assert q.argmax() == 0


# ---- logsumexp's options ---------------------------------------------------------------------


def test_logsumexp_flags_must_be_bools_named_with_their_type():
    with pytest.raises(TypeError, match=r"^keepdims must be a bool, got int$"):
        sm.logsumexp([1.0], keepdims=1)


def test_logsumexp_keeps_dims_with_weights_too():
    z = rand((2, 3))
    got = sm.logsumexp(z, axis=1, b=np.ones(3), keepdims=True)
    assert got.shape == (2, 1)
    np.testing.assert_array_equal(got[:, 0], sm.logsumexp(z, axis=1, b=np.ones(3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logsumexp_sign_has_the_dtype_of_the_result_and_is_nan_where_it_is(dtype):
    lse, sign = sm.logsumexp(np.array([[1.0, np.nan], [1.0, 2.0]], dtype), axis=1, return_sign=True)
    assert lse.dtype == sign.dtype == dtype
    assert np.isnan(sign[0]) and sign[1] == 1.0


# ---- memory ------------------------------------------------------------------------------------


def _peak(call):
    """Bytes `call()` allocates at its peak, once compiled and warm (tracemalloc).

    The bounds below sit halfway between what the design allocates and what one more
    scratch block would: the per-row m, s and modes are a few hundred bytes beside them.
    """
    call()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "f",
    [
        sm.softmax,
        sm.log_softmax,
        lambda x: residual_and_losses(x, "index", np.arange(len(x)) % x.shape[1]),
    ],
    ids=["softmax", "log_softmax", "residual"],
)
def test_a_float64_result_is_its_own_scratch_for_the_exponentials(f):
    # softmax._blocks._writable: a float64 output receives e^x and is then finished in
    # place, so a block of rows needs no scratch block beside the result.
    x = rand((64, 512))  # one block (BLOCK entries), in the row layout
    assert _peak(lambda: f(x)) < 1.5 * x.nbytes


@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax], ids=lambda f: f.__name__)
def test_an_out_array_is_written_directly_with_no_result_beside_it(f):
    x, out = rand((64, 512)), np.empty((64, 512))
    assert _peak(lambda: f(x, out=out)) < 0.5 * x.nbytes


def test_a_float64_softmax_row_beyond_long_keeps_its_exponentials_in_the_result():
    # softmax._blocks._long: a row longer than LONG is done chunk by chunk, with the
    # result's row as the scratch for its exponentials: no second row beside the result.
    x = rand((1, _blocks.long_rows().LONG + 1))
    assert _peak(lambda: sm.softmax(x)) < 1.5 * x.nbytes


@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax], ids=lambda f: f.__name__)
def test_a_float32_row_longer_than_a_block_is_a_block_of_its_own(f):
    # Scratch for the exponentials is float64 (a float32 result cannot hold them): one row.
    x = rand((3, _blocks.BLOCK + 1000), dtype=np.float32)
    assert _peak(lambda: f(x)) < x.nbytes + 1.5 * 8 * x.shape[1]  # the result and one row


def test_weighted_logsumexp_needs_two_arrays_like_z_and_copies_no_rows_of_z_or_b():
    # softmax._weighted.real_rows: the kept entries (b = 0 masks its entry) and their
    # exponentials, weighted in place. Float64 rows of z and b, all with a finite maximum,
    # are read as they are; the bound is halfway to a third array.
    z, b = rand((200, 1000)), rand((200, 1000), seed=1)
    assert _peak(lambda: sm.logsumexp(z, axis=1, b=b, return_sign=True)) < 2.5 * z.nbytes


@pytest.mark.parametrize("f", [sm.softmax, sm.log_softmax], ids=lambda f: f.__name__)
def test_a_slice_along_axis_0_comes_back_c_contiguous(f):
    assert f(rand((30, 7)), axis=0).flags.c_contiguous


@pytest.mark.parametrize(
    ("n", "layout"),
    [
        (_blocks.column_kernels().SMALL, "_columns"),
        (_blocks.column_kernels().SMALL + 1, "compute"),
        (_blocks.long_rows().LONG, "compute"),
        (_blocks.long_rows().LONG + 1, "_long"),
    ],
)
def test_each_layout_serves_the_row_lengths_its_constant_names(n, layout, monkeypatch):
    # SMALL and LONG are inclusive bounds: up to SMALL entries the column layout, up to
    # LONG one pass of the row layout, beyond LONG the chunks.
    used = []

    def spy(name):
        real = getattr(_blocks, name)

        def called(*args):
            used.append(name)
            return real(*args)

        return called

    for name in ("_columns", "compute", "_long"):
        monkeypatch.setattr(_blocks, name, spy(name))
    sm.softmax(rand((2, n)))
    assert used[0] == layout


def test_the_loss_pass_runs_on_the_callers_thread(monkeypatch):
    # The fit's objective is called from L-BFGS-B: BLAS threads are managed there
    # (softmax._threads), and the fused pass adds none of its own.
    def no_threads(*args):
        raise AssertionError("the loss pass started threads")

    monkeypatch.setattr(_blocks, "_threads", no_threads)
    X, W = rand((4 * _blocks.BLOCK // 8, 8)), rand((8, 8), seed=1)
    sm.cross_entropy_loss_and_grad(W, X, np.arange(len(X)) % 8)
