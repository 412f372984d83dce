r"""Input checks and error types of `SoftmaxRegression`, in scikit-learn's conventions.

scikit-learn's estimator checks expect its own error and warning classes and certain
messages; `_flavour` meets them without importing scikit-learn (see its docstring).
"""

from __future__ import annotations

import numbers
import sys
import warnings

import numpy as np
import scipy.sparse

from softmax._validate import as_float_array, check_finite

__all__ = ["DataConversionWarning", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    r"""A method that needs a fitted model was called before `fit` or `load`.

    Examples
    --------
    >>> from softmax.model import NotFittedError, SoftmaxRegression
    >>> try:
    ...     SoftmaxRegression().predict([[1.0]])
    ... except NotFittedError as exc:
    ...     print(type(exc).__name__, isinstance(exc, (ValueError, AttributeError)))
    NotFittedError True
    """

    def __reduce__(self):  # unpickles as this class, whichever flavour was raised
        return NotFittedError, self.args


class DataConversionWarning(UserWarning):
    r"""Labels `y` of shape (O, 1) were flattened to (O,).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from softmax import SoftmaxRegression
    >>> from softmax.model import DataConversionWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = SoftmaxRegression().fit([[0.0], [1.0]], np.array([[0], [1]]))
    >>> [issubclass(w.category, DataConversionWarning) for w in caught]
    [True]
    >>> model.classes_.tolist()
    [0, 1]
    """


_FLAVOURS = {}


def _flavour(cls):
    """`cls`, or once scikit-learn is loaded a subclass of it and sklearn's namesake.

    scikit-learn's checks catch only their own `NotFittedError` and `DataConversionWarning`.
    `sys.modules` is looked in, nothing is imported: while `sklearn.exceptions` is not
    loaded no code can hold its classes, so `cls` alone meets every handler there is.
    """
    base = getattr(sys.modules.get("sklearn.exceptions"), cls.__name__, None)
    if base is not None and _FLAVOURS.get(cls, (None,))[0] is not base:
        _FLAVOURS[cls] = base, type(cls.__name__, (cls, base), {"__module__": __name__})
    return cls if base is None else _FLAVOURS[cls][1]


def _outside_the_package(frame):
    """The `stacklevel`, for a warning issued in `frame`, of the first frame outside this
    package: the warning names the user's line (`fit(X, y)`), however many of the package's
    frames lie between."""
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("softmax."):
        frame, level = frame.f_back, level + 1
    return level


def _non_negative(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number >= 0, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _as_array(name, value):
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a rectangular array: {exc}") from None


def _check_X(X):
    """Dense, 2-d, non-empty, finite features as float64."""
    if scipy.sparse.issparse(X):
        raise TypeError("X is a sparse matrix, which is not supported: pass X.toarray()")
    arr = None if X is None else _as_array("X", X)
    if arr is not None and arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: X has dtype {arr.dtype}")
    if arr is not None and arr.dtype == object:
        try:  # an object array of numbers is numeric data
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"X must hold real numbers: {exc}") from None
    arr = as_float_array("X", arr)
    if arr.ndim != 2:
        raise ValueError(
            f"X must be 2-dimensional (n_samples, n_features), got shape {arr.shape}. Reshape "
            "your data: X.reshape(-1, 1) for one feature, X.reshape(1, -1) for one sample"
        )
    for size, what in zip(arr.shape, ("sample(s)", "feature(s)"), strict=True):
        if size == 0:
            raise ValueError(
                f"X has 0 {what} (shape={arr.shape}) while a minimum of 1 is required."
            )
    try:
        check_finite("X", arr)
    except ValueError as exc:
        raise ValueError(f"{exc}: X may not contain NaN or inf") from None
    return arr.astype(np.float64, copy=False)


def _check_y(y, n_samples):
    """Return the sorted unique labels and each sample's index into them."""
    if y is None:
        raise ValueError("SoftmaxRegression requires y to be passed, but the target y is None")
    if scipy.sparse.issparse(y):
        raise TypeError("y is a sparse matrix, which is not supported: pass a 1-d array")
    arr = _as_array("y", y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        msg = "A column-vector y was passed when a 1d array was expected: y was flattened"
        level = _outside_the_package(sys._getframe())
        warnings.warn(_flavour(DataConversionWarning)(msg), stacklevel=level)
        arr = arr.ravel()
    if arr.ndim != 1 or arr.shape[0] != n_samples:
        raise ValueError(
            f"y must be 1-d with one label per row of X ({n_samples}), got {arr.shape}"
        )
    if arr.dtype == object and all(isinstance(v, str) for v in arr.tolist()):
        arr = arr.astype(str)
    if arr.dtype.kind == "f":
        check_finite("y", arr)
        if (arr != np.round(arr)).any():
            raise ValueError("Unknown label type: y holds continuous values, not class labels")
    elif arr.dtype.kind not in "biuUS":
        raise ValueError(f"Unknown label type: y of dtype {arr.dtype}; use numbers or strings")
    classes, index = np.unique(arr, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"y has only one class {classes.tolist()}: at least 2 are needed")
    return classes, index
