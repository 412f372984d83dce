r"""Cross-entropy of softmax outputs, and the tutorial's log-likelihood (its negative)."""

from __future__ import annotations

import numpy as np

from softmax import _blocks
from softmax._validate import as_float_array, check_finite, check_labels, check_nonempty

__all__ = ["cross_entropy", "log_likelihood"]

_REDUCTIONS = ("mean", "sum", "none")


def check_logits(logits):
    """Validate a finite, non-empty (O, M) matrix of logits; return it and its dtype."""
    arr = as_float_array("logits", logits, ndim=2)
    check_nonempty("logits", arr)
    check_finite("logits", arr)
    return arr, arr.dtype


def residual_and_losses(Z, kind, y):
    r"""$Q - P$ and each sample's $-\sum_i p_{ki} \log q_{ki}$ of finite float64 logits `Z`.

    One fused pass (`softmax._kernels`), with $\log q$ in the log1p form (claim IMPL-4)
    and never formed as a matrix: memory is the $O \times M$ residual only.
    """
    R, losses = np.empty_like(Z), np.empty(Z.shape[0])
    labels = y if kind == "index" else np.ascontiguousarray(y, dtype=np.float64)
    _blocks.run(Z, _blocks.finish_residual, (R, losses, labels))
    return R, losses


def reduce(values, reduction):
    if not isinstance(reduction, str):
        raise TypeError(f"reduction must be a str, got {type(reduction).__name__}")
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    if reduction == "none":
        return values
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def cross_entropy(logits, labels, *, reduction="mean"):
    r"""Cross-entropy $H(p, q) = -\sum_i p_i \log q_i$ of $q = \mathrm{softmax}(z)$.

    Checked by claims ENT-1, ENT-2, ENT-3, CE-1, CE-2, ML-2, ML-6, OPT-1, IMPL-7, IMPL-9.

    Parameters
    ----------
    logits : array_like, shape (O, M)
        Finite logits $z = X W^\mathsf{T}$, one row per sample.
    labels : array_like, shape (O,) or (O, M)
        Integer class indices in $[0, M)$, or probability rows $P$ (non-negative, each
        summing to 1, e.g. one-hot).
    reduction : {"mean", "sum", "none"}, optional
        Average over samples (the tutorial's $\frac{1}{O}$), sum, or one value per sample.

    Returns
    -------
    numpy.ndarray or numpy.floating
        $\ge 0$; a scalar unless ``reduction="none"``.

    Notes
    -----
    $-\frac{1}{O}\sum_k \sum_i p_{ki} \log q_{ki}$ with $\log q$ from the log1p form of
    `log_softmax`, never `log(softmax(z))`, so a confidently wrong prediction costs its
    true, large value instead of $\infty$ (claims CE-1, IMPL-7).

    Examples
    --------
    The tutorial's sample A, true class 2 of 3, predicted $[0.2, 0.6, 0.2]$: the loss is
    $-\ln 0.6 \approx 0.51$.

    >>> import numpy as np
    >>> from softmax import cross_entropy
    >>> logits = np.log([[0.2, 0.6, 0.2]])
    >>> round(float(cross_entropy(logits, [1])), 4)
    0.5108
    >>> round(float(cross_entropy(logits, [[0.0, 1.0, 0.0]])), 4)
    0.5108
    """
    arr, dtype = check_logits(logits)
    kind, y = check_labels("labels", labels, *arr.shape)
    _residual, per_sample = residual_and_losses(np.ascontiguousarray(arr, np.float64), kind, y)
    # A float32 loss beyond float32 max (logit gaps near 2 * float32 max) rounds to inf.
    with np.errstate(over="ignore"):
        return np.asarray(reduce(per_sample, reduction)).astype(dtype)[()]


def log_likelihood(logits, labels, *, reduction="mean"):
    r"""The tutorial's loss $L = \frac{1}{O}\sum_k \sum_i p_{ki} \log q_{ki}$: the negative
    of `cross_entropy`.

    It is $\le 0$ and is maximised; the tutorial trains by gradient ascent on it.

    Checked by claims ML-3, ML-4, ML-5, ML-6, ML-7, LOSS-1, LOSS-2, LOSS-3, LOSS-4, LOSS-5,
    LOSS-6, MATL-1, MATL-2, MATL-3, MATL-4, MATL-5, OPT-1, OPT-2, GRAD-3, SUM-4, SUM-5,
    TRAIN-2.

    Parameters
    ----------
    logits, labels, reduction
        As in `cross_entropy`.

    Returns
    -------
    numpy.ndarray or numpy.floating
        $\le 0$; a scalar unless ``reduction="none"``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import log_likelihood
    >>> round(float(log_likelihood(np.log([[0.1, 0.8, 0.1]]), [1])), 4)   # ln 0.8
    -0.2231
    """
    return -cross_entropy(logits, labels, reduction=reduction)
