r"""What the loss means: three worked values and two simulations.

Tutorial: the loss $\sum_i p_i \ln q_i$ of a one-hot label, evaluated for $[0.2,0.6,0.2]$,
$[0.1,0.8,0.1]$ and $[0.05,0.9,0.05]$; "the loss approaches 0 from below"; a two-class
simulation with labels $[1,0]$ and a 5000-sample, 20-class one.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.evidence import close, differs, holds
from derivations.proof import Proof, chain, identity, positive, rounded, simplify
from derivations.registry import register
from derivations.symbols import M, assume, i

Q = sp.IndexedBase("q", positive=True)
y = sp.Symbol("y", integer=True, positive=True)  # the labelled class
t, u, c = sp.symbols("t u c", positive=True)
a = sp.Symbol("a", real=True)
_U = 2.0**-53
_rng = np.random.default_rng
_KW = dict(section="loss", implementation=("softmax.log_likelihood",))
_LABEL = (r"p_i = \delta_{iy}", r"1 \le y \le M")
_ONE_HOT = ("Σ_i δ_iy ln q_i", sp.Sum(sp.KroneckerDelta(i, y) * sp.log(Q[i]), (i, 1, M)))


def _doit(expr):
    """Evaluate limits (kept unevaluated in the statement, so it shows), then simplify."""
    return simplify(expr.doit())


def _as_written(ps, logs):
    """Σ p_i ln q_i with its zero terms kept, as the text writes it."""
    return sp.Add(
        *(sp.Mul(pv, lg, evaluate=False) for pv, lg in zip(ps, logs, strict=True)), evaluate=False
    )


def _steps(*proofs):
    return tuple(s for pr in proofs for s in pr.steps)


def _one_hot_sum(expr):
    """Simplify with p_i = δ_iy and 1 ≤ y ≤ M: evaluate the sum over classes."""
    return simplify(sp.refine(expr.doit(), sp.Q.le(y, M)))


def _one_hot_steps():
    return chain([_ONE_HOT, ("ln q_y", sp.log(Q[y]))], simplifier=_one_hot_sum).steps


def _example(shares, stated):
    """Loss of the one-hot label [0, 1, 0] for `shares`, and its printed value."""

    def build():
        q = [sp.Rational(str(v)) for v in shares]  # the printed decimals, exactly
        loss = _as_written((0, 1, 0), [sp.log(v, evaluate=False) for v in q])
        label = "0·ln q_1 + 1·ln q_2 + 0·ln q_3 = ln q_2"
        return Proof(_steps(identity(loss, sp.log(q[1]), label=label),
                            rounded("to 2 places", sp.log(q[1]), stated, 2)))  # fmt: skip

    return build


def _example_checks(shares, stated, correct=None):
    def run():
        z = np.log([shares])
        got = float(production.log_likelihood(z, [1]))
        with mpmath.workdps(30):
            want = float(mpmath.log(mpmath.mpf(str(shares[1]))))
        row = float(production.log_likelihood(z, [[0.0, 1.0, 0.0]]))
        out = [
            # fl(ln q_i) logits renormalised by the softmax: a few u of the largest |ln q| < 3.
            close("label 2: ln q_2", got, want, rtol=0, atol=48 * _U, reference="mpmath"),
            close("one-hot row [0, 1, 0] gives the same", row, got, rtol=0, atol=0),
        ]
        if correct is None:
            return [*out, holds("printed to 2 places", round(got, 2) == stated, f"{got:.6f}")]
        return [
            *out,
            differs("printed value", got, stated, atol=0.005, reference="2-place rounding"),
            close("corrected value", round(got, 2), correct, rtol=0),
        ]

    return run


register(
    id="LOSS-1",
    title="Sample A, predicted [0.2, 0.6, 0.2]: loss ln 0.6 ≈ −0.51",
    source=r"0×\ln 0.2+1×\ln 0.6 + 0 × \ln 0.2 = \ln 0.6 \approx -0.51",
    expect="holds",
    written=_example((0.2, 0.6, 0.2), -0.51),
    numeric=_example_checks((0.2, 0.6, 0.2), -0.51),
    **_KW,
)
register(
    id="LOSS-2",
    title="Predicted [0.1, 0.8, 0.1]: loss ln 0.8 ≈ −0.22",
    source=r"\ln 0.8 \approx -0.22",
    expect="holds",
    written=_example((0.1, 0.8, 0.1), -0.22),
    numeric=_example_checks((0.1, 0.8, 0.1), -0.22),
    **_KW,
)
register(
    id="LOSS-3",
    title="Predicted [0.05, 0.9, 0.05]: loss ≈ −0.10",
    source=r"\approx -0.10",
    expect="false-as-written",
    title_zh="预测为 [0.05, 0.9, 0.05] 时损失约为 −0.10",
    erratum_zh=(
        "一个小的舍入错误：ln 0.9 = −0.1054，保留两位小数应为 −0.11，−0.10 是截断的结果。"
        "“损失向 0 上升”的结论不受影响。"
    ),
    written=_example((0.05, 0.9, 0.05), -0.10),
    corrected=_example((0.05, 0.9, 0.05), -0.11),
    correction=r"\ln 0.9 \approx -0.11",
    numeric=_example_checks((0.05, 0.9, 0.05), -0.10, correct=-0.11),
    note="A small rounding slip: to two places ln 0.9 rounds to −0.11; −0.10 is its "
    "truncation. The point made, that the loss rises towards 0, is unaffected.",
    **_KW,
)


def _approach():
    share = sp.exp(a) / (sp.exp(a) + c)  # q_y = e^{g_y} / (e^{g_y} + c), c = Σ_{k≠y} e^{g_k}
    below, low = -sp.log(1 + c * sp.exp(-a)), sp.log(1 / (1 + u))
    steps = (
        *_one_hot_steps(),
        *identity(sp.log(share), below, label="ln q_y = −ln(1 + c e^{−g_y})").steps,
        positive("every loss is negative: −ln q_y > 0", -below),
        positive("it rises with g_y: d ln q_y / d g_y > 0", sp.diff(below, a)),
        *identity(sp.Limit(below, a, sp.oo), 0, simplifier=_doit, label="g_y → ∞: loss → 0").steps,
        positive("for any share t < 1: −ln t > 0", -low),
        *identity(
            sp.Limit(sp.log(t), t, 1, "-"), 0, simplifier=_doit, label="t → 1⁻: ln t → 0"
        ).steps,
    )
    return Proof(
        steps,
        assumptions=assume(*_LABEL, r"c = \sum_{k \ne y} e^{g_k} > 0\ (M \ge 2)", "t = 1/(1+u)"),
    )


def _approach_checks():
    gaps = np.linspace(0.0, 700.0, 71)
    z = np.zeros((71, 5))
    z[:, 0] = gaps
    got = production.log_likelihood(z, np.zeros(71, dtype=int), reduction="none")
    rand = _rng(41).normal(0, 3, (1000, 5))
    some = production.log_likelihood(rand, _rng(42).integers(0, 5, 1000), reduction="none")
    want, rising = reference.log_softmax(z)[:, 0], np.all(got < 0) and np.all(np.diff(got) > 0)
    return [
        close("label logit 0..700 above the rest", got, want, rtol=8 * _U, reference="mpmath"),
        holds("strictly negative, strictly increasing", rising, f"last {float(got[-1]):.3g}"),
        holds("negative on 1000 random samples", np.all(some < 0), f"max {float(some.max()):.3g}"),
    ]


register(
    id="LOSS-4",
    title="The loss is negative and approaches 0 as the label's share approaches 1",
    source=r"\text{损失函数是从负数无限接近0}",
    expect="holds",
    written=_approach,
    numeric=_approach_checks,
    note="For a one-hot label the loss is ln q_y: below 0 for every share q_y < 1, and 0 only "
    "for q_y = 1, i.e. q = p; a softmax with two or more classes and finite logits never "
    "reaches it, so 0 is approached, as the text says. This is the loss L = Σ p ln q; the "
    "cross-entropy H = −L approaches 0 from above (see ML-6).",
    **_KW,
)

_TABLE = tuple(
    tuple(sp.Rational(v) for v in row) for row in (("0.2", "0.8"), ("0.7", "0.3"), ("0.9", "0.1"))
)


def _two_class():
    loss = _as_written((1, 0), (sp.log(t), sp.log(1 - t)))  # label [1, 0], q = [t, 1 − t]
    slope = sp.diff(sp.log(t), t)
    steps = (
        *identity(loss, sp.log(t), label="1·ln q_1 + 0·ln q_2 = ln q_1").steps,
        *_steps(
            *(
                identity(sp.Add(a, b, evaluate=False), 1, label=f"table row {a}, {b} sums to 1")
                for a, b in _TABLE
            )
        ),
        positive("d ln q_1 / d q_1 = 1/q_1 > 0", slope),
        *identity(
            sp.Limit(loss, t, 1, "-"), 0, simplifier=_doit, label="q_1 → 1⁻ (q_2 → 0): loss → 0"
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
        close("loss = ln q_1 on 100 shares", got, want, rtol=0, atol=75 * _U, reference="mpmath"),
        holds("strictly increasing in q_1, negative", rising, f"{got[0]:.4f} to {got[-1]:.4f}"),
        close("q_1 = 1 − 2^−30: loss ≈ −2^−30", near, edge, rtol=16 * _U, reference="mpmath"),
    ]


register(
    id="LOSS-5",
    title="Two classes, label [1, 0]: the loss ln q_1 rises to 0 as q_1 → 1",
    source=r"\text{当}q_1\text{接近1}q_2\text{接近0时，交叉熵的计算结果从负数方向接近0}",
    expect="holds",
    written=_two_class,
    numeric=_two_class_checks,
    note="The table's columns are headed p_1, p_2 but hold the predicted shares q_1, q_2 "
    "(p is the fixed label [1, 0]). The quantity plotted, called cross-entropy, is the "
    "loss L = Σ p ln q = ln q_1 (see ML-6 for the sign).",
    **_KW,
)


def _labelled_share():
    steps = (
        *_one_hot_steps(),
        *identity(sp.Derivative(sp.log(t), t), 1 / t, simplifier=_doit, label="d ln t / dt").steps,
        positive("1/t > 0: the loss rises with the share", 1 / t),
        *identity(
            sp.Limit(sp.log(t), t, 1, "-"), 0, simplifier=_doit, label="share → 1⁻: loss → 0"
        ).steps,
    )
    return Proof(steps, assumptions=assume(*_LABEL, "t = q_y"))


def labelled_share_simulation(seed=43):
    """The tutorial's second simulation: 5000 samples, 20 class values drawn from the
    integers 0..9, a random label each. Returns logits, labels, labelled share, loss."""
    rng = _rng(seed)
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
    sorted_ok = np.all(np.diff(loss[order]) >= -16 * _U * np.abs(loss[order][1:]))
    top_ok = loss[np.argmax(share)] == loss.max() and loss.max() <= np.log(top) + 8 * _U
    mp_ref, np_ref = "mpmath log-softmax", "np.log of the production share"
    ref = reference.log_softmax(z[:500])[rows[:500], lab[:500]]
    return [
        close("loss at the label, 500 samples", loss[:500], ref, rtol=8 * _U, reference=mp_ref),
        # The share is within 2u relative, so its log within 2u absolute, plus the rounding of
        # log and of the loss: 8u.
        close(
            "points on y = ln(share)",
            loss,
            np.log(share),
            rtol=8 * _U,
            atol=8 * _U,
            reference=np_ref,
        ),
        holds("sorting by share sorts the loss", sorted_ok, f"shares up to {share.max():.4f}"),
        holds("largest share: loss nearest 0, below ln(e^9/(e^9+19))", top_ok, f"{loss.max():.4f}"),
    ]


register(
    id="LOSS-6",
    title="5000 samples, 20 classes: the loss is ln of the labelled share",
    source=r"\text{当标记项概率越接近1，损失的计算结果越接近0}",
    expect="holds",
    written=_labelled_share,
    numeric=_simulation_checks,
    note="Each point of the figure is (q_y, ln q_y), so the cloud lies on the curve y = ln x, "
    "increasing to 0 at x = 1. The class values are read as integers 0–9 and the labels as "
    "0–19. With random labels a large labelled share is rare (the run reports the largest, "
    "and no share can pass e^9/(e^9 + 19)); the limit at 1 comes from the proof.",
    **(_KW | {"implementation": ("softmax.softmax", "softmax.log_likelihood")}),
)
