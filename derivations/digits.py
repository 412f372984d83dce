"""The real-data experiment: scikit-learn's 8×8 digits, the MNIST-like set it ships.

One split for every view of it (the figures, the digits docs page, the fit benchmark): 80/20
stratified by class with ``random_state=0``, features standardized by a `StandardScaler`
fitted on the training part. The objective is scikit-learn's default for
`LogisticRegression` (C = 1) written per sample: the mean cross-entropy plus
$(\\alpha/2)\\lVert W\\rVert^2$ with $\\alpha = 1/(C\\,O)$, $O$ the number of training samples
(tests/test_model.py derives the conversion).
"""

from __future__ import annotations

import functools

import numpy as np

import softmax as production

C = 1.0


@functools.cache
def raw_split():
    """``(X_train, X_test, y_train, y_test)`` with pixel values 0–16; needs scikit-learn."""
    from sklearn.model_selection import train_test_split

    X, y = production.datasets.load_digits()
    return tuple(train_test_split(X, y, test_size=0.2, stratify=y, random_state=0))


@functools.cache
def split():
    """The same split, features standardized with the training part's mean and scale."""
    from sklearn.preprocessing import StandardScaler

    Xtr, Xte, ytr, yte = raw_split()
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


def alpha() -> float:
    """The L2 weight that makes our objective scikit-learn's with C = 1."""
    return 1.0 / (C * len(split()[0]))


def model(solver, **params):
    """An unfitted `SoftmaxRegression` with the matched penalty."""
    return production.SoftmaxRegression(solver=solver, alpha=alpha(), **params)


@functools.cache
def experiment():
    """Both solvers fitted from W = 0: gd as the tutorial runs it (step 0.5, 300
    iterations), and L-BFGS to convergence."""
    Xtr, _Xte, ytr, _yte = split()
    return {
        "gd": model("gd", step=0.5, max_iter=300, tol=0).fit(Xtr, ytr),
        "lbfgs": model("lbfgs").fit(Xtr, ytr),
    }


def confusion(fitted) -> np.ndarray:
    """Counts ``[true digit, predicted digit]`` on the test part."""
    _Xtr, Xte, _ytr, yte = split()
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (yte, fitted.predict(Xte)), 1)
    return counts
