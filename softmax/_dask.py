r"""`SoftmaxRegression` on Dask arrays: X stays on the workers, only W and the sums travel.

The mean loss and gradient are sums over samples divided by $O$ (`softmax.gradient`), so
for any partition of the rows into blocks of $O_b$ samples

$$L = \sum_b \frac{O_b}{O} L_b, \qquad \nabla = \sum_b \frac{O_b}{O} \nabla_b$$

(claim IMPL-18). Each iteration sends $W$ to the workers once, computes each block's sums
there with the production kernel (`softmax.gradient.loss_and_grad_sums`), adds them in a
tree of tasks on the workers, and brings back one scalar and one (M, N) array: the
pattern of dask-glm. Dask is imported here only when a Dask array is passed.
"""

from __future__ import annotations

import numpy as np

from softmax._estimator_input import _as_array
from softmax.gradient import loss_and_grad_sums


def is_dask(value) -> bool:
    """Whether `value` is a Dask collection (checked without importing dask)."""
    return type(value).__module__.partition(".")[0] == "dask" and hasattr(value, "dask")


def _check_X(X):
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes: call X.compute_chunk_sizes() first")
    if X.numblocks[1] != 1:
        raise ValueError(
            f"X must be chunked along its rows only, got {X.numblocks[1]} chunks along its "
            "columns: pass X.rechunk({1: -1})"
        )


def _check_y(X, y):
    import dask.array as da

    y = y if is_dask(y) else _as_array("y", y)
    # Checked before a NumPy y is split like X's rows, which fails on another length.
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be 1-d with one label per row of X ({X.shape[0]}), got {y.shape}")
    if not is_dask(y):
        y = da.from_array(y, chunks=(X.chunks[0],))
    if y.chunks[0] != X.chunks[0]:
        raise ValueError(
            f"y must be chunked like the rows of X: y has chunks {y.chunks[0]}, X has "
            f"{X.chunks[0]}; pass y.rechunk({X.chunks[0]})"
        )
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y must hold integer labels on a Dask array, got dtype {y.dtype}")
    return y


def labels(X, y):
    """The sorted classes (one pass, `da.unique`) and each sample's index, lazily."""
    import dask
    import dask.array as da

    _check_X(X)
    y = _check_y(X, y)
    checks = [da.unique(y), da.isfinite(X).all()]
    if y.dtype.kind == "f":
        checks.append((y != da.round(y)).any())
    classes, finite, *fractional = dask.compute(*checks)
    if not finite:
        raise ValueError("X may not contain NaN or inf")
    if fractional and (fractional[0] or not np.isfinite(classes).all()):
        raise ValueError("y must hold integer labels: it holds values that are not integers")
    if classes.size < 2:
        raise ValueError(f"y has only one class {classes.tolist()}: at least 2 are needed")
    index = y.map_blocks(lambda block: np.searchsorted(classes, block), dtype=np.intp)
    return classes, index


def _block(X, index, W, intercept):
    """One block's sums of the loss and the gradient, on the worker that holds it."""
    X = np.asarray(X, dtype=np.float64)
    if intercept:
        X = np.hstack([np.ones((X.shape[0], 1)), X])
    return loss_and_grad_sums(W, X, "index", index)


def _add(a, b):
    return a[0] + b[0], a[1] + b[1]


def data_term(X, index, intercept):
    """``term(W) -> (loss, grad)``: the mean loss and gradient over the Dask array `X`.

    X and the labels are persisted on the workers first (with a distributed client; in
    the local process otherwise), so no iteration recomputes them from their sources.
    """
    import dask

    held = dask.persist(X, index)  # held by `term`: their futures keep the data alive
    parts_X, parts_y = (part.to_delayed().ravel() for part in held)
    n = X.shape[0]

    def term(W, held=held):
        weights = dask.delayed(W)  # one task: each worker fetches W once
        parts = [
            dask.delayed(_block, pure=True)(x, y, weights, intercept)
            for x, y in zip(parts_X, parts_y, strict=True)
        ]
        while len(parts) > 1:  # a tree of additions on the workers
            pairs = [
                dask.delayed(_add)(a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)
            ]
            parts = pairs + parts[len(pairs) * 2 :]
        loss, grad = parts[0].compute()
        grad /= n
        return loss / n, grad

    return term


def logits(X, coef, intercept):
    r"""The logits $X W^\mathsf{T} + b$ of each block of `X`, lazily."""
    _check_X(X)

    def block(b):
        return np.asarray(b, dtype=np.float64) @ coef.T + intercept

    return X.map_blocks(block, dtype=np.float64, chunks=(X.chunks[0], (coef.shape[0],)))


def rowwise(func, z, **kwargs):
    """``func(z_block, **kwargs)`` on each block of rows of the lazy logits `z`."""
    return z.map_blocks(func, dtype=np.float64, **kwargs)


def accuracy(predicted, y):
    """The mean of ``predicted == y``, lazily (`y` a Dask or NumPy array)."""
    import dask.array as da

    y = y if is_dask(y) else _as_array("y", y)
    # Checked before a NumPy y is split like `predicted`, which fails on another shape.
    if y.shape != predicted.shape:
        raise ValueError(f"y must have shape {predicted.shape}, got {y.shape}")
    if not is_dask(y):
        y = da.from_array(y, chunks=predicted.chunks)
    return (predicted == y).mean()
