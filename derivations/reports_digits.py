"""The digits page: the tutorial's models and scikit-learn's fitted on real data in the build.

Unlike the Benchmarks page, nothing here is read from a file: the experiment of
`derivations.digits` runs in the build that shows it.
"""

from __future__ import annotations

from derivations import digits
from derivations.figures import for_page
from derivations.pages import figure_markup


def digits_page() -> str:
    Xtr, Xte, _, _ = digits.split()
    return "\n".join(
        [
            *_intro(len(Xtr), len(Xte)),
            "",
            *_table(),
            "",
            "The training curves of both solvers are on the "
            "[training loop](claims/training.md#figure-digits-curve) page.",
            "",
            *_figures("digits"),
        ]
    )


def _intro(n_train, n_test) -> list[str]:
    return [
        "# Real data: handwritten digits",
        "",
        "The tutorial promises a test on MNIST-like data. scikit-learn ships such a set, "
        f"8×8 images of digits, so nothing is downloaded: {n_train} training and "
        f"{n_test} test images, split 80/20 by class with `random_state=0`, pixels "
        "standardized with the training part's mean and scale. Every model minimises "
        "the same objective, the mean cross-entropy plus "
        r"$\frac{\alpha}{2}\lVert W\rVert^2$ with "
        f"$\\alpha = 1/O = {digits.alpha():.3g}$ "
        "(scikit-learn's default C = 1). Computed in this build:",
    ]


def _table() -> list[str]:
    """Each model's test accuracy, iterations and final objective."""
    table = ["| model | test accuracy | iterations | final objective |", "|---|---|---|---|"]
    for name, acc, its, f in _models():
        table.append(f"| {name} | {acc:.2%} | {its} | {f:.6f} |")
    return table


def _models():
    from sklearn.linear_model import LogisticRegression

    Xtr, Xte, ytr, yte = digits.split()
    runs = digits.experiment()
    peer = LogisticRegression(C=digits.C).fit(Xtr, ytr)
    return [
        (
            '`SoftmaxRegression(solver="lbfgs")`',
            runs["lbfgs"].score(Xte, yte),
            runs["lbfgs"].n_iter_,
            runs["lbfgs"].loss_curve_[-1],
        ),
        (
            '`SoftmaxRegression(solver="gd", step=0.5)`, the tutorial\'s loop',
            runs["gd"].score(Xte, yte),
            runs["gd"].n_iter_,
            runs["gd"].loss_curve_[-1],
        ),
        (
            "`sklearn.linear_model.LogisticRegression()`",
            peer.score(Xte, yte),
            int(peer.n_iter_.max()),
            _objective(peer, Xtr, ytr),
        ),
    ]


def _objective(fitted, X, y) -> float:
    """Our objective at scikit-learn's solution: the mean cross-entropy of its
    probabilities plus (α/2)‖coef‖², the intercept unpenalised, as in ours."""
    logq = fitted.predict_log_proba(X)[range(len(y)), y]
    return float(-logq.mean() + 0.5 * digits.alpha() * (fitted.coef_**2).sum())


def _figures(page: str) -> list[str]:
    return [line for fig in for_page(page) for line in figure_markup(fig, "")]
