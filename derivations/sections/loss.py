r"""What the loss means: three worked values (LOSS-1 to LOSS-4).

Tutorial: the loss $\sum_i p_i \ln q_i$ of a one-hot label, evaluated for $[0.2,0.6,0.2]$,
$[0.1,0.8,0.1]$ and $[0.05,0.9,0.05]$, and "the loss approaches 0 from below".
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import close, differs, holds
from derivations.numeric import U
from derivations.proof import Proof, doit_simplify, identity, positive, rounded, steps_of
from derivations.symbolic import ONE_HOT_LABEL, as_written, one_hot_steps
from derivations.symbols import assume

declare = declarations(__name__)

t, u, c = sp.symbols("t u c", positive=True)
a = sp.Symbol("a", real=True)


def _example(shares, stated):
    """Loss of the one-hot label [0, 1, 0] for `shares`, and its printed value."""

    def build():
        q = [sp.Rational(str(v)) for v in shares]  # the printed decimals, exactly
        loss = as_written((0, 1, 0), [sp.log(v, evaluate=False) for v in q])
        label = "0·ln q_1 + 1·ln q_2 + 0·ln q_3 = ln q_2"
        return Proof(steps_of(identity(loss, sp.log(q[1]), label=label),
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
            close("label 2: ln q_2", got, want, rtol=0, atol=48 * U, reference="mpmath"),
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


declare(
    id="LOSS-1",
    title=r"Sample A, predicted $[0.2, 0.6, 0.2]$: loss $\ln 0.6 \approx -0.51$",
    source=r"0×\ln 0.2+1×\ln 0.6 + 0 × \ln 0.2 = \ln 0.6 \approx -0.51",
    expect="holds",
    uses=("ML-5",),
    written=_example((0.2, 0.6, 0.2), -0.51),
    numeric=_example_checks((0.2, 0.6, 0.2), -0.51),
    implementation=(production.log_likelihood,),
)
declare(
    id="LOSS-2",
    title=r"Predicted $[0.1, 0.8, 0.1]$: loss $\ln 0.8 \approx -0.22$",
    source=r"\ln 0.8 \approx -0.22",
    expect="holds",
    uses=("ML-5",),
    written=_example((0.1, 0.8, 0.1), -0.22),
    numeric=_example_checks((0.1, 0.8, 0.1), -0.22),
    implementation=(production.log_likelihood,),
)
declare(
    id="LOSS-3",
    title=r"Predicted $[0.05, 0.9, 0.05]$: loss $\approx -0.10$",
    source=r"\approx -0.10",
    expect="false-as-written",
    uses=("ML-5",),
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
    implementation=(production.log_likelihood,),
)


def _approach():
    share = sp.exp(a) / (sp.exp(a) + c)  # q_y = e^{g_y} / (e^{g_y} + c), c = Σ_{k≠y} e^{g_k}
    below, low = -sp.log(1 + c * sp.exp(-a)), sp.log(1 / (1 + u))
    steps = (
        *one_hot_steps(),
        *identity(sp.log(share), below, label="ln q_y = −ln(1 + c e^{−g_y})").steps,
        positive("every loss is negative: −ln q_y > 0", -below),
        positive("it rises with g_y: d ln q_y / d g_y > 0", sp.diff(below, a)),
        *identity(
            sp.Limit(below, a, sp.oo), 0, simplifier=doit_simplify, label="g_y → ∞: loss → 0"
        ).steps,
        positive("for any share t < 1: −ln t > 0", -low),
        *identity(
            sp.Limit(sp.log(t), t, 1, "-"), 0, simplifier=doit_simplify, label="t → 1⁻: ln t → 0"
        ).steps,
    )
    return Proof(
        steps,
        assumptions=assume(
            *ONE_HOT_LABEL, r"c = \sum_{k \ne y} e^{g_k} > 0\ (M \ge 2)", "t = 1/(1+u)"
        ),
    )


def _approach_checks():
    gaps = np.linspace(0.0, 700.0, 71)
    z = np.zeros((71, 5))
    z[:, 0] = gaps
    got = production.log_likelihood(z, np.zeros(71, dtype=int), reduction="none")
    rand = np.random.default_rng(41).normal(0, 3, (1000, 5))
    some = production.log_likelihood(
        rand, np.random.default_rng(42).integers(0, 5, 1000), reduction="none"
    )
    want, rising = reference.log_softmax(z)[:, 0], np.all(got < 0) and np.all(np.diff(got) > 0)
    return [
        close("label logit 0..700 above the rest", got, want, rtol=8 * U, reference="mpmath"),
        holds("strictly negative, strictly increasing", rising, f"last {float(got[-1]):.3g}"),
        holds("negative on 1000 random samples", np.all(some < 0), f"max {float(some.max()):.3g}"),
    ]


declare(
    id="LOSS-4",
    title="The loss is negative and approaches 0 as the label's share approaches 1",
    source=r"\text{损失函数是从负数无限接近0}",
    expect="holds",
    uses=("ML-5",),
    written=_approach,
    numeric=_approach_checks,
    note="For a one-hot label the loss is ln q_y: below 0 for every share q_y < 1, and 0 only "
    "for q_y = 1, i.e. q = p; a softmax with two or more classes and finite logits never "
    "reaches it, so 0 is approached, as the text says. This is the loss L = Σ p ln q; the "
    "cross-entropy H = −L approaches 0 from above (see ML-6).",
    implementation=(production.log_likelihood,),
)
