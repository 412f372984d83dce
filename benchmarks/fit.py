"""`SoftmaxRegression(solver="lbfgs").fit` against scikit-learn's `LogisticRegression().fit`.

On scikit-learn's digits (1797 images, 64 features, 10 classes): an 80/20 split
stratified by class with ``random_state=0``, features standardised by a `StandardScaler`
fitted on the training part. Both estimators keep their defaults; both test accuracies
are reported, since a fit time is only comparable at equal accuracy.
"""

from __future__ import annotations

import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from benchmarks import timing
from softmax import SoftmaxRegression

#: Issue 5: at most scikit-learn's fit time.
TARGET = 1.0


def data():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def run(quick=False):
    X_train, X_test, y_train, y_test = data()
    ours = SoftmaxRegression(solver="lbfgs")
    peer = LogisticRegression()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        res = timing.compare(
            lambda: ours.fit(X_train, y_train),
            lambda: peer.fit(X_train, y_train),
            repeats=5 if quick else 15,
        )
    return {
        "dataset": "sklearn digits, 80/20 stratified split (random_state=0), StandardScaler",
        "ours": 'softmax.SoftmaxRegression(solver="lbfgs")',
        "peer": "sklearn.linear_model.LogisticRegression()",
        **res,
        "ours_accuracy": float(ours.score(X_test, y_test)),
        "peer_accuracy": float(peer.score(X_test, y_test)),
        "ours_iterations": _iterations(ours),
        "peer_iterations": int(peer.n_iter_.max()),
        "convergence_warnings": sorted({str(w.message).split("\n")[0] for w in caught}),
        "target": TARGET,
        "met": bool(res["ratio"] <= TARGET),
    }


def _iterations(model):
    n = getattr(model, "n_iter_", None)
    return None if n is None else int(n)
