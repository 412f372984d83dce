"""Argument checks shared by every public function.

Each check raises `TypeError` (wrong kind of object) or `ValueError` (right kind, wrong
value or shape) with a message that names the argument and says what was expected, so no
other exception type escapes the public API.
"""

from __future__ import annotations

import operator
import os

import numpy as np

#: Floating dtypes that are computed and returned as they are.
KEPT_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
KEPT_COMPLEX = (np.dtype(np.complex64), np.dtype(np.complex128))


def as_number_array(name, value):
    """`value` as a float32/float64/complex64/complex128 array (`as_float_array`'s rules)."""
    return as_float_array(name, value, complex_ok=True)


def as_float_array(name, value, *, ndim=None, complex_ok=False):
    """Return `value` as a float32/float64 array; integers and bools become float64.

    With `complex_ok`, complex64 and complex128 are kept too.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists, unconvertible objects
        raise TypeError(f"{name} must be a rectangular array of real numbers: {exc}") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    elif arr.dtype not in KEPT_FLOATS and not (complex_ok and arr.dtype in KEPT_COMPLEX):
        raise TypeError(
            f"{name} must hold real numbers (float32, float64, integer or bool)"
            f"{' or complex numbers' if complex_ok else ''}, got dtype {arr.dtype}"
        )
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    return arr


def check_workers(name, workers):
    """Return the number of threads `workers` asks for (scipy.fft's convention).

    None means 1; a negative value counts back from the number of CPUs (-1: all of them).
    """
    if workers is None:
        return 1
    try:
        if isinstance(workers, (bool, np.bool_)):
            raise TypeError
        workers = operator.index(workers)
    except TypeError:
        raise TypeError(
            f"{name} must be an integer or None, got {type(workers).__name__}"
        ) from None
    cpus = os.cpu_count() or 1
    count = workers if workers > 0 else cpus + 1 + workers
    if workers == 0 or count < 1:
        raise ValueError(
            f"{name} must be a positive count or -1 .. -{cpus} (counting back from the "
            f"{cpus} CPUs), got {workers}"
        )
    return count


def check_finite(name, arr):
    """Reject NaN and ±inf, naming the first offending position."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be finite, found {arr[where].item()!r} at index {where}")


def check_nonempty(name, arr):
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")


def check_positive_number(name, value, *, integer=False):
    """A finite number > 0 (an int when `integer`); bools are refused."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kinds):
        expected = "a positive integer" if integer else "a positive finite number"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        expected = "a positive integer" if integer else "a positive finite number"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def check_labels(name, labels, n_samples, n_classes):
    """Validate class labels against `n_samples` rows and `n_classes` columns.

    Returns ``("index", y)`` with an int64 vector of class indices, or ``("proba", P)``
    with a float array of probability rows (non-negative, each summing to 1 within
    $\\sqrt{\\varepsilon}$ of its dtype).
    """
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"{name} must be an array, got {type(labels).__name__}")
    try:
        arr = np.asarray(labels)
    except (ValueError, TypeError) as exc:  # ragged nested lists, unconvertible objects
        raise TypeError(f"{name} must be a rectangular array: {exc}") from None
    if arr.ndim == 1:
        if arr.dtype.kind not in "iu":
            raise TypeError(
                f"{name} as a vector must hold integer class indices, got dtype {arr.dtype}"
            )
        if arr.shape[0] != n_samples:
            raise ValueError(
                f"{name} must have {n_samples} entries (one per row), got {arr.shape[0]}"
            )
        if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
            raise ValueError(
                f"{name} must be class indices in [0, {n_classes - 1}], "
                f"got values in [{arr.min()}, {arr.max()}]"
            )
        return "index", arr.astype(np.int64, copy=False)
    if arr.ndim == 2:
        arr = as_float_array(name, arr)
        if arr.shape != (n_samples, n_classes):
            raise ValueError(
                f"{name} as probability rows must have shape ({n_samples}, {n_classes}), "
                f"got {arr.shape}"
            )
        check_finite(name, arr)
        if (arr < 0).any():
            raise ValueError(f"{name} must be non-negative probabilities, found {arr.min()!r}")
        tol = np.sqrt(np.finfo(arr.dtype).eps)
        sums = arr.sum(axis=1)
        off = np.abs(sums - 1) > tol
        if off.any():
            row = int(np.argmax(off))
            total = float(sums[row])  # a Python float: NumPy 2 reprs np.float64(…)
            raise ValueError(
                f"{name} rows must sum to 1 (within {tol:.1e}), row {row} sums to {total!r}"
            )
        return "proba", arr
    raise ValueError(
        f"{name} must be a vector of class indices (O,) or probability rows (O, M), "
        f"got shape {arr.shape}"
    )
