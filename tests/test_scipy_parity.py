"""SciPy's published test properties of softmax, log_softmax and logsumexp, run against ours.

Follows scipy/special/tests/test_softmax.py, test_log_softmax.py and test_logsumexp.py, each
property restated in our own words and code, with mpmath references at 60 digits in place of
SciPy's hard-coded numbers. Our default axis is the last, SciPy's None: every comparison passes
`axis`. Where our policy departs from SciPy, the test asserts ours and says so. Tolerance:
4 ulp of the exact value, times kappa = sum|b e^a| / |sum b e^a| for sums that cancel (an
error u in each term moves the log by up to kappa u); complex results normwise.
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest
import scipy.special

from derivations.reference import CTX, reference, ulp, ulp_error, ulp_error_scalar
from softmax import log_softmax, logsumexp, softmax

INF, NAN, U = np.inf, np.nan, 2.0**-53
SPREAD = np.array([[-25.0, 0.0, 25.0, 50.0], [1.0, 325.0, 749.0, 750.0]])
PAIR = np.array([[1000.0, 1.0], [1000.0, 1.0]])
DTYPES = [np.float32, np.float64, np.int32, np.int64, np.complex64, np.complex128]


def exact_slices(x, axis):
    """mpmath (q, log q) of each slice of `x` over `axis` (int, tuple or None), as `x`."""
    x = np.asarray(x, dtype=np.float64)
    axes = sorted(range(x.ndim) if axis is None else np.atleast_1d(axis) % x.ndim)
    order = [i for i in range(x.ndim) if i not in axes] + axes
    moved = np.transpose(x, order)
    q, logq, _ = reference(moved.reshape(-1, int(np.prod(moved.shape[x.ndim - len(axes) :]))))
    return [np.transpose(r.reshape(moved.shape), np.argsort(order)) for r in (q, logq)]


def exact_lse(a, b=None):
    """mpmath log of sum b e^a (of |sum| if real, principal if complex), and kappa."""
    a, b = (np.ravel(v) for v in np.broadcast_arrays(a, 1.0 if b is None else b))
    num = CTX.mpc if np.iscomplexobj(a) or np.iscomplexobj(b) else CTX.mpf
    pairs = zip(a.tolist(), b.tolist(), strict=True)
    terms = [num(bi) * CTX.exp(num(ai)) for ai, bi in pairs if bi != 0]
    total = CTX.fsum(terms)
    finite = CTX.isfinite(total) and total != 0  # else no cancellation to speak of
    kappa = float(CTX.fsum(abs(t) for t in terms) / abs(total)) if finite else 1.0
    return (CTX.log(total) if num is CTX.mpc else CTX.log(abs(total))), kappa


def assert_lse(got, a, b=None, dtype=np.float64):
    """`got` is within 4 kappa ulp of the exact log-sum-exp (normwise when complex)."""
    exact, kappa = exact_lse(a, b)
    real = np.finfo(dtype).dtype
    if isinstance(exact, mpmath.mpc) or np.iscomplexobj(got):
        err = float(abs(CTX.mpc(complex(got)) - exact) / ulp(abs(exact), real))
    else:
        err = ulp_error_scalar(got, exact, real)
    assert err <= 4 * max(1.0, kappa), f"{got!r}: {err:.3g} ulp from {exact}, kappa={kappa:.3g}"


def assert_ulps(got, exact, dtype=np.float64):
    err = ulp_error(got, exact, dtype)
    assert err.max(initial=0.0) <= 4, f"{got} is {err} ulp from the mpmath reference"


# ---- softmax and log_softmax (test_softmax.py, test_log_softmax.py, TestSoftmax) ----

CASES = {
    "0..3": (np.arange(4.0), -1),
    "0..3 shifted by 100 changes nothing": (np.arange(4.0) + 100, -1),
    "1000,1": ([1000.0, 1.0], -1),
    "1000,0,0,0": ([1000.0, 0.0, 0.0, 0.0], -1),
    "1,1": ([1.0, 1.0], -1),
    "very negative": ([-1000.0, -1001.0, -1010.0, -1e4], -1),
    "spread rows, axis 1": (SPREAD, 1),
    "spread columns, axis 0": (SPREAD.T, 0),
    "1000,1 twice, axis 0": (PAIR, 0),
    "1000,1 twice, axis 1": (PAIR, 1),
    "0..7 as 2x4, axis 1": (np.arange(8.0).reshape(2, 4), 1),
    "0..7 as 4x2, axis 0": (np.arange(8.0).reshape(2, 4).T, 0),
    "0..7 as 2x2x2, axis (1, 2)": (np.arange(8.0).reshape(2, 2, 2), (1, 2)),
    "0..3 as 2x2, axis None": (np.arange(4.0).reshape(2, 2), None),
}


@pytest.mark.parametrize(("x", "axis"), CASES.values(), ids=CASES.keys())
def test_softmax_and_log_softmax_match_mpmath_within_4_ulp_and_keep_the_shape(x, axis):
    q, logq = exact_slices(x, axis)
    for got, exact in [(softmax(x, axis=axis), q), (log_softmax(x, axis=axis), logq)]:
        assert got.shape == np.shape(x)
        assert_ulps(got, exact)


def test_a_logit_1000_above_the_rest_gives_an_exact_one_hot_without_overflow():
    assert softmax([1000, 0, 0, 0], axis=-1).dtype == np.float64  # a list of ints
    np.testing.assert_array_equal(softmax([1000.0, 0.0, 0.0, 0.0], axis=-1), [1, 0, 0, 0])
    np.testing.assert_array_equal(softmax(PAIR - [0, 1], axis=1), [[1, 0], [1, 0]])
    np.testing.assert_array_equal(log_softmax([1000.0, 1.0], axis=-1), [0.0, -999.0])


def test_default_axis_is_the_last_one_where_scipy_default_is_none():
    x = np.arange(6.0).reshape(2, 3)
    # Ours and scipy's axis=-1 are each within 4 ulp of the exact value: 8 ulp <= 16 u |q|.
    np.testing.assert_allclose(softmax(x), scipy.special.softmax(x, axis=-1), rtol=16 * U)
    assert not np.allclose(softmax(x), scipy.special.softmax(x))  # scipy: all 6 sum to 1
    assert logsumexp(x).shape == (2,) and np.shape(scipy.special.logsumexp(x)) == ()


def test_zero_dim_input_is_a_distribution_of_one_entry():
    for value, func, expected in [(1000, softmax, 1.0), (2.0, softmax, 1.0), (1.0, log_softmax, 0)]:
        assert func(value).ndim == 0 and func(value) == expected
    assert logsumexp(1) == logsumexp(np.array([1])) == 1.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_results_keep_float_and_complex_dtypes_promote_weights_and_make_ints_float64(dtype):
    x = np.array([1000, 999, 990], dtype=dtype)
    got = logsumexp(x, axis=-1)
    assert got.dtype == (np.float64 if x.dtype.kind == "i" else dtype)
    assert_lse(got, x.astype(complex if x.dtype.kind == "c" else float), dtype=got.dtype)
    if x.dtype.kind != "c":
        for func, exact in zip((softmax, log_softmax), exact_slices(x, -1), strict=True):
            assert func(x, axis=-1).dtype == got.dtype
            assert_ulps(func(x, axis=-1), exact, got.dtype)
    for db in DTYPES:  # with weights: the dtype that z and b promote to
        got = logsumexp(np.array([2, 1], dtype=dtype), axis=-1, b=np.array([1, -1], dtype=db))
        promoted = np.result_type(dtype, db)
        assert got.dtype == (np.float64 if promoted.kind == "i" else promoted)
        assert_lse(got, [2.0, 1.0], [1.0, -1.0], dtype=got.dtype)  # log(e^2 - e), kappa 2.2


@pytest.mark.parametrize(("shape", "axis"), [((0,), -1), ((2, 0), -1), ((0, 3), 1), ((0,), None)])
def test_empty_slices_give_empty_results_and_the_empty_sum_has_log_minus_infinity(shape, axis):
    z = np.zeros(shape)
    assert softmax(z, axis=axis).shape == log_softmax(z, axis=axis).shape == shape
    reduced = np.full(np.sum(z, axis=axis).shape, -INF)  # one empty sum per slice
    np.testing.assert_array_equal(logsumexp(z, axis=axis), reduced, strict=True)


ERRORS = {
    "complex z to softmax: TypeError": (softmax, [1 + 1j, 2.0], {}, TypeError),
    "complex z to log_softmax: TypeError": (log_softmax, [1 + 1j, 2.0], {}, TypeError),
    "repeated axis, softmax: ValueError": (softmax, [[0.0]], {"axis": (1, -1)}, ValueError),
    "repeated axis, log_softmax": (log_softmax, [[0.0]], {"axis": (0, 0)}, ValueError),
    "repeated axis, logsumexp": (logsumexp, [[0.0]], {"axis": (1, -1)}, ValueError),
    "b not broadcasting: ValueError": (logsumexp, [0.0] * 3, {"b": [1.0] * 2}, ValueError),
}


@pytest.mark.parametrize(("func", "z", "kwargs", "error"), ERRORS.values(), ids=ERRORS.keys())
def test_invalid_arguments_raise_the_documented_error(func, z, kwargs, error):
    with pytest.raises(error):
        func(np.array(z), **kwargs)


POLICY = {  # slice: (softmax, log_softmax)
    "a NaN": ([NAN, 1.0, 2.0], [NAN] * 3, [NAN] * 3),
    "only -inf": ([-INF, -INF], [NAN] * 2, [NAN] * 2),
    "some -inf": ([-INF, 0.0, 0.0], [0.0, 0.5, 0.5], [-INF, -np.log(2), -np.log(2)]),
    "one +inf": ([1.0, INF, -INF], [0.0, 1.0, 0.0], [-INF, 0.0, -INF]),
    "two +inf": ([INF, 1.0, INF], [NAN] * 3, [NAN] * 3),
}


@pytest.mark.parametrize(("x", "q", "logq"), POLICY.values(), ids=POLICY.keys())
def test_softmax_of_non_finite_slices_follows_our_documented_policy(x, q, logq):
    """SciPy's tests assert nothing here. SciPy 1.17.1 itself gives [nan, nan] for
    softmax([inf, 1]) and [nan, -inf] for log_softmax, where we give the one-hot limit."""
    np.testing.assert_array_equal(softmax(np.array(x), axis=-1), q)
    np.testing.assert_allclose(log_softmax(np.array(x), axis=-1), logq, rtol=8 * U, atol=0)


# ---- logsumexp (test_logsumexp.py, TestLogSumExp) ----

LARGE = {  # a, b
    "0..199": (np.arange(200.0), None),
    "0..199 weighted 200..1": (np.arange(200.0), np.arange(200.0, 0.0, -1.0)),
    "1000 twice": (np.array([1000.0, 1000.0]), None),
    "1000 twice weighted 1.2": (np.array([1000.0, 1000.0]), np.array([1.2, 1.2])),
    "10000 a thousand times (ints)": (np.full(1000, 10000), None),
    "0,-40 (gh-18295)": (np.array([0.0, -40.0]), None),
    "4x1x2x1 with weights 3x1x5 broadcast": (np.zeros((4, 1, 2, 1)), np.ones((3, 1, 5))),
    "very negative": (np.array([-1000.0, -1001.0, -1e4]), None),
}


@pytest.mark.parametrize(("a", "b"), LARGE.values(), ids=LARGE.keys())
def test_logsumexp_over_all_axes_matches_mpmath_with_or_without_weights_and_no_overflow(a, b):
    a0, b0 = np.copy(a), np.copy(b)
    assert_lse(logsumexp(a, axis=None, b=b), a, b)
    assert np.array_equal(a, a0) and np.array_equal(b, b0)  # and leaves its inputs unchanged


def test_logsumexp_of_many_tiny_terms_is_the_log_of_their_plain_or_weighted_sum():
    v, b = float(np.log(1e-40)), np.linspace(1, 1000, 10**5)
    logx = np.full((2, b.size), v)
    for weights, w in [(None, [1.0] * b.size), (np.stack([b, b]), b.tolist())]:
        columns = logsumexp(logx, axis=0, b=weights)
        checks = [(logsumexp(logx, axis=None, b=weights), w * 2)]
        checks += [(r, w) for r in logsumexp(logx, axis=1, b=weights)]
        checks += [(columns[j], [w[j]] * 2) for j in range(0, b.size, 9973)]
        for got, ws in checks:  # exact: v + log(sum of the weights of the e^v)
            exact = CTX.mpf(v) + CTX.log(CTX.fsum(CTX.mpf(x) for x in ws))
            assert ulp_error_scalar(got, exact, np.float64) <= 4


SPECIAL = [([INF], INF), ([-INF], -INF), ([NAN], NAN), ([-INF, -INF], -INF), ([INF, 1.0], INF)]
SPECIAL += [([INF, INF], INF), ([INF, -INF], INF), ([NAN, INF], NAN)]


@pytest.mark.parametrize(("a", "expected"), SPECIAL)
def test_logsumexp_of_special_values_is_the_log_of_their_ieee_sum(a, expected):
    np.testing.assert_array_equal(logsumexp(np.array(a), axis=-1), expected)


def test_logsumexp_reduces_int_tuple_and_none_axes_with_keepdims():
    a = np.array([[1e10, 1e-10], [-1e10, -INF]])
    np.testing.assert_array_equal(logsumexp(a, axis=-1), [1e10, -1e10])
    np.testing.assert_array_equal(logsumexp(a, axis=-1, keepdims=True), [[1e10], [-1e10]])
    assert logsumexp(a, axis=(-1, -2)) == logsumexp(a, axis=None) == 1e10
    assert logsumexp(a, axis=None, keepdims=True).shape == (1, 1)
    ones = np.ones((1, 2, 3, 4))
    for axis, shape, kept in [
        (2, (1, 2, 4), (1, 2, 1, 4)),
        ((1, 3), (1, 3), (1, 1, 3, 1)),
        (None, (), (1, 1, 1, 1)),
    ]:
        r, s = logsumexp(ones, axis=axis, b=ones, return_sign=True)
        assert r.shape == s.shape == logsumexp(ones, axis=axis, b=ones).shape == shape
        # keepdims with weights: the value and the sign both keep unit slice axes
        rk, sk = logsumexp(ones, axis=axis, b=ones, keepdims=True, return_sign=True)
        assert rk.shape == sk.shape == logsumexp(ones, axis=axis, b=ones, keepdims=True).shape
        assert rk.shape == kept
        assert np.array_equal(rk.reshape(shape), r) and np.array_equal(sk.reshape(shape), s)


A22903 = [3.06409428, 0.37251854, 3.87471931]
SIGNS = {
    "empty sum": ([], None, 0.0),
    "negative sum": ([1.0, 1.0, 1.0], [1.0, -1.0, -1.0], -1.0),
    "sum cancelling to zero": ([1.0, 1.0], [1.0, -1.0], 0.0),
    "gh-22903, positive sum": (A22903, [1.88190708, 2.84174795, -0.85016884], 1.0),
    "gh-22903, negative sum": (A22903, [1.88190708, 2.84174795, -3.85016884], -1.0),
    "gh-23548, inf": ([INF], None, 1.0),
    "gh-23548, inf weighted -1": ([INF], [-1.0], -1.0),
}


@pytest.mark.parametrize(("a", "b", "sign"), SIGNS.values(), ids=SIGNS.keys())
def test_logsumexp_return_sign_gives_the_sign_and_log_magnitude_of_the_weighted_sum(a, b, sign):
    lse, s = logsumexp(a, axis=-1, b=b, return_sign=True)
    assert s == sign
    assert_lse(lse, a, b)
    plain = logsumexp(a, axis=-1, b=b)
    assert np.isnan(plain) if sign < 0 else plain == lse  # a negative sum has no real log


def test_logsumexp_with_zero_weights_ignores_those_entries_but_not_nan_weights():
    for masked in (10000.0, INF, -INF, NAN):
        assert logsumexp([1.0, masked], axis=-1, b=[1.0, 0.0]) == 1.0
    assert np.isnan(logsumexp([1.0, 2.0], axis=-1, b=[1.0, NAN]))  # but a NaN weight is NaN
    assert np.isnan(logsumexp([-INF, 2.0], axis=-1, b=[INF, 1.0]))  # and so is 0 * inf


def test_complex_logsumexp_and_its_sign_match_mpmath_with_imaginary_part_in_minus_pi_to_pi():
    rng = np.random.default_rng(20260501)
    z = rng.uniform(1, 40, (10, 100)) + 1j * rng.uniform(1, 40, (10, 100))
    lse, (mag, phase) = logsumexp(z, axis=1), logsumexp(z, axis=1, return_sign=True)
    assert np.all(np.abs(lse.imag) <= np.pi) and mag.dtype == np.float64
    np.testing.assert_allclose(np.abs(phase), 1.0, rtol=4 * U)
    for row, w, m, p in zip(z, lse, mag, phase, strict=True):
        assert_lse(w, row)
        assert_lse(m + 1j * np.angle(p), row)  # return_sign: log|sum| and the phase of the sum


def test_complex_logsumexp_keeps_a_tiny_imaginary_part_to_full_relative_precision():
    z = np.array([0.0, 2.2204460492503132e-17j])  # log(1 + e^{it}) = log(2 cos(t/2)) + it/2
    exact, _ = exact_lse(z)
    got = logsumexp(z, axis=-1)
    assert ulp_error_scalar(got.real, exact.real, np.float64) <= 4
    assert ulp_error_scalar(got.imag, exact.imag, np.float64) <= 4


def test_complex_logsumexp_wraps_the_imaginary_part_into_minus_pi_to_pi():
    """As SciPy, float pi stands for pi: an imaginary part of -pi maps to +pi."""
    for z in ([1 + 3.5j], [-2 - 4j], [1 + 3j, 2 + 2j], [0.5 + 40j, 1 - 33j]):
        got = logsumexp(np.array(z), axis=-1)
        assert -np.pi < got.imag <= np.pi
        assert_lse(got, np.array(z))
    assert logsumexp(np.array([-np.pi * 1j]), axis=-1) == np.pi * 1j


INFS = [-INF, INF] + [complex(r, i) for r in (-INF, INF) for i in (0.0, -0.0, INF, -INF)]
INFS += [complex(r, i) for r in (-INF, INF) for i in (0.7533, 2.3562, 3.9270, 5.4978)]


def test_complex_logsumexp_with_infinite_parts_agrees_with_the_direct_formula():
    """gh-22601: with infinite entries nothing can overflow, so the result is the log of
    the IEEE sum of exponentials, log(sum(exp(z))), for every pair of these entries."""
    wrong = []
    for x, y in itertools.product(INFS, repeat=2):
        z = np.array([x, y])
        with np.errstate(all="ignore"):
            direct = np.log(np.sum(np.exp(z)))
        got = logsumexp(z, axis=-1)
        if got.dtype != direct.dtype or not np.array_equal(got, direct, equal_nan=True):
            wrong.append(f"{x}, {y}: got {got}, expected {direct}")
    assert not wrong, f"{len(wrong)} of {len(INFS) ** 2} pairs differ:\n" + "\n".join(wrong)


def test_complex_weighted_logsumexp_with_infinite_parts_is_the_log_of_the_weighted_ieee_sum():
    """As gh-22601 above, with weights: a weight with an imaginary part multiplies e^z as a
    complex number, and a zero weight leaves its entry out, even one far above the rest."""
    b = np.array([1j, 2.0 - 1j, 0.0])
    wrong = []
    for x, y in itertools.product(INFS, repeat=2):
        z = np.array([x, y, 1000.0])
        with np.errstate(all="ignore"):
            direct = np.log(np.sum(b[:2] * np.exp(z[:2])))
        got = logsumexp(z, axis=-1, b=b)
        if got.dtype != direct.dtype or not np.array_equal(got, direct, equal_nan=True):
            wrong.append(f"{x}, {y}: got {got}, expected {direct}")
    assert not wrong, f"{len(wrong)} of {len(INFS) ** 2} pairs differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([[np.inf, 0.0], [np.inf, 1.0], [0.0, 1.0]], [[1.0, 1.0], [-1.0, 1.0], [1.0, 1.0]]),
        ([[np.inf + 0j, 0.0], [np.inf + 1j, 1.0], [1j, 1.0]], [[1.0, 1j], [2.0, 1.0], [1.0, 1.0]]),
    ],
    ids=["real", "complex"],
)
def test_weighted_logsumexp_sums_each_row_with_an_infinite_term_on_its_own(a, b):
    # Rows whose largest kept exponent is not finite take the direct formula: per row.
    a, b = np.array(a), np.array(b)
    lse, sign = logsumexp(a, axis=1, b=b, return_sign=True)
    for r in range(len(a)):
        one = logsumexp(a[r], b=b[r], return_sign=True)
        np.testing.assert_array_equal([lse[r], sign[r]], one, err_msg=f"row {r}")


def test_weighted_logsumexp_with_an_infinite_term_is_infinite_without_an_overflow_warning():
    # The row's largest term is infinite, so it is summed as written, where 1e10 e^700 is
    # beyond the float range too: the log of the IEEE sum is inf, and no RuntimeWarning
    # escapes (pytest turns warnings into errors).
    lse, sign = logsumexp([INF, 700.0], b=[1.0, 1e10], return_sign=True)
    assert lse == INF and sign == 1.0


def test_weighted_logsumexp_rows_with_finite_maxima_in_other_columns_are_each_their_own():
    a = np.array([[0.0, 3.0, 1.0], [2.0, 0.0, 5.0], [4.0, 1.0, 0.0]])
    b = np.array([[1.0, -1.0, 2.0], [1.0, 1.0, -3.0], [0.5, 1.0, 1.0]])
    lse, sign = logsumexp(a, axis=1, b=b, return_sign=True)
    for r in range(3):
        np.testing.assert_array_equal([lse[r], sign[r]], logsumexp(a[r], b=b[r], return_sign=True))
        assert_lse(lse[r], a[r], b[r])  # log|sum|, within 4 kappa ulp


def test_weighted_logsumexp_keeps_a_tiny_remainder_to_full_precision():
    # log(1 + s) would round e^-40 away; log1p keeps it (the weighted path, IMPL-3's form).
    assert logsumexp([0.0, -40.0], b=[1.0, 1.0]) == np.log1p(np.exp(-40.0))


def test_complex_weighted_logsumexp_is_the_log_of_the_weighted_sum_and_skips_zero_weights():
    a = np.array(
        [
            [1.0 + 0.5j, 0.3 - 2.0j, 700.0 + 0j],
            [0.2j, 1.5 + 1j, -1.0 + 0j],
            [800.0 + 0.5j, 799.0 - 1j, 0j],  # e^800 overflows: summed shifted, b = 0 or not
        ]
    )
    b = np.array([[2.0 - 1j, 0.5, 0.0], [1.0, 3.0 + 2j, -0.5], [1j, 1.0, 0.0]])
    got = logsumexp(a, axis=1, b=b)
    for r in range(len(a)):
        assert_lse(got[r], a[r], b[r])  # exact_lse leaves out the zero-weight terms


def test_weighted_logsumexp_of_empty_slices_is_minus_infinity_with_sign_zero():
    lse, sign = logsumexp(np.zeros((2, 0)), axis=1, b=np.zeros((2, 0)), return_sign=True)
    np.testing.assert_array_equal(lse, [-np.inf, -np.inf])
    np.testing.assert_array_equal(sign, [0.0, 0.0])
