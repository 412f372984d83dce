r"""Predictions of a fitted `SoftmaxRegression`, from its logits $z = W x$ with $x_0 = 1$.

Every prediction method starts from `logits`, $z = X\,$``coef_``$^\mathsf{T}$ ``+``
``intercept_``, and transforms it by rows: probabilities by `softmax.softmax`, their
logarithms by `softmax.log_softmax`, labels by the arg max. A Dask `X` gives lazy results
computed block by block on the workers (`softmax._dask`); a NumPy `X` gives arrays.
"""

from __future__ import annotations

import numpy as np

from softmax import _dask, _threads
from softmax._estimator_input import NotFittedError, _as_array, _check_X, _flavour
from softmax.functions import log_softmax, softmax


def logits(model, X, method):
    r"""The logits $z = X W_{:, 1:}^\mathsf{T} + W_{:, 0}$ of fitted `model` for `X`.

    Parameters
    ----------
    model : SoftmaxRegression
        Fitted (by `fit` or `load`).
    X : array_like or dask.array.Array, shape (O, N)
        Finite real features; $N$ must be ``model.n_features_in_``.
    method : str
        The public method asking, named in the `NotFittedError`.

    Returns
    -------
    numpy.ndarray or dask.array.Array, shape (O, M)

    Raises
    ------
    NotFittedError
        `model` has no ``coef_``.
    ValueError
        `X` is invalid or has the wrong number of features.
    """
    check_fitted(model, method)
    X = X if _dask.is_dask(X) else _check_X(X)
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but SoftmaxRegression is expecting "
            f"{model.n_features_in_} features as input"
        )
    if _dask.is_dask(X):  # lazy, block by block on the workers
        return _dask.logits(X, model.coef_, model.intercept_)
    with _threads.blas_threads(X.shape[0] * (X.shape[1] + 1) * model.coef_.shape[0]):
        return X @ model.coef_.T + model.intercept_


def check_fitted(model, method):
    """Raise `NotFittedError`, naming the public `method` asking, if `model` has no ``coef_``."""
    if "coef_" not in model.__dict__:
        raise _flavour(NotFittedError)(
            f"This SoftmaxRegression instance is not fitted yet: call fit(X, y) or "
            f"SoftmaxRegression.load(path) before {method}()"
        )


def decision(z):
    r"""scikit-learn's decision values: $z$, or $z_1 - z_0 = \log(q_1 / q_0)$ for two classes.

    Parameters
    ----------
    z : numpy.ndarray or dask.array.Array, shape (O, M)
        Logits.

    Returns
    -------
    numpy.ndarray or dask.array.Array, shape (O, M), or (O,) when $M = 2$
    """
    return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z


def probabilities(z):
    r"""$Q = \mathrm{softmax}(z)$ by rows, with `softmax.softmax`.

    Parameters
    ----------
    z : numpy.ndarray or dask.array.Array, shape (O, M)
        Logits.

    Returns
    -------
    numpy.ndarray or dask.array.Array, shape (O, M)
    """
    return _by_rows(softmax, z)


def log_probabilities(z):
    r"""$\log Q = z - \log\sum_j e^{z_j}$ by rows, with `softmax.log_softmax`.

    Parameters
    ----------
    z : numpy.ndarray or dask.array.Array, shape (O, M)
        Logits.

    Returns
    -------
    numpy.ndarray or dask.array.Array, shape (O, M)
    """
    return _by_rows(log_softmax, z)


def _by_rows(f, z):
    """`f` along axis 1, block by block when `z` is a Dask array."""
    return _dask.rowwise(f, z, axis=1) if _dask.is_dask(z) else f(z, axis=1)


def labels(model, z):
    r"""The label $\mathrm{classes}_{\arg\max_i z_i}$ of each row of the logits.

    Parameters
    ----------
    model : SoftmaxRegression
        Fitted; its ``_labels`` maps a block of logits to labels.
    z : numpy.ndarray or dask.array.Array, shape (O, M)

    Returns
    -------
    numpy.ndarray or dask.array.Array, shape (O,)
        Of the dtype of ``model.classes_``.
    """
    if _dask.is_dask(z):  # the bound method carries classes_ to each block's task
        return z.map_blocks(model._labels, drop_axis=1, dtype=model.classes_.dtype)
    return model._labels(z)


def accuracy(predicted, y):
    r"""The fraction of the labels `predicted` equal to `y`, $\frac{1}{O}\sum_k [\hat y_k = y_k]$.

    Parameters
    ----------
    predicted : numpy.ndarray or dask.array.Array, shape (O,)
    y : array_like, shape (O,)

    Returns
    -------
    float, or a lazy Dask scalar when `predicted` is a Dask array

    Raises
    ------
    ValueError
        `y` does not have the shape of `predicted`.
    """
    if _dask.is_dask(predicted):
        return _dask.accuracy(predicted, y)
    y = _as_array("y", y)
    if y.shape != predicted.shape:
        raise ValueError(f"y must have shape {predicted.shape}, got {y.shape}")
    return float(np.mean(predicted == y))
