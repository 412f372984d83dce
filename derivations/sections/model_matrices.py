r"""The matrix forms $G$, $S$, $Q$ of softmax (MODEL-3, MAT-1 to MAT-3).

Tutorial: softmax计算, steps 1 计算权重指数, 2 计算分母, 3 归一化. General proofs take
matrix entries from SymPy's `MatrixSymbol` algebra (`derivations.matrices`), whose indices
start at 0 (the tutorial counts samples and classes from 1; only the labels differ). $O$
samples, $N$ features including $x_0$, $M$ classes.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations
from derivations.evidence import close, differs, holds
from derivations.matrices import (
    E1_,
    G_,
    W_,
    X_,
    entry,
    ii,
    jj,
    kk,
    ll,
    logit,
    shape_step,
    softmax_form_proof,
    tidy,
)
from derivations.numeric import ULP4, U, literal_q, matrix_problem, softmax_form_checks, vs_mp
from derivations.proof import Proof, step
from derivations.symbols import M, N, O, assume, w, x

declare = declarations(__name__)

c = sp.IndexedBase("c", positive=True)  # the entries of G printed in the text

# --- MODEL-3 and MAT-1..3 -----------------------------------------------------------------


declare(
    id="MODEL-3",
    title=r"Matrix form: $\mathrm{softmax}(X) = e^{XW^T} / (e^{XW^T}E)$, row by row",
    source=r"softmax(X)=\frac{e^{XW^T}}{e^{XW^T}E}",
    expect="holds",
    uses=("MODEL-2",),
    written=softmax_form_proof,
    numeric=softmax_form_checks,
    implementation=(production.notation.G, production.notation.Q, production.softmax),
    note="E is the m×1 column of ones (defined in step 2); row k of e^{XW^T} is divided by "
    "entry k of the column e^{XW^T}E.",
)


def _g_proof():
    o, m, nn = 3, 4, 2
    xd = sp.Matrix(o, nn + 1, lambda a, b: 1 if b == 0 else x[a + 1, b])  # x_(k)0 = 1
    wt = sp.Matrix(nn + 1, m, lambda b, a: w[a + 1, b])  # printed: row j is w_1j … w_mj
    weights = sp.Matrix(m, nn + 1, lambda a, b: w[a + 1, b])  # W, shape (M, N)
    g = sp.Matrix(o, m, lambda a, b: sp.exp(sp.Sum(w[b + 1, jj] * xd[a, jj], (jj, 0, nn))))
    c_ki = sp.Sum(w[ii, jj] * x[kk, jj], (jj, 0, N - 1))
    steps = (
        step("(XW^T)_{ki} = sum_j w_ij x_(k)j", tidy(logit(kk, ii)), c_ki),
        shape_step("G = exp(XW^T) is (o, m)", X_ * W_.T, (O, M)),
        step("the printed right factor is W^T", wt, weights.T),
        step("exp(X × W^T) = the printed G", (xd * wt).applyfunc(sp.exp), g.doit()),
    )
    sizes = "entry, shape: symbolic O, M, N; printed matrices: o = 3, m = 4, n = 2"
    return Proof(steps, general=False, sizes=sizes, assumptions=assume(sp.Eq(x[kk, 0], 1)))


def _g_checks():
    X, W, _P = matrix_problem(5)
    with mpmath.workdps(40):
        dot = [[mpmath.fdot(map(mpmath.mpf, r), map(mpmath.mpf, v)) for v in W] for r in X]
        ref = [[float(mpmath.exp(d)) for d in row] for row in dot]
    # float64 X W^T is within N·u·max|X||W|^T of the exact logit, which moves e^z by that
    # relative amount; exp adds ≤ 1 ulp, the rounding of the reference u.
    rtol = X.shape[1] * U * float(np.max(np.abs(X) @ np.abs(W).T)) + 3 * U
    g = production.notation.G(X, W)
    return [close("notation.G = e^{XW^T}", g, ref, rtol=rtol, reference="mpmath, 40 digits")]


declare(
    id="MAT-1",
    title=r"Step 1: $G = \exp(X \times W^T)$, entries $c_{ki} = e^{\sum_j w_{ij} x_{(k)j}}$",
    source=r"c_{ki}=c(w_{ij},x_{(k)j})=e^{\sum_j^nw_{ij}x_{(k)j}},k\in(0,o]",
    expect="holds",
    uses=("MODEL-3",),
    written=_g_proof,
    numeric=_g_checks,
    implementation=(production.notation.G,),
    note="Also checks the two printed G displays: the printed right factor (row j holding "
    "w_1j … w_mj) is W^T, and exp of the printed X (x_(k)0 = 1) times it has the printed "
    "entries e^{Σ_j w_ij x_(k)j}.",
)


def _s_proof():
    row_sum = step(
        "(G × E)_k = sum_i c_ki",
        tidy(entry(G_ * E1_, kk, 0, {"G": c})),
        sp.Sum(c[kk, ll], (ll, 0, M - 1)),
    )
    return Proof(
        (shape_step("G × E is (o, 1)", G_ * E1_, (O, 1)), row_sum), assumptions=assume(M, O)
    )


def _s_checks():
    X, W, _P = matrix_problem(6)
    G = production.notation.G(X, W)
    # M positive terms: (M−1)u for the sum, u/2 for the correctly rounded reference.
    want, rtol = [math.fsum(r) for r in G], len(W) * U
    e1 = np.array_equal(production.notation.E1(len(W)), np.ones((len(W), 1)))
    return [
        close("notation.S = G E", production.notation.S(G)[:, 0], want, rtol=rtol),
        holds("notation.E1(m) is the m×1 column of ones", e1, f"E1({len(W)}) == ones"),
    ]


declare(
    id="MAT-2",
    title=r"Step 2: $S = G \times E$ is the column of row sums $s_k = \sum_i c_{ki}$",
    source=r"S=\begin{bmatrix} \sum_i^mc_{1i}\\ \sum_i^mc_{2i}\\ \sum_i^mc_{3i}\\ \cdots\\ "
    r"\sum_i^mc_{oi} \end{bmatrix}=\begin{bmatrix}s_1\\s_2\\s_3\\\cdots\\s_o\end{bmatrix}",
    expect="holds",
    uses=("MAT-1",),
    written=_s_proof,
    numeric=_s_checks,
    implementation=(production.notation.S, production.notation.E1),
    note="E is the m×1 column of ones; the reference is math.fsum. (The step names softmax "
    "S(x) = G/(G×E) and then uses S for the denominator G×E; the letters clash, the "
    "matrices are right.)",
)

_C = sp.Matrix(3, 4, lambda a, b: c[a + 1, b + 1])  # o = 3, m = 4: every printed entry
_S = sp.symbols("s_1:4", positive=True)
_Q = sp.Matrix(3, 4, lambda a, b: _C[a, b] / _S[a])  # G ÷ S: row k divided by s_k


def _q_written():
    printed = sp.Matrix(_Q)  # d_k read as s_k; last row printed c_o1, c_12, c_12, …, c_1m
    printed[2, :] = sp.Matrix([[_C[2, 0], _C[0, 1], _C[0, 1], _C[0, 3]]]) / _S[2]
    named = sp.Matrix(_Q)  # q_ki names entry (k, i); entry (o, 2) is printed s_o2
    named[2, 1] = sp.Symbol("s_32")
    one = step("G ÷ S = [c_ki/d_k] as printed, d = s", _Q, printed)
    two = step("G ÷ S = [q_ki] as printed", _Q, named)
    return Proof((one, two), general=False, sizes="o = 3, m = 4 (rows 1, 2, o; cols 1, 2, 3, m)")


def _q_corrected():
    sums = {_S[a]: sum(_C[a, :]) for a in range(3)}  # s_k = sum_i c_ki
    rows = step("rows of [c_ki/s_k] sum to 1", (_Q * sp.ones(4, 1)).subs(sums), sp.ones(3, 1))
    return Proof((rows,), general=False, sizes="o = 3, m = 4")


def _q_checks():
    X, W, _P = matrix_problem(7, O=3, M=4)
    G = production.notation.G(X, W)
    S, q = production.notation.S(G), production.softmax(X @ W.T)
    printed = G / S
    printed[-1, 1:] = G[0, [1, 1, 3]] / S[-1, 0]
    big = W + 1000.0 * np.eye(1, W.shape[1])  # X[:, 0] = 1: every logit moves up by 1000
    with np.errstate(over="ignore", invalid="ignore"):
        lit = literal_q(X, big)  # e^z overflows float64 past z ≈ 709.78
    return [
        # literal path ≤ (M + 4)u (MODEL-3), production ≤ 4 ulp ≤ 8u: the budgets add.
        close("notation.Q = G/S vs softmax", literal_q(X, W), q, rtol=(len(W) + 12) * U),
        # Refutes the printed row only by more than 1e-3, far above rounding (see MODEL-2).
        differs("printed last row vs softmax", printed, q, atol=1e-3, reference="c_12, c_1m"),
        holds("literal G/S is NaN at logits ≈ 1000", np.isnan(lit).all(), f"{lit.size} NaN"),
        vs_mp(
            "production softmax at logits ≈ 1000",
            production.softmax(X @ big.T),
            X @ big.T,
            rtol=ULP4,
        ),
    ]


declare(
    id="MAT-3",
    title=r"Step 3: $Q = G/S$, the printed entries of the final matrix",
    source=r"Q=\begin{bmatrix} \frac{c_{11}}{d_1}&\frac{c_{12}}{d_1}&\frac{c_{13}}{d_1}&\cdots&"
    r"\frac{c_{1m}}{d_1}\\ \frac{c_{21}}{d_2}&\frac{c_{22}}{d_2}&\frac{c_{23}}{d_2}&\cdots&"
    r"\frac{c_{2m}}{d_2}\\ \vdots&\vdots&\vdots&\ddots&\vdots\\ \frac{c_{o1}}{d_o}&"
    r"\frac{c_{12}}{d_o}&\frac{c_{12}}{d_o}&\cdots&\frac{c_{1m}}{d_o}\\ \end{bmatrix}="
    r"\begin{bmatrix} q_{11}&q_{12}&q_{13}&\cdots&q_{1m}\\ q_{21}&q_{22}&q_{23}&\cdots&q_{2m}\\ "
    r"\vdots&\vdots&\vdots&\ddots&\vdots\\ q_{o1}&s_{o2}&q_{o3}&\cdots&q_{om}\\ \end{bmatrix}",
    expect="false-as-written",
    uses=("MAT-2",),
    title_zh="第 3 步：Q = G/S，最终矩阵中打印的元素",
    erratum_zh=(
        "分母写成了没有定义的 d_k，应为第 2 步的行和 s_k；即便如此，最后一行仍有三个元素"
        "的下标错误（c_12、c_12、c_1m 应为 c_o2、c_o3、c_om）。应为 q_ki = c_ki / s_k。"
    ),
    written=_q_written,
    corrected=_q_corrected,
    correction=r"q_{ki}=\frac{c_{ki}}{s_k},\ s_k=\sum_i^m c_{ki}",
    numeric=_q_checks,
    implementation=(production.notation.Q, production.notation.S, production.softmax),
    note="The denominators are printed d_k, a letter defined nowhere; they are read as the s_k "
    "of step 2 (left undefined, nothing could be compared; the reading isolates the index "
    "errors). Even so three entries of the last row are wrong (c_12, c_12, c_1m over s_o for "
    "c_o2, c_o3, c_om), and the q-matrix prints s_o2 for q_o2. G/S itself, row k of G over "
    "s_k, is right; computed literally it overflows once a logit passes about 709, where the "
    "production softmax stays accurate.",
)
