r"""Gradient of the mean cross-entropy with respect to the weights $W$.

Sign and scale conventions, all for $Q = \mathrm{softmax}(X W^\mathsf{T})$:

| name | value | use |
|---|---|---|
| `cross_entropy_grad` | $(Q - P)^\mathsf{T} X / O$ | descent: $W \leftarrow W - \eta\,\nabla$ |
| `log_likelihood_grad` | $(P - Q)^\mathsf{T} X / O$ | ascent: $W \leftarrow W + \eta\,\nabla$ |
| `softmax.notation.D` | $(P - Q)^\mathsf{T} X$ | the tutorial's literal $D$, not divided by $O$ |
"""

from __future__ import annotations

import numpy as np

from softmax._validate import as_float_array, check_finite, check_labels, check_nonempty
from softmax.loss import residual_and_losses

__all__ = ["cross_entropy_grad", "cross_entropy_loss_and_grad", "log_likelihood_grad"]


def check_problem(W, X, labels):
    """Validate weights (M, N), features (O, N) and labels; return them as float64 (a float64
    array as it is, anything else converted), the labels' kind and index, and the result dtype."""
    W = as_float_array("W", W, ndim=2)
    X = as_float_array("X", X, ndim=2)
    check_nonempty("W", W)
    check_nonempty("X", X)
    if W.shape[1] != X.shape[1]:
        raise ValueError(
            f"W and X must have the same number of features N: W is {W.shape} (M, N), "
            f"X is {X.shape} (O, N)"
        )
    check_finite("W", W)
    check_finite("X", X)
    kind, y = check_labels("labels", labels, X.shape[0], W.shape[0])
    dtype = np.result_type(W.dtype, X.dtype)
    return W.astype(np.float64, copy=False), X.astype(np.float64, copy=False), kind, y, dtype


def loss_and_grad_sums(W, X, kind, y):
    r"""The sums over the samples of `X` of the cross-entropy and of its gradient.

    One fused pass over the logits $Z = X W^\mathsf{T}$ (`softmax._kernels`) gives both
    $Q - P$ (claim IMPL-8: $\partial H / \partial g_i = q_i - p_i$) and each sample's
    $-\sum_i p_i \log q_i$ in the log1p form (IMPL-4); memory is $O(O \cdot M)$. A block
    of rows gives its share of the whole array's sums (claim IMPL-18).
    """
    # Z = X Wᵀ computed as (W Xᵀ)ᵀ: the same sums, and OpenBLAS's kernel for a wide
    # output is several times faster than for a tall thin one (2.7x at 30 000 x 301).
    R, losses = residual_and_losses((W @ X.T).T, kind, y)
    return losses.sum(), R.T @ X  # GRADM-1: (Q - P)^T X, before the 1/O


def loss_and_grad_f64(W, X, kind, y):
    """Mean cross-entropy and its gradient for validated float64 inputs (the sums / O)."""
    loss, grad = loss_and_grad_sums(W, X, kind, y)
    grad /= X.shape[0]
    return loss / X.shape[0], grad


def cross_entropy_loss_and_grad(W, X, labels):
    r"""Mean cross-entropy $H(W)$ and its gradient $\nabla_W H$, from one forward pass.

    Checked by claims IMPL-8.

    Parameters
    ----------
    W, X, labels
        As in `cross_entropy_grad`.

    Returns
    -------
    loss : numpy.floating
        $H = -\frac{1}{O}\sum_k\sum_i p_{ki}\log q_{ki}$.
    grad : numpy.ndarray, shape (M, N)
        $(Q - P)^\mathsf{T} X / O$.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import cross_entropy_loss_and_grad
    >>> loss, grad = cross_entropy_loss_and_grad(np.zeros((3, 2)), np.ones((4, 2)), [0, 1, 2, 0])
    >>> round(float(loss), 6) == round(float(np.log(3)), 6)   # uniform q = 1/3
    True
    >>> grad.shape
    (3, 2)
    """
    W, X, kind, y, dtype = check_problem(W, X, labels)
    with np.errstate(over="ignore", invalid="ignore"):
        loss, grad = loss_and_grad_f64(W, X, kind, y)
    if not (np.isfinite(loss) and np.isfinite(grad).all()):
        # Finite W and X can still give logits X Wᵀ, or gradient sums (Q - P)ᵀ X, beyond the
        # float range.
        raise ValueError(
            "W and X give logits X @ W.T or a gradient (Q - P).T @ X beyond the floating-point "
            "range "
            f"(max |W| = {np.abs(W).max():.3g}, max |X| = {np.abs(X).max():.3g}): rescale them"
        )
    return dtype.type(loss), grad.astype(dtype, copy=False)


def cross_entropy_grad(W, X, labels):
    r"""Gradient of the mean cross-entropy: $\nabla_W H = (Q - P)^\mathsf{T} X / O$.

    The descent direction: training steps $W \leftarrow W - \eta\,\nabla_W H$.

    Checked by claims OPT-3, GRAD-7, SUM-5, IMPL-8.

    Parameters
    ----------
    W : array_like, shape (M, N)
        Weights, one row per class; column 0 multiplies the bias feature $x_0 = 1$ when
        the features carry it.
    X : array_like, shape (O, N)
        Features, one row per sample.
    labels : array_like, shape (O,) or (O, M)
        Class indices or probability rows $P$.

    Returns
    -------
    numpy.ndarray, shape (M, N)
        $\partial H / \partial w_{ij} = \frac{1}{O}\sum_k (q_{ki} - p_{ki})\,x_{kj}$.

    Notes
    -----
    The tutorial derives the ascent form $(p_i - q_i)x_j$ of its log-likelihood $L = -H$;
    this is its negative divided by $O$ (claims GRAD-7, SUM-5). The step from
    $\sum_k p_k$ to 1 needs the labels to sum to 1 per row, which `labels` is checked for.

    Examples
    --------
    The gradient matches a central finite difference of `cross_entropy`:

    >>> import numpy as np
    >>> from softmax import cross_entropy, cross_entropy_grad
    >>> rng = np.random.default_rng(0)
    >>> W, X, y = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), [0, 2, 1, 1, 0]
    >>> E = np.zeros_like(W); E[1, 2] = 1e-6
    >>> fd = (cross_entropy(X @ (W + E).T, y) - cross_entropy(X @ (W - E).T, y)) / 2e-6
    >>> bool(abs(fd - cross_entropy_grad(W, X, y)[1, 2]) < 1e-8)
    True
    """
    return cross_entropy_loss_and_grad(W, X, labels)[1]


def log_likelihood_grad(W, X, labels):
    r"""The tutorial's ascent direction $(P - Q)^\mathsf{T} X / O = -\nabla_W H$.

    Checked by claims OPT-2, OPT-3, GRAD-4, GRAD-5, GRAD-6, GRAD-8, GRADM-1, GRADM-2, SUM-1,
    SUM-5, TRAIN-1.

    Parameters
    ----------
    W, X, labels
        As in `cross_entropy_grad`.

    Returns
    -------
    numpy.ndarray, shape (M, N)
        $\frac{1}{O}\sum_k (p_{ki} - q_{ki})\,x_{kj}$; the tutorial steps
        $W \leftarrow W + \eta\,\nabla$.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import cross_entropy_grad, log_likelihood_grad
    >>> W, X = np.ones((2, 3)), np.arange(6.0).reshape(2, 3)
    >>> bool(np.array_equal(log_likelihood_grad(W, X, [0, 1]), -cross_entropy_grad(W, X, [0, 1])))
    True
    """
    return -cross_entropy_grad(W, X, labels)
