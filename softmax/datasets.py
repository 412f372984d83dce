r"""Data sets: the tutorial's random samples, and scikit-learn's digits (no download)."""

from __future__ import annotations

import numpy as np

from softmax._validate import check_positive_number

__all__ = ["load_digits", "random_data"]


def random_data(total, classes, features, feature_range=5.0, seed=None):
    r"""Random features and one-hot labels, as the tutorial's ``RandomData`` makes them.

    Checked by claims ML-2, MODEL-1, SUM-1.

    Parameters
    ----------
    total : int
        Number of samples $O$ (the tutorial trains on 500).
    classes : int
        Number of classes $M$ (the tutorial uses 20).
    features : int
        Number of features before the bias column (the tutorial uses 50).
    feature_range : float, optional
        Features are uniform on $[0, \text{feature\_range})$; the tutorial's default is 5.
    seed : int or numpy.random.Generator, optional
        Seed for reproducible data; the tutorial's code has none.

    Returns
    -------
    X : numpy.ndarray, shape (total, features + 1)
        Column 0 is the bias feature $x_0 = 1$ (claim MODEL-1).
    P : numpy.ndarray, shape (total, classes)
        One-hot label rows, the class drawn uniformly.

    Examples
    --------
    >>> from softmax.datasets import random_data
    >>> X, P = random_data(500, 20, 50, seed=0)
    >>> X.shape, P.shape
    ((500, 51), (500, 20))
    >>> bool((X[:, 0] == 1).all() and (P.sum(axis=1) == 1).all())
    True
    """
    total = check_positive_number("total", total, integer=True)
    classes = check_positive_number("classes", classes, integer=True)
    features = check_positive_number("features", features, integer=True)
    feature_range = check_positive_number("feature_range", feature_range)
    if (
        seed is not None and not isinstance(seed, (int, np.integer, np.random.Generator))
    ) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(
            f"seed must be None, an int or a numpy Generator, got {type(seed).__name__}"
        )
    if isinstance(seed, (int, np.integer)) and seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    rng = np.random.default_rng(seed)
    X = rng.random((total, features + 1)) * feature_range
    X[:, 0] = 1.0
    P = np.zeros((total, classes))
    P[np.arange(total), rng.integers(0, classes, size=total)] = 1.0
    return X, P


def load_digits():
    r"""scikit-learn's 8×8 handwritten digits, the MNIST-like set it ships (no download).

    Returns
    -------
    X : numpy.ndarray, shape (1797, 64)
        Pixel intensities 0–16, float64, without a bias column.
    y : numpy.ndarray, shape (1797,)
        Digit labels 0–9, int64.

    Notes
    -----
    Needs scikit-learn (the ``test`` extra); it raises `ImportError` naming the extra when
    scikit-learn is missing.

    Examples
    --------
    >>> from softmax.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, X.dtype.name, y.dtype.name, sorted(set(y.tolist())) == list(range(10))
    ((1797, 64), 'float64', 'int64', True)
    """
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "softmax.datasets.load_digits needs scikit-learn: pip install 'softmax-verified[test]'"
        ) from exc
    data = _sk_load_digits()
    return data.data.astype(np.float64), data.target.astype(np.int64)
