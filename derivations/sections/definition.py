r"""The softmax definition, its worked example and its three "basic properties".

Tutorial: $P(S_i)=\frac{e^{g_i}}{\sum_k^ne^{g_k}}$, the example $A=5, B=1, C=-1$, and the
properties "normalisation", "amplification" and "independence" (归一化, 放大效果, 散列性质).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import close, differs, holds
from derivations.numeric import U
from derivations.proof import Proof, for_sizes, identity, positive, rounded, step
from derivations.symbols import assume, g, i, j, k, softmax_vec, vector

declare = declarations(__name__)

n = sp.Symbol("n", integer=True, positive=True)
_DEN = sp.Sum(sp.exp(g[k]), (k, 1, n))
_EXAMPLE = (5, 1, -1)
_rng = np.random.default_rng


def _q_general(index):
    return sp.exp(g[index]) / _DEN


declare(
    id="SM-1",
    title="Softmax is a probability distribution",
    source=r"P(S_i)=\frac{e^{g_i}}{\sum_k^ne^{g_k}}",
    expect="holds",
    uses=(),
    written=lambda: identity(
        sp.Sum(_q_general(i), (i, 1, n)), 1, assumptions=assume(n, "g_k \\in \\mathbb{R}")
    ),
    numeric=lambda: [
        close(
            "softmax matches the definition on N(0,3) logits",
            production.softmax(z := _rng(1).normal(0, 3, (50, 7))),
            reference.softmax(z),
            rtol=8e-16,
            reference="mpmath, 60 digits",
        ),
        close(
            "every row sums to 1",
            production.softmax(_rng(2).normal(0, 30, (200, 13))).sum(axis=1),
            np.ones(200),
            rtol=0,
            atol=13 * U * 4,
            reference="1, within 4·M·u",
        ),
    ],
    implementation=(production.softmax,),
)


def _example_written():
    e = sp.E
    written = [sp.exp(5) / (sp.exp(5) + e + sp.exp(-1)), e / (sp.exp(5) + e + sp.exp(-1))]
    written.append(sp.exp(-1) / (sp.exp(5) + e + sp.exp(-1)))
    q = softmax_vec(list(_EXAMPLE))
    return Proof(
        tuple(step(f"P({name})", w, qq) for name, w, qq in zip("ABC", written, q, strict=True))
    )


declare(
    id="SM-2",
    title=r"Worked example: the three ratios for $A=5$, $B=1$, $C=-1$",
    source=r"P(A)=\frac{e^5}{e^5+e+e^{-1}},\ P(B)=\frac{e}{e^5+e+e^{-1}},\ "
    r"P(C)=\frac{e^{-1}}{e^5+e+e^{-1}}",
    expect="holds",
    uses=("SM-1",),
    written=_example_written,
    numeric=lambda: [
        close(
            "softmax([5, 1, -1])",
            production.softmax(np.array(_EXAMPLE, dtype=float)),
            reference.softmax(np.array(_EXAMPLE, dtype=float)),
            rtol=4.5e-16,
            reference="mpmath, 60 digits",
        )
    ],
    implementation=(production.softmax,),
)

_PRINTED = (0.9817, 0.0180, 0.0003)
_CORRECT = (0.9796, 0.0179, 0.0024)


def _printed(values):
    def build():
        steps = []
        for name, exact, stated in zip("ABC", softmax_vec(list(_EXAMPLE)), values, strict=True):
            steps.extend(rounded(f"P({name}) to 4 places", exact, stated, 4).steps)
        return Proof(tuple(steps))

    return build


declare(
    id="SM-3",
    title="Worked example: the printed values",
    source=r"P(A)=0.9817,P(B)=0.0180,P(C)=0.0003",
    expect="false-as-written",
    uses=("SM-2",),
    title_zh="例题：打印出的三个概率值",
    erratum_zh=(
        "教程打印的 0.9817、0.0180、0.0003 是 C = −3 时的 softmax；按文中给定的 A = 5、B "
        "= 1、C = −1 计算，正确值为 0.9796、0.0179、0.0024。"
    ),
    written=_printed(_PRINTED),
    corrected=_printed(_CORRECT),
    correction=r"P(A)=0.9796,\ P(B)=0.0179,\ P(C)=0.0024",
    numeric=lambda: [
        differs(
            "printed values vs softmax([5, 1, -1])",
            production.softmax([5.0, 1.0, -1.0]),
            _PRINTED,
            atol=5e-5,
            reference="4-place rounding allows 5e-5",
        ),
        close(
            "corrected values",
            np.round(production.softmax([5.0, 1.0, -1.0]), 4),
            _CORRECT,
            rtol=0,
        ),
        close(
            "the printed values are those of C = -3",
            np.round(production.softmax([5.0, 1.0, -3.0]), 4),
            _PRINTED,
            rtol=0,
        ),
    ],
    implementation=(production.softmax,),
    note="The printed numbers are, to four places, the softmax of (5, 1, −3): the example "
    "was evaluated with C = −3 instead of the stated C = −1.",
)

declare(
    id="SM-4",
    title="Worked example: the three ratios sum to 1",
    source=r"P(A)+P(B)+P(C)=1",
    expect="holds",
    uses=("SM-2",),
    written=lambda: identity(sum(softmax_vec(list(_EXAMPLE))), 1),
    numeric=lambda: [
        close(
            "sum of softmax([5, 1, -1])",
            production.softmax([5.0, 1.0, -1.0]).sum(),
            1.0,
            rtol=2 * U,
        )
    ],
    implementation=(production.softmax,),
)


def _below_one(size):
    q = softmax_vec(vector("g", size, real=True))
    # 1 - q_1 is the other exponentials over a positive sum: positive iff there is another.
    return Proof(
        (positive("q_1 > 0", q[0]), positive("q_1 < 1", 1 - q[0])),
        assumptions=assume("g_k \\in \\mathbb{R}"),
    )


_WHY_SIZES = "Positivity of a sum with a symbolic number of terms is beyond SymPy's assumptions."
declare(
    id="SM-5",
    title="Normalisation: each ratio lies strictly between 0 and 1",
    source=r"\text{归一化：最后的合计为1，每一个分类都是一个小于1的数值}",
    expect="holds-under-assumption",
    uses=("SM-1",),
    written=lambda: for_sizes(_below_one, range(1, 7), name="n", why=_WHY_SIZES),
    assumed=lambda: _with_assumption(
        for_sizes(_below_one, range(2, 7), name="n", why=_WHY_SIZES), "n \\geq 2"
    ),
    numeric=lambda: [
        holds(
            "one class gives q = 1 exactly (the counterexample)",
            production.softmax([3.0])[0] == 1.0,
            f"softmax([3.0]) = {production.softmax([3.0])[0]!r}",
        ),
        holds(
            "with n ≥ 2 and moderate logits every q is in (0, 1)",
            np.all((q := production.softmax(_rng(3).normal(0, 3, (100, 5)))) > 0) and np.all(q < 1),
            f"min {q.min():.3g}, max {q.max():.17g}",
        ),
    ],
    implementation=(production.softmax,),
    note="With a single class the only ratio is exactly 1; the property needs n ≥ 2, which "
    "the text does not state. (In floating point a ratio can also round to 1 or 0.)",
)


def _with_assumption(proof, text):
    return Proof(proof.steps, proof.general, proof.sizes, (*proof.assumptions, text), proof.note)


def _above(threshold):
    def build():
        return Proof((positive(f"P(A) > {threshold}", softmax_vec(list(_EXAMPLE))[0], threshold),))

    return build


declare(
    id="SM-6",
    title="Amplification: the share of 5 exceeds 98%",
    source=r"\text{5的占比能到98\%以上}",
    expect="false-as-written",
    uses=("SM-2",),
    title_zh="放大效应：5 的占比在 98% 以上",
    erratum_zh=(
        "这一结论来自算错的例题（SM-3）。C = −1 时 A 的占比是 97.96%，超过 97%，但没有达到 98%。"
    ),
    written=_above(sp.Rational(98, 100)),
    corrected=_above(sp.Rational(97, 100)),
    correction=r"P(A)=0.9796 > 97\%\ (\text{not } 98\%)",
    numeric=lambda: [
        holds(
            "0.97 < P(A) < 0.98",
            0.97 < production.softmax([5.0, 1.0, -1.0])[0] < 0.98,
            f"P(A) = {production.softmax([5.0, 1.0, -1.0])[0]:.6f}",
        )
    ],
    implementation=(production.softmax,),
    note="Follows from the miscomputed example SM-3: with C = −1 the share is 97.96%.",
)

declare(
    id="SM-7",
    title="Independence: a ratio of two shares depends only on their own values",
    source=r"\text{散列性质：放大之前的数值是可以相互不干扰的}",
    expect="holds",
    uses=("SM-1",),
    written=lambda: identity(_q_general(i) / _q_general(j), sp.exp(g[i] - g[j])),
    numeric=lambda: [
        close(
            "q_1/q_2 is unchanged when a third logit moves",
            (a := production.softmax([[1.0, 2.0, 0.0], [1.0, 2.0, 9.0]]))[:, 0] / a[:, 1],
            np.full(2, np.exp(-1.0)),
            rtol=4e-16,
            reference="e^{g_1 - g_2}",
        )
    ],
    implementation=(production.softmax,),
    note="Read formally as q_i / q_j = e^{g_i - g_j} (independence of irrelevant alternatives).",
)
