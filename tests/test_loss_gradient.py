"""`cross_entropy`, `log_likelihood` and their gradients: label forms, reductions, signs,
stability from logits, finite differences and the tutorial's literal matrix path."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import softmax as sm
from derivations.reference import reference
from softmax import notation
from softmax.loss import residual_and_losses
from tests.test_functions import _peak

EPS64 = np.finfo(np.float64).eps
REDUCTIONS = ["mean", "sum", "none"]


def problem(seed=0, O=6, M=4, N=5, scale=1.0):
    """Dyadic W (multiples of 2^-10) and X, integer labels and their one-hot rows."""
    rng = np.random.default_rng(seed)
    W = np.round(rng.normal(0.0, scale, (M, N)) * 2.0**10) / 2.0**10
    X = np.round(rng.normal(0.0, 1.0, (O, N)) * 2.0**10) / 2.0**10
    y = rng.integers(0, M, O)
    y[:M] = np.arange(M)  # every class present
    P = np.eye(M)[y]
    return W, X, y, P


# ---- cross_entropy and log_likelihood ------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_index_labels_equal_one_hot_rows(reduction):
    W, X, y, P = problem(seed=1)
    z = X @ W.T
    # one-hot rows add exact zeros (0 * finite log q) to the same log q: bit-identical.
    np.testing.assert_array_equal(
        sm.cross_entropy(z, y, reduction=reduction), sm.cross_entropy(z, P, reduction=reduction)
    )


def test_cross_entropy_matches_the_high_precision_reference():
    W, X, y, _ = problem(seed=2, scale=3.0)
    z = X @ W.T
    _, logq_exact, _ = reference(z)
    exact = -np.array([float(logq_exact[k, y[k]]) for k in range(len(y))])
    # per-sample loss is -log q_y, within 4 ulp of exact (8u relative)
    np.testing.assert_allclose(sm.cross_entropy(z, y, reduction="none"), exact, rtol=4 * EPS64)


def test_soft_labels_weight_log_q_by_p():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    P = np.array([[0.25, 0.5, 0.25], [0.0, 0.5, 0.5]])
    expected = -(P * sm.log_softmax(z)).sum(axis=1)
    np.testing.assert_allclose(sm.cross_entropy(z, P, reduction="none"), expected, rtol=EPS64)


def test_reductions_are_mean_sum_and_per_sample():
    W, X, y, _ = problem(seed=3)
    z = X @ W.T
    per = sm.cross_entropy(z, y, reduction="none")
    assert per.shape == (len(y),)
    assert np.all(per > 0)
    assert sm.cross_entropy(z, y, reduction="sum") == per.sum()
    assert sm.cross_entropy(z, y, reduction="mean") == per.mean()
    assert sm.cross_entropy(z, y) == per.mean()  # default: the tutorial's 1/O


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_scalar_reductions_return_scalars(reduction):
    W, X, y, _ = problem(seed=4)
    got = sm.cross_entropy(X @ W.T, y, reduction=reduction)
    assert np.ndim(got) == (1 if reduction == "none" else 0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_log_likelihood_is_minus_cross_entropy(reduction):
    W, X, y, P = problem(seed=5)
    z = X @ W.T
    for labels in (y, P):
        np.testing.assert_array_equal(
            sm.log_likelihood(z, labels, reduction=reduction),
            -sm.cross_entropy(z, labels, reduction=reduction),
        )


def test_tutorial_sample_a_loss_is_minus_log_point_six():
    logits = np.log([[0.2, 0.6, 0.2]])
    assert sm.cross_entropy(logits, [1]) == pytest.approx(-math.log(0.6), rel=4 * EPS64)
    assert sm.log_likelihood(logits, [1]) == pytest.approx(math.log(0.6), rel=4 * EPS64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_cross_entropy_from_logits_is_finite_where_log_of_softmax_is_inf(dtype):
    z = np.array([[0.0, 1000.0], [500.0, -500.0]], dtype=dtype)
    y = [0, 1]
    with np.errstate(divide="ignore"):
        naive = -np.log(sm.softmax(z)[np.arange(2), y])
    assert np.all(naive == np.inf)  # q underflows to 0
    per = sm.cross_entropy(z, y, reduction="none")
    assert per.dtype == dtype
    # exact: gap + log1p(e^{-gap}); e^{-1000} is far below an ulp of 1000.
    np.testing.assert_array_equal(per, np.array([1000.0, 1000.0], dtype=dtype))
    assert sm.log_likelihood(z, y) == dtype(-1000.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_cross_entropy_beyond_the_dtype_range_is_inf_without_warning(dtype):
    # logit gap 2 max: the exact loss 2 max rounds to inf (pytest turns warnings to errors)
    top = np.finfo(dtype).max
    z = np.array([[top, -top]], dtype=dtype)
    loss = sm.cross_entropy(z, [1])
    assert loss.dtype == dtype
    assert loss == np.inf
    assert sm.cross_entropy(z, [0]) == 0.0


def test_cross_entropy_of_a_confident_right_answer_is_tiny_not_zero():
    per = sm.cross_entropy([[0.0, -50.0]], [0], reduction="none")
    assert per[0] == pytest.approx(math.exp(-50.0), rel=4 * EPS64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float32_logits_give_float32_losses(reduction):
    W, X, y, P = problem(seed=6)
    z = (X @ W.T).astype(np.float32)
    for labels in (y, P, P.astype(np.float32)):
        assert sm.cross_entropy(z, labels, reduction=reduction).dtype == np.float32
        assert sm.log_likelihood(z, labels, reduction=reduction).dtype == np.float32


# ---- gradients -------------------------------------------------------------------------------


def test_cross_entropy_grad_matches_central_differences():
    # W and X are on the 2^-10 grid with |w| < 8, |x| < 4, and h = 2^-16: W ± h E is exact
    # and so are the logits X (W ± h E)^T (5 products on the 2^-26 grid below 2^8 fit in 53
    # bits). Truncation: h^2 / 6 * max|d^3 H / dw^3| <= h^2 / 6 * max|x|^3 / (6 sqrt 3)
    # = 2.4e-10 (the third derivative of lse along a coordinate is at most 1 / (6 sqrt 3)).
    # Rounding: each loss H ~ 2 is within ~14u (4 ulp per sample plus the mean), so the
    # difference quotient is off by 14u * 2 / h = 2.0e-10. Tolerance 5e-10 (measured 2e-11).
    W, X, y, _ = problem(seed=7)
    assert np.abs(X).max() < 4 and np.abs(W).max() < 8
    h = 2.0**-16
    fd = np.empty_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        fd[idx] = (sm.cross_entropy(X @ (W + E).T, y) - sm.cross_entropy(X @ (W - E).T, y)) / (
            2 * h
        )
    np.testing.assert_allclose(sm.cross_entropy_grad(W, X, y), fd, rtol=0, atol=5e-10)


def test_cross_entropy_grad_is_the_notation_path_divided_by_minus_o():
    # Moderate logits (|z| < 20): the literal unshifted path is accurate to ~|z| u per q,
    # so D / O and the production gradient agree to ~ max|x| (|z| + M) u ~ 1e-14.
    W, X, _, P = problem(seed=8, scale=2.0)
    assert np.abs(X @ W.T).max() < 20
    G = notation.G(X, W)
    Q = notation.Q(G, notation.S(G))
    D = notation.D(P, Q, X)
    O = X.shape[0]
    np.testing.assert_allclose(D / O, -sm.cross_entropy_grad(W, X, P), rtol=0, atol=1e-13)
    np.testing.assert_allclose(D / O, sm.log_likelihood_grad(W, X, P), rtol=0, atol=1e-13)


def test_notation_loss_is_log_likelihood():
    W, X, y, P = problem(seed=9, scale=2.0)
    G = notation.G(X, W)
    Q = notation.Q(G, notation.S(G))
    expected = sm.log_likelihood(X @ W.T, y)
    assert notation.L(P, Q) == pytest.approx(float(expected), rel=1e-13)


@pytest.mark.parametrize(
    ("p", "expected"),
    [([[1.0, 0.0]], "nan"), ([[0.0, 1.0]], "-inf")],  # 0 * log 0 and 1 * log 0
    ids=["zero_weight_on_log_zero", "full_weight_on_log_zero"],
)
def test_notation_loss_of_an_underflowed_q_is_literal_and_warns_nothing(p, expected):
    # MATL-1 as written: where a q underflowed to 0 the literal form gives what IEEE
    # arithmetic gives, quietly (pytest turns any RuntimeWarning into an error here).
    assert str(notation.L(p, [[1.0, 0.0]])) == expected


def test_notation_q_is_softmax_on_moderate_logits():
    W, X, _, _ = problem(seed=10, scale=2.0)
    G = notation.G(X, W)
    np.testing.assert_allclose(notation.Q(G, notation.S(G)), sm.softmax(X @ W.T), rtol=1e-13)


def test_log_likelihood_grad_is_minus_cross_entropy_grad():
    W, X, y, P = problem(seed=11)
    for labels in (y, P):
        np.testing.assert_array_equal(
            sm.log_likelihood_grad(W, X, labels), -sm.cross_entropy_grad(W, X, labels)
        )


def test_index_and_one_hot_labels_give_the_same_gradient():
    W, X, y, P = problem(seed=12)
    # Q - P subtracts 1 at the label and exact zeros elsewhere: bit-identical residuals.
    np.testing.assert_array_equal(sm.cross_entropy_grad(W, X, y), sm.cross_entropy_grad(W, X, P))


@pytest.mark.parametrize(
    "O, M, scale",
    [(6, 4, 1.0), (300, 10, 30.0), (40, 17, 30.0), (70_000, 3, 5.0), (250, 200, 100.0)],
)
def test_loss_and_grad_is_the_loss_and_the_grad_to_the_bit(O, M, scale):
    # The fused path forms log q at the labels only; it must give the very bits of the
    # full log-softmax path, in the transposed (M <= 16) and the row layout, one block or many.
    W, X, y, _ = problem(seed=13, O=O, M=M, scale=scale)
    loss, grad = sm.cross_entropy_loss_and_grad(W, X, y)
    assert loss == sm.cross_entropy(X @ W.T, y)
    np.testing.assert_array_equal(grad, sm.cross_entropy_grad(W, X, y))


@pytest.mark.parametrize("M", [4, 40], ids=["column-layout", "row-layout"])
def test_the_residual_is_softmax_minus_the_labels_to_the_bit(M):
    # IMPL-8's Q - P from the fused pass, rows that need the shift (|z| ~ 1000) included:
    # Q has the very bits of `softmax`, and P is subtracted once.
    rng = np.random.default_rng(21)
    Z = rng.normal(0.0, 3.0, (64, M)) + np.where(np.arange(64) % 2, 1000.0, 0.0)[:, None]
    y = rng.integers(0, M, 64)
    R, _ = residual_and_losses(Z, "index", y)
    np.testing.assert_array_equal(R, sm.softmax(Z, axis=1) - np.eye(M)[y])


def test_gradient_rows_sum_to_zero_over_classes():
    # sum_i (q_i - p_i) = 0 for every sample, so the class-sum of the gradient vanishes.
    W, X, y, _ = problem(seed=14)
    g = sm.cross_entropy_grad(W, X, y)
    np.testing.assert_allclose(g.sum(axis=0), 0.0, atol=16 * EPS64 * np.abs(X).max())


def test_gradient_stays_finite_with_huge_logits():
    W = np.array([[500.0, 0.0], [-500.0, 0.0]])
    X = np.array([[1.0, 1.0], [-1.0, 2.0]])
    y = [1, 1]
    g = sm.cross_entropy_grad(W, X, y)
    assert np.all(np.isfinite(g))
    # Logits [500, -500] (label 1: q - p = [1, -1]) and [-500, 500] (right: q - p = 0),
    # so (Q - P)^T X / O = [1, -1]^T [1, 1] / 2.
    np.testing.assert_array_equal(g, np.array([[0.5, 0.5], [-0.5, -0.5]]))


def test_a_gradient_beyond_the_float_range_is_refused_even_where_the_loss_is_finite():
    # Every logit is 0 and the loss is log 2, but the gradient's sums over the samples,
    # of -0.5 * 1.7e308 for 2048 samples and +0.5 * 1.7e308 for 2048 more, are beyond the
    # float range: inf, or NaN where BLAS adds partial sums of opposite signs. The ValueError
    # names W and X, and no RuntimeWarning escapes (pytest turns warnings into errors).
    O = 4096
    W, X, y = np.zeros((2, 3)), np.full((O, 3), 1.7e308), np.repeat([0, 1], O // 2)
    assert np.isfinite(sm.cross_entropy(X @ W.T, y))
    message = (
        "W and X give logits X @ W.T or a gradient (Q - P).T @ X beyond the floating-point "
        "range (max |W| = 0, max |X| = 1.7e+308): rescale them"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sm.cross_entropy_loss_and_grad(W, X, y)


def test_loss_and_grad_allocates_its_gradient_and_no_copy_of_float64_w_or_x():
    # Memory is O(O M) beside the (M, N) gradient (loss_and_grad_sums), which is returned
    # as it is, and float64 W and X are read as they are. With O = 4 samples the O x M
    # parts are a few hundred bytes and the finiteness checks' booleans an eighth of the
    # gradient; the bound is halfway to one more (M, N) float64 array.
    W, X, y, _ = problem(seed=16, O=4, M=3, N=100_000)
    grad = sm.cross_entropy_grad(W, X, y)
    assert _peak(lambda: sm.cross_entropy_loss_and_grad(W, X, y)) < 1.5 * grad.nbytes


@pytest.mark.parametrize(
    ("w_dtype", "x_dtype", "expected"),
    [
        (np.float32, np.float32, np.float32),
        (np.float64, np.float64, np.float64),
        (np.float32, np.float64, np.float64),
        (np.float64, np.float32, np.float64),
        (np.int64, np.int64, np.float64),
    ],
)
def test_gradient_dtype_is_the_result_type_of_w_and_x(w_dtype, x_dtype, expected):
    W, X, y, P = problem(seed=15)
    W, X = W.astype(w_dtype), X.astype(x_dtype)
    for fn in (sm.cross_entropy_grad, sm.log_likelihood_grad):
        assert fn(W, X, y).dtype == expected
        assert fn(W, X, P).dtype == expected
    loss, grad = sm.cross_entropy_loss_and_grad(W, X, y)
    assert loss.dtype == expected
    assert grad.dtype == expected
