r"""The docs site's figures, drawn from code at build time (never committed as images).

A claim owns its figures (`Claim.figures`), placed on its page; their data comes from the
same functions as the claim's numeric checks, so a figure cannot show a run that the
checks did not see. The digits page has figures of its own (`PAGES`). `render(name)`
returns SVG text (glyphs as paths, so the site needs no font); matplotlib is imported only
here, never by `softmax`.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

from derivations import digits
from derivations.claim import Figure
from derivations.registry import REGISTRY


def _confusion(fig):
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


#: Figures of pages that are not claim pages: page -> its figures.
PAGES = {
    "digits": (
        Figure(
            "digits-confusion",
            "Confusion matrix of the L-BFGS model on the test part of the split.",
            _confusion,
            size=(5.6, 4.4),
        ),
        Figure(
            "digits-misclassified",
            "Every misclassified test image: true → predicted digit (predicted probability).",
            _misclassified,
            size=(6.4, 3.4),
        ),
    ),
}

#: Every figure of the site by name: the claims' (in the registry's order), then the pages'.
FIGURES = {
    f.name: f
    for f in (
        *(f for claim in REGISTRY.values() for f in claim.figures),
        *(f for figures in PAGES.values() for f in figures),
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


def for_claim(claim_id: str) -> tuple[Figure, ...]:
    """The figures placed with claim `claim_id`: the ones it owns."""
    return REGISTRY[claim_id].figures


def for_page(page: str) -> tuple[Figure, ...]:
    return PAGES.get(page, ())
