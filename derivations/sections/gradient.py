r"""The gradient of one sample's log-likelihood: its setup (GRAD-1 to GRAD-3).

The logits $g = Wx$, the softmax output $q_i$ and one sample's loss, which the line-by-line
derivation (`gradient_lines`) differentiates.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import close, differs
from derivations.numeric import (
    U,
    gradient_problem,
    mp_dot,
    ulps,
)
from derivations.proof import Proof, positive, step
from derivations.symbolic import LOSS, ONE_HOT, TRUE_CLASS, S, prime, q_of
from derivations.symbols import M, N, assume, g, i, j, k, p, w, x

declare = declarations(__name__)

_Wm, _xv = sp.MatrixSymbol("W", M, N), sp.MatrixSymbol("x", N, 1)


def _row_of_wx():
    """Entry i of the matrix product W x, re-indexed from 1 like the tutorial."""
    entry = (_Wm * _xv)[i - 1, 0].replace(
        lambda e: isinstance(e, sp.matrices.expressions.matexpr.MatrixElement),
        lambda e: w[e.args[1] + 1, e.args[2] + 1] if e.args[0] == _Wm else x[e.args[1] + 1],
    )
    return entry.change_index(entry.limits[0][0], entry.limits[0][0] + 1, j)


def _logits_check():
    W, X, _, _ = gradient_problem(31, O=8, Mc=5, Nf=7)
    with mpmath.workdps(60):
        exact = [[float(mpmath.exp(mp_dot(xk, wi))) for wi in W] for xk in X]
    # fl(XWᵀ) is within γ_N Σ_j|w_ij x_kj| of g, a relative error of e^g; exp adds ≤ 2u.
    rtol = 7 * U / (1 - 7 * U) * float((np.abs(X) @ np.abs(W).T).max()) + 2 * U
    G = production.notation.G(X, W)
    return [close("notation.G = e^g", G, exact, rtol=rtol, reference="mpmath, 60 digits")]


declare(
    id="GRAD-1",
    title=r"Setup: the logits of one sample are $g_i = \sum_j w_{ij} x_j$, i.e. $g = Wx$",
    source=r"g_i=\sum_j^Nw_{ij}x_j",
    expect="holds",
    uses=("MODEL-1",),
    written=lambda: Proof(
        (
            step("row i of Wx (W: M×N)", _row_of_wx(), sp.Sum(w[i, j] * x[j], (j, 1, N))),
            step("so ∂g_k/∂w_ij = δ_ki x_j", prime(g[k]), sp.KroneckerDelta(k, i, (1, M)) * x[j]),
        ),
        assumptions=assume(M, N),
    ),
    numeric=_logits_check,
    implementation=(production.notation.G,),
    note="Read as g = Wx for the (M, N) weights and one sample's features; the derivative "
    "∂g_k/∂w_ij = δ_ki x_j it implies is what every later line uses.",
)

_G3, _EX = sp.symbols("g_1:4", real=True), (5, 1, -1)


def _q_written():
    ex, soft = [sp.Integer(v) for v in _EX], sp.exp(_G3[0]) / sum(map(sp.exp, _G3))
    return Proof(
        (
            step("q_1 = g_1/Σg vs e^{g_1}/Σe^g", _G3[0] / sum(_G3), soft),
            step("q_3 at g = (5, 1, −1)", ex[2] / sum(ex), sp.exp(ex[2]) / sum(map(sp.exp, ex))),
        ),
        general=False,
        sizes="M = 3",
        counterexample={"g": _EX, "as written": "(1, 1/5, -1/5)", "softmax": "(.98, .018, .0024)"},
    )


def _q_checks():
    got = production.softmax(_EX)
    return [
        differs("g/Σg at g = (5, 1, −1)", got, np.divide(_EX, 5), atol=0.1, reference="q_3 < 0"),
        ulps("softmax at g = (5, 1, −1)", got, reference.softmax(_EX)),
    ]


declare(
    id="GRAD-2",
    title=r"The softmax output $q_i$ is written without its exponentials",
    source=r"q_i=\frac{g_i}{\sum_k^Mg_k}",
    expect="false-as-written",
    uses=("SM-1",),
    title_zh="softmax 输出 q_i 漏写了指数",
    erratum_zh=(
        "行内公式 q_i = g_i / Σ_k g_k 丢掉了紧随其后的数组里的指数：按原式，在教程自己的 "
        "logits 5、1、−1 下 q_i 可以是负数（−1/5），分母为 0 时则没有定义。应为 q_i = e^{"
        "g_i} / Σ_k e^{g_k}。"
    ),
    written=_q_written,
    corrected=lambda: Proof(
        (
            step("Σ_i q_i = 1", sp.Sum(q_of(i), (i, 1, M)), 1),
            positive("q_i > 0: a probability, as g_i/Σg is not", q_of(i)),
        ),
        assumptions=assume(M, r"g_k \in \mathbb{R}"),
    ),
    correction=r"q_i=\frac{e^{g_i}}{\sum_k^Me^{g_k}}",
    numeric=_q_checks,
    implementation=(production.softmax,),
    note="The inline formula drops the exponentials that the array right after it has. As "
    "written q_i can be negative (−1/5 at the tutorial's own logits 5, 1, −1) or undefined.",
)


def _loglik_checks():
    W, X, y, _ = gradient_problem(32, O=40, Mc=6, Nf=4)
    got = production.log_likelihood(z := X @ W.T, y, reduction="none")
    want = reference.log_softmax(z)[np.arange(40), y]
    return [ulps("log_likelihood per sample = ln q_c", got, want, "mpmath log-softmax")]


declare(
    id="GRAD-3",
    title=r"One sample's loss $\sum_k p_k \ln q_k$ is $\ln q_c$ for a one-hot label (no "
    r"minus sign)",
    source=r"Loss=\sum_k^M L_k = \sum_k^M p_k\ln q_k",
    expect="holds",
    uses=(
        "ML-5",
        "GRAD-2",
    ),
    written=lambda: Proof(
        (
            step("p_k = δ_kc", LOSS.xreplace({p[k]: ONE_HOT}).doit(), sp.log(q_of(TRUE_CLASS))),
            step(
                "ln q_c = g_c − ln Σ_l e^{g_l}", sp.log(q_of(TRUE_CLASS)), g[TRUE_CLASS] - sp.log(S)
            ),
        ),
        assumptions=assume(M, r"p_k = \delta_{kc},\ 1 \le c \le M"),
    ),
    numeric=_loglik_checks,
    implementation=(production.log_likelihood,),
    note="This Loss has no minus sign: it is one sample's log-likelihood L ≤ 0, to be "
    "maximised, which is why its gradient is used with w + η∇ (OPT-2).",
)
