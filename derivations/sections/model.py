r"""The linear model $g = w_j x_j$ ($x_0 = 1$) and the matrix forms $G$, $S$, $Q$ of softmax.

Tutorial: 建模 / softmax计算, steps 1 计算权重指数, 2 计算分母, 3 归一化. General proofs
take matrix entries from SymPy's `MatrixSymbol` algebra, whose indices start at 0 (the
tutorial counts samples and classes from 1; only the labels differ). $O$ samples, $N$
features including $x_0$, $M$ classes. The helpers here serve `matrix_loss` and `summary` too.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

import softmax as production
from derivations import reference
from derivations.evidence import close, differs, holds
from derivations.proof import Proof, step
from derivations.registry import register
from derivations.symbols import M, N, O, assume, softmax_vec, w, x

U = 2.0**-53  # unit roundoff of float64
ULP4 = 4 * 2.0**-52  # production softmax's accuracy (claim IMPL-2)
kk, ii = sp.symbols("k i", integer=True, nonnegative=True)  # free 0-based row/column
jj, ll, tt = sp.symbols("j l t")  # bound indices (plain, like SymPy's own dummies)
c = sp.IndexedBase("c", positive=True)
X_, W_, G_ = sp.MatrixSymbol("X", O, N), sp.MatrixSymbol("W", M, N), sp.MatrixSymbol("G", O, M)
E1_ = sp.OneMatrix(M, 1)


def entry(expr, r, col, table):
    """Entry (r, col) of a matrix expression as SymPy computes it, each matrix symbol named
    in `table` replaced by its entry formula (which may itself call `entry`)."""
    return expr[r, col].replace(
        lambda t: isinstance(t, MatrixElement) and t.parent.name in table,
        lambda t: _at(table[t.parent.name], t.i, t.j),
    )


def _at(f, a, b):
    return f[a, b] if isinstance(f, sp.IndexedBase) else f(a, b)


def tidy(expr):
    """Give SymPy's bound dummies distinct readable names; only for finished expressions."""
    dummies = sorted(expr.atoms(sp.Dummy), key=lambda d: d.dummy_index)
    return expr.xreplace({d: sp.Symbol(f"j_{n + 1}") for n, d in enumerate(dummies)})


def logit(r, col):
    return entry(X_ * W_.T, r, col, {"X": x, "W": w})


def q_matrix(r, col):
    r"""$(G / G E_1)_{r,col}$ with $G = e^{XW^T}$, from the matrix products."""
    return sp.exp(logit(r, col)) / entry(G_ * E1_, r, 0, {"G": lambda a, b: sp.exp(logit(a, b))})


def q_ref(r, col):
    r"""Softmax of sample r: $e^{\sum_j w_{ij}x_{rj}} / \sum_l e^{\sum_j w_{lj}x_{rj}}$."""
    z = sp.Sum(w[col, jj] * x[r, jj], (jj, 0, N - 1))
    return sp.exp(z) / sp.Sum(sp.exp(sp.Sum(w[ll, jj] * x[r, jj], (jj, 0, N - 1))), (ll, 0, M - 1))


def softmax_form_proof():
    """Entry (k, i) of the matrix form is the softmax of sample k, and each row sums to 1."""
    row = tidy(sp.Sum(q_matrix(kk, tt), (tt, 0, M - 1)))
    first = step("(G/GE)_{ki} = softmax of sample k", tidy(q_matrix(kk, ii)), q_ref(kk, ii))
    return Proof((first, step("row k sums to 1", row, 1)), assumptions=assume(M, N, O))


def problem(seed, O=40, M=5, features=6, scale=0.3):
    """Features X (column 0 = 1) and one-hot P from production.datasets, weights W."""
    X, P = production.datasets.random_data(O, M, features, seed=seed)
    W = np.random.default_rng(seed + 1000).normal(0.0, scale, (M, features + 1))
    return X, W, P


def literal_q(X, W):
    """The tutorial's path G -> S -> Q, through softmax.notation."""
    G = production.notation.G(X, W)
    return production.notation.Q(G, production.notation.S(G))


def shape_step(label, expr, stated):
    """A shape computed by SymPy's matrix algebra against the stated one."""
    return step(label, sp.Matrix(expr.shape), sp.Matrix(stated))


def vs_mp(name, got, Z, rtol):
    """`got` against the mpmath softmax of the logits Z."""
    return close(name, got, reference.softmax(Z), rtol=rtol, reference="mpmath, 60 digits")


# --- MODEL-1 ------------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, nonnegative=True)
_WX = w[jj] * x[jj]


def _bias():
    rest = sp.Sum(_WX, (jj, 1, n))
    split = step("split off j = 0", sp.Sum(_WX, (jj, 0, n)), sp.Sum(_WX, (jj, 0, 0)) + rest)
    tail = step("x_0 = 1", (w[0] * x[0] + rest).subs(x[0], 1), w[0] + rest)
    return Proof((split, tail), assumptions=assume(n, sp.Eq(x[0], 1)))


def _bias_checks():
    X, W, _P = problem(1)
    gap = np.abs(X @ W.T - (W[:, 0] + X[:, 1:] @ W[:, 1:].T))
    # Two float64 dot products of N terms, summed in different orders: each is within
    # N·u·(|X||W|^T) of the exact value, so they differ by at most twice that.
    ok = np.all(gap <= 2 * X.shape[1] * U * (np.abs(X) @ np.abs(W).T))
    detail = f"max |Δ| = {gap.max():.3g}, within 2·N·u·|X||W|^T"
    return [
        holds("random_data puts x_0 = 1 in column 0", np.all(X[:, 0] == 1.0), f"X is {X.shape}"),
        holds("X W^T = W[:, 0] + X[:, 1:] W[:, 1:]^T", ok, detail),
    ]


register(
    id="MODEL-1",
    title="The linear model: the bias w_0 is the weight of the constant feature x_0 = 1",
    section="model",
    source=r"g(x)=w_0+w_1x_1+w_2x_2+...+w_nx_n=w_jx_jj\in[0,n],x_0=1",
    expect="holds",
    written=_bias,
    numeric=_bias_checks,
    implementation=("softmax.datasets.random_data",),
    note="w_jx_j is read with the summation convention (summed over j = 0 … n); the separator "
    "before j∈[0,n] is missing in the text.",
)

# --- MODEL-2 ------------------------------------------------------------------------------


def _written_q(ws, xs):
    """The text's form for one class: e^{sum_j w_ij x_j} over sum_j e^{w_ij x_j}."""
    terms = [a * b for a, b in zip(ws, xs, strict=True)]
    return sp.exp(sum(terms)) / sum(sp.exp(t) for t in terms)


def _classes(interval):
    """How many integers the interval holds at m = 5, by SymPy's set algebra."""
    return sp.Intersection(interval.subs(M, 5), sp.Integers).size


def _model_written():
    xs, ws = [1, sp.Symbol("x_1", real=True)], sp.symbols("w_10 w_11 w_20 w_21", real=True)
    correct = softmax_vec([ws[0] + ws[1] * xs[1], ws[2] + ws[3] * xs[1]])[0]
    total = 2 * _written_q([0, 0, 0], [1, 7, -3])  # W = 0, m = 2 classes, n = 2
    return Proof(
        (
            step("q_1 at m = 2, n = 1", _written_q(ws[:2], xs), correct),
            step("sum_i q_i at W = 0, m = 2, n = 2", total, 1),
            step("|(0, m) ∩ ℤ| = m", sp.Range(1, M).size, M),
            step("|(0, 5) ∩ ℤ| = 5", _classes(sp.Interval.open(0, M)), 5),
        ),
        general=False,
        sizes="m = 2, n ∈ {1, 2}; the range for symbolic m and at m = 5",
        counterexample={"W": "0, with m = 2, n = 2", "q_i": "1/3", "sum_i q_i": "2/3"},
    )


def _model_corrected():
    total = step("sum_i q_i = 1", sp.Sum(q_ref(0, tt), (tt, 0, M - 1)), 1)
    count = step("|(0, 5] ∩ ℤ| = 5", _classes(sp.Interval.Lopen(0, M)), 5)
    return Proof((total, count), assumptions=assume(M, N))


def _model_checks():
    X, W, _P = problem(2)
    Z = X @ W.T
    q, bad = production.softmax(Z), np.exp(Z) / np.exp(X[:, None, :] * W[None, :, :]).sum(2)
    return [
        vs_mp("softmax(XW^T) vs the corrected q_i", q, Z, rtol=ULP4),
        # `differs` refutes: each passes only if the written form misses by more than the
        # threshold, which is many orders above the ≤ 1e-15 rounding of these formulas, so
        # a pass cannot be rounding. The gaps are the wrong sum (features, not classes)
        # and the missing class m.
        differs("the written form vs softmax", bad, q, atol=1e-3),
        differs("row sums of the written form vs 1", bad.sum(axis=1), np.ones(len(X)), atol=1e-3),
        differs("sum over i ∈ (0, m) vs 1", q[:, :-1].sum(axis=1), np.ones(len(q)), atol=1e-6),
    ]


register(
    id="MODEL-2",
    title="Softmax of the linear model: sum over the m classes, not the features",
    section="model",
    source=r"softmax(x)=\frac{e^{w_{ij}x_j}}{\sum_j^ne^{w_ijx_j}},\ i\in(0,m),\ j\in[0.n]",
    expect="false-as-written",
    title_zh="线性模型的 softmax：分母对 m 个类别求和，而不是对特征求和",
    erratum_zh=(
        "原式的分母对同一类别的各个特征 j 累加 e^{w_ij x_j}，得到的比例不是在类别上归一化"
        "的（W = 0、三个特征、两个类别时每个都是 1/3）。分母应对类别 k 累加整个指数：Σ_k "
        "e^{Σ_j w_kj x_j}。"
    ),
    written=_model_written,
    corrected=_model_corrected,
    correction=r"q_i=\frac{e^{\sum_j w_{ij}x_j}}{\sum_{k=1}^{m}e^{\sum_j w_{kj}x_j}},\ i\in(0,m]",
    numeric=_model_checks,
    implementation=("softmax.softmax",),
    references=("Bishop, Pattern Recognition and Machine Learning (2006), §4.3.4",),
    note="With the summation convention of the previous line the numerator is e^{Σ_j w_ij x_j}, "
    "but the denominator adds e^{w_ij x_j} over the features j of one class, so the ratios "
    "are not normalised over classes (W = 0, three features, two classes: 1/3 each). It must "
    "add the whole exponential over the classes k. The where-clause's range i∈(0,m) holds "
    "only m−1 classes; the text writes k∈(0,n] and k∈(0,o] for such ranges elsewhere, so it "
    "is checked with the formula whose index it defines ([0.n] is a typo for [0,n]).",
)

# --- MODEL-3 and MAT-1..3 -----------------------------------------------------------------


def softmax_form_checks(seed=4):
    """MODEL-3 and SUM-3: the literal G/(GE) path and production softmax against mpmath."""
    X, W, _P = problem(seed)
    Z = X @ W.T
    return [
        # Literal path: each exp ≤ 1 ulp (2u), the row sum adds (M−1)u, the division u,
        # the reference's rounding u/2: (M + 4.5)u in all.
        vs_mp("G/(GE) via notation.G, S, Q", literal_q(X, W), Z, rtol=(len(W) + 5) * U),
        vs_mp("production softmax", production.softmax(Z), Z, rtol=ULP4),
    ]


register(
    id="MODEL-3",
    title="Matrix form: softmax(X) = e^{XWᵀ} / (e^{XWᵀ}E), row by row",
    section="model",
    source=r"softmax(X)=\frac{e^{XW^T}}{e^{XW^T}E}",
    expect="holds",
    written=softmax_form_proof,
    numeric=softmax_form_checks,
    implementation=("softmax.notation.G", "softmax.notation.Q", "softmax.softmax"),
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
    X, W, _P = problem(5)
    with mpmath.workdps(40):
        dot = [[mpmath.fdot(map(mpmath.mpf, r), map(mpmath.mpf, v)) for v in W] for r in X]
        ref = [[float(mpmath.exp(d)) for d in row] for row in dot]
    # float64 X W^T is within N·u·max|X||W|^T of the exact logit, which moves e^z by that
    # relative amount; exp adds ≤ 1 ulp, the rounding of the reference u.
    rtol = X.shape[1] * U * float(np.max(np.abs(X) @ np.abs(W).T)) + 3 * U
    g = production.notation.G(X, W)
    return [close("notation.G = e^{XW^T}", g, ref, rtol=rtol, reference="mpmath, 40 digits")]


register(
    id="MAT-1",
    title="Step 1: G = exp(X × Wᵀ), entries c_ki = e^{Σ_j w_ij x_(k)j}",
    section="model",
    source=r"c_{ki}=c(w_{ij},x_{(k)j})=e^{\sum_j^nw_{ij}x_{(k)j}},k\in(0,o]",
    expect="holds",
    written=_g_proof,
    numeric=_g_checks,
    implementation=("softmax.notation.G",),
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
    X, W, _P = problem(6)
    G = production.notation.G(X, W)
    # M positive terms: (M−1)u for the sum, u/2 for the correctly rounded reference.
    want, rtol = [math.fsum(r) for r in G], len(W) * U
    e1 = np.array_equal(production.notation.E1(len(W)), np.ones((len(W), 1)))
    return [
        close("notation.S = G E", production.notation.S(G)[:, 0], want, rtol=rtol),
        holds("notation.E1(m) is the m×1 column of ones", e1, f"E1({len(W)}) == ones"),
    ]


register(
    id="MAT-2",
    title="Step 2: S = G × E is the column of row sums s_k = Σ_i c_ki",
    section="model",
    source=r"S=\begin{bmatrix} \sum_i^mc_{1i}\\ \sum_i^mc_{2i}\\ \sum_i^mc_{3i}\\ \cdots\\ "
    r"\sum_i^mc_{oi} \end{bmatrix}=\begin{bmatrix}s_1\\s_2\\s_3\\\cdots\\s_o\end{bmatrix}",
    expect="holds",
    written=_s_proof,
    numeric=_s_checks,
    implementation=("softmax.notation.S", "softmax.notation.E1"),
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
    X, W, _P = problem(7, O=3, M=4)
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


register(
    id="MAT-3",
    title="Step 3: Q = G/S, the printed entries of the final matrix",
    section="model",
    source=r"Q=\begin{bmatrix} \frac{c_{11}}{d_1}&\frac{c_{12}}{d_1}&\frac{c_{13}}{d_1}&\cdots&"
    r"\frac{c_{1m}}{d_1}\\ \frac{c_{21}}{d_2}&\frac{c_{22}}{d_2}&\frac{c_{23}}{d_2}&\cdots&"
    r"\frac{c_{2m}}{d_2}\\ \vdots&\vdots&\vdots&\ddots&\vdots\\ \frac{c_{o1}}{d_o}&"
    r"\frac{c_{12}}{d_o}&\frac{c_{12}}{d_o}&\cdots&\frac{c_{1m}}{d_o}\\ \end{bmatrix}="
    r"\begin{bmatrix} q_{11}&q_{12}&q_{13}&\cdots&q_{1m}\\ q_{21}&q_{22}&q_{23}&\cdots&q_{2m}\\ "
    r"\vdots&\vdots&\vdots&\ddots&\vdots\\ q_{o1}&s_{o2}&q_{o3}&\cdots&q_{om}\\ \end{bmatrix}",
    expect="false-as-written",
    title_zh="第 3 步：Q = G/S，最终矩阵中打印的元素",
    erratum_zh=(
        "分母写成了没有定义的 d_k，应为第 2 步的行和 s_k；即便如此，最后一行仍有三个元素"
        "的下标错误（c_12、c_12、c_1m 应为 c_o2、c_o3、c_om）。应为 q_ki = c_ki / s_k。"
    ),
    written=_q_written,
    corrected=_q_corrected,
    correction=r"q_{ki}=\frac{c_{ki}}{s_k},\ s_k=\sum_i^m c_{ki}",
    numeric=_q_checks,
    implementation=("softmax.notation.Q", "softmax.notation.S", "softmax.softmax"),
    note="The denominators are printed d_k, a letter defined nowhere; they are read as the s_k "
    "of step 2 (left undefined, nothing could be compared; the reading isolates the index "
    "errors). Even so three entries of the last row are wrong (c_12, c_12, c_1m over s_o for "
    "c_o2, c_o3, c_om), and the q-matrix prints s_o2 for q_o2. G/S itself, row k of G over "
    "s_k, is right; computed literally it overflows once a logit passes about 709, where the "
    "production softmax stays accurate.",
)
