r"""The docs site's figures, drawn from code at build time (never committed as images).

Each figure illustrates registered claims and is placed on the page of the first one; its
data comes from the same functions as those claims' numeric checks, so a figure cannot
show a run that the checks did not see. `render(name)` returns SVG text (glyphs as paths,
so the site needs no font); matplotlib is imported only here, never by `softmax`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import softmax as production


@dataclass(frozen=True)
class Figure:
    name: str
    claims: tuple[str, ...]
    caption: str
    draw: Callable  # draw(fig) fills a matplotlib Figure
    page: str | None = None  # a page of its own (e.g. "digits"), else the first claim's
    size: tuple[float, float] = (6.4, 3.8)  # inches

    @property
    def path(self) -> str:
        return f"figures/{self.name}.svg"


def _axes(draw_on_axes):
    """A figure of one Axes, with a grid and a legend."""

    def draw(fig):
        ax = fig.add_subplot()
        draw_on_axes(ax)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize="small")

    return draw


@_axes
def _two_class(ax):
    # LOSS-5: 100 random predicted shares (q_1, 1 − q_1), every label [1, 0].
    q1 = np.sort(np.random.default_rng(5).uniform(0.01, 0.99, 100))
    loss = production.log_likelihood(
        np.log(np.stack([q1, 1 - q1], axis=1)), [0] * 100, reduction="none"
    )
    ax.plot(q1, loss, "o", ms=3, label=r"$L = 1\cdot\ln q_1 + 0\cdot\ln q_2$, 100 samples")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(xlabel=r"predicted share $q_1$ of the labelled class", ylabel=r"loss $L=\sum p\ln q$")


@_axes
def _labelled_share(ax):
    from derivations.sections.loss import labelled_share_simulation

    _z, _lab, share, loss = labelled_share_simulation()
    ax.plot(share, loss, ".", ms=2, alpha=0.5, rasterized=True, label="5000 samples, 20 classes")
    x = np.linspace(share.min(), 1, 200)
    ax.plot(x, np.log(x), color="C3", lw=0.8, zorder=3, label=r"$y = \ln x$")
    ax.set(xlabel=r"labelled share $q_y$ (softmax highest)", ylabel=r"loss $L = \ln q_y$")


@_axes
def _training(ax):
    from derivations.sections.training import max_likelihood, tutorial_run

    curve = tutorial_run()[2]
    ax.plot(np.arange(len(curve)), curve, lw=1.2, label="gd, step 0.1, 500 samples")
    ax.axhline(max_likelihood()[0], color="C3", ls="--", lw=1, label=r"$\max_W L$ (TRAIN-4)")
    ax.axvline(1000, color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="iteration", ylabel=r"loss $L = \frac{1}{O}\sum\sum p\ln q$")


@_axes
def _digits(ax):
    from derivations import digits

    _Xtr, Xte, _ytr, yte = digits.split()
    gd, lbfgs = digits.experiment()["gd"], digits.experiment()["lbfgs"]
    ax.plot(
        np.arange(1, gd.n_iter_ + 1),
        gd.loss_curve_,
        lw=1.2,
        label=f"gd, step 0.5: test accuracy {gd.score(Xte, yte):.2%}",
    )
    ax.plot(
        np.arange(1, lbfgs.n_iter_ + 1),
        lbfgs.loss_curve_,
        lw=1.2,
        label=f"L-BFGS: test accuracy {lbfgs.score(Xte, yte):.2%}",
    )
    ax.set_yscale("log")
    ax.set(xlabel="iteration", ylabel=r"objective $-L + \frac{\alpha}{2}\Vert W\Vert^2$ (training)")


def _confusion(fig):
    from derivations import digits

    counts = digits.confusion(digits.experiment()["lbfgs"])
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    for (t, p), n in np.ndenumerate(counts):
        if n:
            ax.text(
                p,
                t,
                str(n),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if n > counts.max() / 2 else "black",
            )
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit")
    fig.colorbar(image, ax=ax, label="test images")


def _misclassified(fig):
    from derivations import digits

    _Xtr, Xte, _ytr, yte = digits.split()
    fitted = digits.experiment()["lbfgs"]
    predicted, proba = fitted.predict(Xte), fitted.predict_proba(Xte)
    wrong = np.flatnonzero(predicted != yte)
    X_raw_test = digits.raw_split()[1]  # the same test images before standardizing
    cols = 6
    rows = max(1, -(-len(wrong) // cols))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, k in zip(axes.flat, wrong, strict=False):
        ax.imshow(X_raw_test[k].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"{yte[k]} → {predicted[k]} ({proba[k].max():.0%})", fontsize=8)


FIGURES = {
    f.name: f
    for f in (
        Figure(
            "loss-two-classes",
            ("LOSS-5",),
            "The tutorial's first simulation: two classes, every label [1, 0], 100 random "
            "predictions. The loss is ln q_1, negative, rising to 0 as q_1 → 1 (LOSS-5).",
            _two_class,
        ),
        Figure(
            "loss-labelled-share",
            ("LOSS-6",),
            "The second simulation: 5000 samples, 20 classes, random labels. Every point lies "
            "on y = ln x, so the loss nears 0 only as the labelled share nears 1 (LOSS-6).",
            _labelled_share,
        ),
        Figure(
            "training-curve",
            ("TRAIN-3", "TRAIN-4", "TRAIN-5"),
            "The tutorial's training run: 500 random samples, 20 classes, 50 features, 5000 "
            "iterations of step 0.1. L rises at every step (TRAIN-3), most in the first 1000 "
            "(TRAIN-5), towards max L < 0, not towards 0 (TRAIN-4).",
            _training,
        ),
        Figure(
            "digits-curve",
            ("TRAIN-3",),
            "Real data: scikit-learn's 8×8 digits (the training part of the 80/20 split, 64 "
            "features, 10 classes). The tutorial's gd loop against L-BFGS on the same objective "
            "(TRAIN-3: each gd step lowers the cross-entropy).",
            _digits,
        ),
        Figure(
            "digits-confusion",
            ("TRAIN-3",),
            "Confusion matrix of the L-BFGS model on the test part of the split.",
            _confusion,
            page="digits",
            size=(5.6, 4.4),
        ),
        Figure(
            "digits-misclassified",
            ("TRAIN-3",),
            "Every misclassified test image: true → predicted digit (predicted probability).",
            _misclassified,
            page="digits",
            size=(6.4, 3.4),
        ),
    )
}


def render(name: str) -> str:
    """SVG text of figure `name`, with axis labels, a legend and no timestamp."""
    return svg(FIGURES[name].draw, FIGURES[name].size, name)


def svg(draw: Callable, size: tuple[float, float], salt: str) -> str:
    """SVG text of a matplotlib Figure filled by ``draw(fig)``: glyphs as paths, no date."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=size, layout="constrained")
    draw(fig)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def for_claim(claim_id: str) -> list[Figure]:
    """The figures placed with claim `claim_id` (each on the page of its first claim)."""
    return [f for f in FIGURES.values() if f.page is None and f.claims[0] == claim_id]


def for_page(page: str) -> list[Figure]:
    return [f for f in FIGURES.values() if f.page == page]
