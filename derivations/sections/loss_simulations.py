r"""What the loss means: the tutorial's two simulations (LOSS-5, LOSS-6), with figures.

A two-class simulation with labels $[1,0]$, and a 5000-sample, 20-class one with random
labels: the loss is $\ln$ of the labelled share.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import Figure, axes, declarations
from derivations.evidence import close, holds
from derivations.numeric import U
from derivations.proof import Proof, doit_simplify, identity, positive, steps_of
from derivations.symbolic import ONE_HOT_LABEL, as_written, one_hot_steps
from derivations.symbols import assume

declare = declarations(__name__)

t = sp.Symbol("t", positive=True)  # the labelled share q_y

_TABLE = tuple(
    tuple(sp.Rational(v) for v in row) for row in (("0.2", "0.8"), ("0.7", "0.3"), ("0.9", "0.1"))
)


def _two_class():
    loss = as_written((1, 0), (sp.log(t), sp.log(1 - t)))  # label [1, 0], q = [t, 1 − t]
    slope = sp.diff(sp.log(t), t)
    steps = (
        *identity(loss, sp.log(t), label="1·ln q_1 + 0·ln q_2 = ln q_1").steps,
        *steps_of(
            *(
                identity(sp.Add(a, b, evaluate=False), 1, label=f"table row {a}, {b} sums to 1")
                for a, b in _TABLE
            )
        ),
        positive("d ln q_1 / d q_1 = 1/q_1 > 0", slope),
        *identity(
            sp.Limit(loss, t, 1, "-"),
            0,
            simplifier=doit_simplify,
            label="q_1 → 1⁻ (q_2 → 0): loss → 0",
        ).steps,
    )
    return Proof(steps, assumptions=assume(r"p = (1, 0)", r"q = (q_1, 1 - q_1)", r"0 < q_1 < 1"))


def _two_class_checks():
    q1 = np.linspace(0.0, 1.0, 102)[1:-1]  # 100 shares, 0 and 1 left out (ln 0)
    z = np.log(np.stack([q1, 1.0 - q1], axis=1))
    got = production.log_likelihood(z, np.zeros(100, dtype=int), reduction="none")
    with mpmath.workdps(30):
        want = [float(mpmath.log(mpmath.mpf(float(v)))) for v in q1]
        edge = float(mpmath.log(1 - mpmath.mpf(2) ** -30))
    rising = np.all(np.diff(got) > 0) and np.all(got < 0)
    near = float(production.log_likelihood(np.log([[1 - 2.0**-30, 2.0**-30]]), [0]))
    return [
        # Logits fl(ln q_1), fl(ln(1 − q_1)) and the renormalisation: a few u of the largest
        # |log| on the grid (ln 101 < 4.7): 16u · 4.7 < 75u.
        close("loss = ln q_1 on 100 shares", got, want, rtol=0, atol=75 * U, reference="mpmath"),
        holds("strictly increasing in q_1, negative", rising, f"{got[0]:.4f} to {got[-1]:.4f}"),
        close("q_1 = 1 − 2^−30: loss ≈ −2^−30", near, edge, rtol=16 * U, reference="mpmath"),
    ]


@axes
def _draw_two_class(ax):
    # LOSS-5: 100 random predicted shares (q_1, 1 − q_1), every label [1, 0].
    q1 = np.sort(np.random.default_rng(5).uniform(0.01, 0.99, 100))
    loss = production.log_likelihood(
        np.log(np.stack([q1, 1 - q1], axis=1)), [0] * 100, reduction="none"
    )
    ax.plot(q1, loss, "o", ms=3, label=r"$L = 1\cdot\ln q_1 + 0\cdot\ln q_2$, 100 samples")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(xlabel=r"predicted share $q_1$ of the labelled class", ylabel=r"loss $L=\sum p\ln q$")


declare(
    id="LOSS-5",
    title=r"Two classes, label $[1, 0]$: the loss $\ln q_1$ rises to 0 as $q_1 \to 1$",
    source=r"\text{当}q_1\text{接近1}q_2\text{接近0时，交叉熵的计算结果从负数方向接近0}",
    expect="holds",
    uses=(
        "ML-5",
        "SM-1",
    ),
    written=_two_class,
    numeric=_two_class_checks,
    note="The table's columns are headed p_1, p_2 but hold the predicted shares q_1, q_2 "
    "(p is the fixed label [1, 0]). The quantity plotted, called cross-entropy, is the "
    "loss L = Σ p ln q = ln q_1 (see ML-6 for the sign).",
    implementation=(production.log_likelihood,),
    figures=(
        Figure(
            "loss-two-classes",
            "The tutorial's first simulation: two classes, every label [1, 0], 100 random "
            "predictions. The loss is ln q_1, negative, rising to 0 as q_1 → 1 (LOSS-5).",
            _draw_two_class,
        ),
    ),
)


def _labelled_share():
    steps = (
        *one_hot_steps(),
        *identity(
            sp.Derivative(sp.log(t), t), 1 / t, simplifier=doit_simplify, label="d ln t / dt"
        ).steps,
        positive("1/t > 0: the loss rises with the share", 1 / t),
        *identity(
            sp.Limit(sp.log(t), t, 1, "-"),
            0,
            simplifier=doit_simplify,
            label="share → 1⁻: loss → 0",
        ).steps,
    )
    return Proof(steps, assumptions=assume(*ONE_HOT_LABEL, "t = q_y"))


def labelled_share_simulation(seed=43):
    """The tutorial's second simulation: 5000 samples, 20 class values drawn from the
    integers 0..9, a random label each. Returns logits, labels, labelled share, loss."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 10, (5000, 20)).astype(float)
    lab = rng.integers(0, 20, 5000)
    share = production.softmax(z)[np.arange(5000), lab]
    return z, lab, share, production.log_likelihood(z, lab, reduction="none")


def _simulation_checks():
    z, lab, share, loss = labelled_share_simulation()
    rows = np.arange(5000)
    order = np.argsort(share, kind="stable")
    top = np.exp(9.0) / (np.exp(9.0) + 19.0)  # one logit 9, nineteen 0: the largest share
    # Each loss is within 8u relative of the exact one (first check; the same algorithm on
    # every row), so rounding can make a larger share's loss smaller by at most 2 · 8u · |loss|.
    sorted_ok = np.all(np.diff(loss[order]) >= -16 * U * np.abs(loss[order][1:]))
    top_ok = loss[np.argmax(share)] == loss.max() and loss.max() <= np.log(top) + 8 * U
    mp_ref, np_ref = "mpmath log-softmax", "np.log of the production share"
    ref = reference.log_softmax(z[:500])[rows[:500], lab[:500]]
    return [
        close("loss at the label, 500 samples", loss[:500], ref, rtol=8 * U, reference=mp_ref),
        # The share is within 2u relative, so its log within 2u absolute, plus the rounding of
        # log and of the loss: 8u.
        close(
            "points on y = ln(share)",
            loss,
            np.log(share),
            rtol=8 * U,
            atol=8 * U,
            reference=np_ref,
        ),
        holds("sorting by share sorts the loss", sorted_ok, f"shares up to {share.max():.4f}"),
        holds("largest share: loss nearest 0, below ln(e^9/(e^9+19))", top_ok, f"{loss.max():.4f}"),
    ]


@axes
def _draw_labelled_share(ax):
    _z, _lab, share, loss = labelled_share_simulation()
    ax.plot(share, loss, ".", ms=2, alpha=0.5, rasterized=True, label="5000 samples, 20 classes")
    x = np.linspace(share.min(), 1, 200)
    ax.plot(x, np.log(x), color="C3", lw=0.8, zorder=3, label=r"$y = \ln x$")
    ax.set(xlabel=r"labelled share $q_y$ (softmax highest)", ylabel=r"loss $L = \ln q_y$")


declare(
    id="LOSS-6",
    title=r"5000 samples, 20 classes: the loss is $\ln$ of the labelled share",
    source=r"\text{当标记项概率越接近1，损失的计算结果越接近0}",
    expect="holds",
    uses=(
        "ML-5",
        "SM-1",
    ),
    written=_labelled_share,
    numeric=_simulation_checks,
    note="Each point of the figure is (q_y, ln q_y), so the cloud lies on the curve y = ln x, "
    "increasing to 0 at x = 1. The class values are read as integers 0–9 and the labels as "
    "0–19. With random labels a large labelled share is rare (the run reports the largest, "
    "and no share can pass e^9/(e^9 + 19)); the limit at 1 comes from the proof.",
    implementation=(production.softmax, production.log_likelihood),
    figures=(
        Figure(
            "loss-labelled-share",
            "The second simulation: 5000 samples, 20 classes, random labels. Every point lies "
            "on y = ln x, so the loss nears 0 only as the labelled share nears 1 (LOSS-6).",
            _draw_labelled_share,
        ),
    ),
)
