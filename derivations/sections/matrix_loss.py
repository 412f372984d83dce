r"""The loss in matrix form: $L = \frac{1}{o}\left[P\log(Q^T)\right]^D E$.

Tutorial: 交叉熵(极大似然评估)计算, step 1 对数及矩阵乘积 and step 2 交叉熵计算. Entries
come from SymPy's `MatrixSymbol` algebra (0-based, see `model`); $A^D$, the diagonal of
$A$ as a row, is built entry by entry from $(P\log Q^T)_{kk}$.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.evidence import close, differs, holds
from derivations.proof import Proof, step
from derivations.registry import register
from derivations.sections.model import U, entry, jj, kk, literal_q, ll, problem, shape_step, tidy
from derivations.symbols import M, O, assume, i, j, k, p, q

P_, LQ_ = sp.MatrixSymbol("P", O, M), sp.MatrixSymbol("L", O, M)  # L stands for log(Q)
R_ = sp.MatrixSymbol("R", 1, O)  # the row [P log Q^T]^D
E1, E2 = sp.OneMatrix(M, 1), sp.OneMatrix(O, 1)
_LOGQ = {"P": p, "L": lambda a, b: sp.log(q[a, b])}
# The maximum-likelihood loss (1/O) sum_k sum_i p_ki log q_ki, 0-based like the entries.
LOSS = sp.Sum(sp.Sum(p[ll, jj] * sp.log(q[ll, jj]), (jj, 0, M - 1)), (ll, 0, O - 1)) / O


def diagonal(r):
    """Entry r of [P log Q^T]^D: the (r, r) entry of the product."""
    return entry(P_ * LQ_.T, r, r, _LOGQ)


def matrix_loss(E):
    r"""$\frac{1}{O}[P\log Q^T]^D E$ for an all-ones column E of length O, entry by entry."""
    return tidy(entry(R_ * E, 0, 0, {"R": lambda _a, b: diagonal(b)})) / O


def loss_proof():
    """The matrix loss with E = E_2 (o×1) is the mean log-likelihood."""
    row = shape_step("[P log Q^T]^D E_2 is 1×1", R_ * E2, (1, 1))
    return Proof(
        (
            shape_step("P log Q^T is o×o", P_ * LQ_.T, (O, O)),
            row,
            step("(1/o)[P log Q^T]^D E_2", matrix_loss(E2), LOSS),
        ),
        assumptions=assume(M, O, r"E = E_2 = \mathbf{1}_{o\times 1}"),
    )


def _data(seed=11):
    X, W, P = problem(seed)
    Z = X @ W.T
    terms = (P * reference.log_softmax(Z)).sum(axis=1)  # p_k · log q_k, exact log q
    return X, W, P, Z, terms, math.fsum(terms) / len(P)


def _fits(a, b):
    """Whether numpy can form the product a @ b."""
    try:
        a @ b
    except ValueError:
        return False
    return True


def _loss_written():
    inner = step("inner sizes of [P log Q^T]^D × E", (P_ * LQ_.T).shape[1], E1.shape[0])
    return Proof((inner,), assumptions=assume(M, O, r"E = \mathbf{1}_{m\times 1}\ (\text{step 2})"))


def _loss_checks():
    X, W, P, Z, _terms, ref = _data()
    lit, got = production.notation.L(P, literal_q(X, W)), production.log_likelihood(Z, P)
    (O_, M_), src = P.shape, "math.fsum of mpmath log q"
    return [
        # All terms ≤ 0: the sum's relative error is the worst term's (log1p form, ≤ 16u)
        # plus (O − 1)u of summation.
        close(
            "log_likelihood = (1/o) sum sum p log q", got, ref, rtol=(O_ + 16) * U, reference=src
        ),
        # Literal: q within (M + 4)u relative puts log q within (M + 4)u + 2u|log q|; the
        # o×o product adds exact zeros (p = 0); the mean of same-sign terms adds (O − 1)u|L|
        # and the division u|L|; the reference's own sum and division u|L|.
        close("notation.L", lit, ref, rtol=(O_ + 3) * U, atol=(M_ + 4) * U, reference=src),
        holds(
            "with E m×1 the product fails (o ≠ m)",
            not _fits(np.ones((1, O_)), np.ones((M_, 1))),
            f"o = {O_}, m = {M_}: numpy raises",
        ),
    ]


register(
    id="MATL-1",
    title="Matrix loss L = (1/o)[P log(Qᵀ)]^D × E, with E of length o",
    section="matrix-loss",
    source=r"L=\frac{1}{o}\left[P\log\left(Q^T\right)\right]^D×E",
    expect="holds-under-assumption",
    written=_loss_written,
    assumed=loss_proof,
    numeric=_loss_checks,
    implementation=("softmax.notation.L", "softmax.log_likelihood"),
    note="The only E defined so far is the m×1 column of step 2 (计算分母); the diagonal row "
    "is 1×o, so the product needs an all-ones column of length o (the summary's E_2). With "
    "that reading the formula is the mean log-likelihood. The literal form builds the o×o "
    "product to keep its diagonal: O(o²m) time and O(o²) memory, fine for checking only.",
)

# --- MATL-2: the diagonal operator ---------------------------------------------------------


def _diag_shapes(pairs):
    def build():
        steps = []
        for m, n in pairs:
            A = sp.Matrix(m, n, lambda a, b: sp.Symbol(f"a_{a + 1}{b + 1}"))
            steps.append(shape_step(f"A_{{{m}×{n}}}^D is 1×{n}", A.diagonal(), (1, n)))
        sizes = f"(m, n) ∈ {{{', '.join(map(str, pairs))}}}"
        return Proof(tuple(steps), general=False, sizes=sizes)

    return build


def _diag_checks():
    X, W, P, Z, terms, _ref = _data(12)
    d = np.diagonal(P @ np.log(literal_q(X, W)).T)
    each = production.log_likelihood(Z, P, reduction="none")
    two_by_three = np.diagonal(np.ones((2, 3))).size
    return [
        # Literal log q within (M + 4)u + 2u|log q| (MATL-1), production within 8u|log q|.
        close("diag(P log Q^T) vs log_likelihood", d, each, rtol=10 * U, atol=(P.shape[1] + 4) * U),
        # One-hot P: each entry is the label's log q, within 4 ulp (8u) of a reference that
        # is itself rounded once (u); 16u is MATL-1's per-term budget.
        close("per-sample log_likelihood vs mpmath", each, terms, rtol=16 * U),
        holds("a 2×3 matrix has 2 diagonal entries", two_by_three == 2, f"{two_by_three} found"),
    ]


register(
    id="MATL-2",
    title="The diagonal A^D of an m×n matrix as a 1×n row",
    section="matrix-loss",
    source=r"A_{m×n}^D\ \text{表示取对角线元素形成一个}\ 1×n\ \text{的矩阵}",
    expect="holds-under-assumption",
    written=_diag_shapes([(m, n) for m in (1, 2, 3) for n in (1, 2, 3)]),
    assumed=_diag_shapes([(m, n) for m in range(1, 5) for n in range(1, m + 1)]),
    numeric=_diag_checks,
    implementation=("softmax.notation.L", "softmax.log_likelihood"),
    note="An m×n matrix has min(m, n) diagonal entries, so the row is 1×n only when m ≥ n. "
    "The one use, P log(Q^T), is o×o, where it holds.",
)

# --- MATL-3: step 1 writes S for Q -----------------------------------------------------------


def _step1_written():
    S_ = sp.MatrixSymbol("S", O, 1)  # S = G × E of step 2, o×1
    inner = step("inner sizes of P × log(S^T)", P_.shape[1], S_.T.shape[0])
    shown = step("the printed log(·) matrix (m×o) is S^T", sp.Matrix((M, O)), sp.Matrix(S_.T.shape))
    return Proof((inner, shown), assumptions=assume(M, O))


def _step1_corrected():
    shape = shape_step("P log Q^T is o×o", P_ * LQ_.T, (O, O))
    entry_k = step(
        "[P log Q^T]^D_k = sum_i p_ki log q_ki",
        tidy(diagonal(kk)),
        sp.Sum(p[kk, jj] * sp.log(q[kk, jj]), (jj, 0, M - 1)),
    )
    return Proof((shape, entry_k), assumptions=assume(M, O))


def _step1_checks():
    X, W, P, Z, _terms, _ref = _data(13)
    G = production.notation.G(X, W)
    S = production.notation.S(G)
    d = np.diagonal(P @ np.log(production.notation.Q(G, S)).T)
    each = production.log_likelihood(Z, P, reduction="none")
    return [
        holds(
            "P log(S^T) cannot be formed",
            not _fits(P, np.log(S.T)),
            f"P is {P.shape}, S^T {S.T.shape}",
        ),
        # The budget of MATL-2's check: literal log q within (M + 4)u + 2u|log q|,
        # production within 8u|log q|.
        close(
            "with Q: entry k is sum_i p_ki log q_ki",
            d,
            each,
            rtol=10 * U,
            atol=(P.shape[1] + 4) * U,
        ),
    ]


register(
    id="MATL-3",
    title="Step 1: the expansion of [P log(Sᵀ)]^D writes S for Q",
    section="matrix-loss",
    source=r"\left[P\log\left(S^T\right)\right]^D= \begin{bmatrix} \sum_i^m(p_{(1)i}s_{(1)i})& "
    r"\sum_i^m(p_{(2)i}s_{(2)i})& \cdots& \sum_i^m(p_{(o)i}s_{(o)i}) \end{bmatrix}",
    expect="false-as-written",
    title_zh="第 1 步：[P log(Sᵀ)]^D 的展开把 Q 写成了 S",
    erratum_zh=(
        "S 在第 2 步被定义为 o×1 的列 G×E，P（o×m）与 log(Sᵀ)（1×o）的乘积只在 m = 1 时有"
        "定义。这里指的是 softmax 的结果 Q：应为 [P log(Qᵀ)]^D。"
    ),
    written=_step1_written,
    corrected=_step1_corrected,
    correction=r"\left[P\log\left(Q^T\right)\right]^D=\begin{bmatrix}\sum_i^m p_{(1)i}\log "
    r"q_{(1)i}&\cdots&\sum_i^m p_{(o)i}\log q_{(o)i}\end{bmatrix}",
    numeric=_step1_checks,
    implementation=("softmax.notation.S", "softmax.notation.Q", "softmax.log_likelihood"),
    note="S was defined in step 2 as the o×1 column G×E, so P (o×m) times log(S^T) (1×o) is "
    "defined only for m = 1; the printed m×o matrix of entries s_ki shows that Q (the "
    "softmax the text also called S(x)) is meant. With Q, and s_(k)i standing for "
    "log q_ki as the text says, the row is right.",
)

# --- MATL-4, MATL-5: the final formula and its agreement with maximum likelihood -----------

_ROW = sp.Sum(p[k, i] * sp.log(q[k, i]), (i, 1, M))  # 1-based: entry k of the row
_MEAN = sp.Sum(_ROW, (k, 1, O)) / O  # (1/o) × row × E: the entries added, over o
_PRINTED = sp.Sum(sp.Sum(p[O, i] * sp.log(q[O, i]), (i, 1, M)), (k, 1, O)) / O
_TWO = {O: 2, M: 2}


def _final_written():
    at_two = (_MEAN.subs(_TWO).doit(), _PRINTED.subs(_TWO).doit())
    return Proof(
        (
            step("(1/o) row × E = the printed final L", _MEAN, _PRINTED),
            step("at o = m = 2", *at_two),
        ),
        assumptions=assume(M, O),
        counterexample={
            "o = m = 2": "printed L keeps only sample 2: p_21 log q_21 + p_22 log q_22"
        },
    )


def _final_checks():
    _X, _W, P, Z, terms, ref = _data(14)
    got = production.log_likelihood(Z, P)
    return [
        # Refuted only if the printed form misses by more than 1e-6, far above the ~1e-14
        # rounding of either side: the gap is the dropped samples, not arithmetic.
        differs("printed final L (only sample o) vs log_likelihood", terms[-1], got, atol=1e-6),
        # The budget of MATL-1: the worst term's 16u plus (O − 1)u of summation.
        close("log_likelihood vs the corrected L", got, ref, rtol=(len(P) + 16) * U),
    ]


register(
    id="MATL-4",
    title="Step 2: the final L sums over k but its summand carries (o)",
    section="matrix-loss",
    source=r"L=\frac{1}{o}\begin{bmatrix}\sum_k^o\sum_i^m\left[p_{(o)i}\log(s_{(o)i}) \right]"
    r"\end{bmatrix}",
    expect="false-as-written",
    title_zh="第 2 步：最终的 L 对 k 求和，被加项却带着 (o)",
    erratum_zh=(
        "被加项应带着求和下标 k：按原式，o 项全是第 o 个样本的项，L 退化为最后一个样本的"
        "对数似然。应为 L = (1/o) Σ_k Σ_i p_(k)i log q_(k)i。"
    ),
    written=_final_written,
    corrected=lambda: Proof(
        (step("(1/o)[P log Q^T]^D E_2", matrix_loss(sp.OneMatrix(O, 1)), LOSS),),
        assumptions=assume(M, O),
    ),
    correction=r"L=\frac{1}{o}\sum_k^o\sum_i^m p_{(k)i}\log q_{(k)i}",
    numeric=_final_checks,
    implementation=("softmax.log_likelihood",),
    note="The summand must carry the summed index k: as printed, every one of the o terms is "
    "sample o's, so L collapses to the log-likelihood of the last sample. (s_(k)i is the "
    "step-1 name for q_ki.) The step before it, (1/o) × row × [1 … 1], is right: MATL-1.",
)


def _ml_written():
    ml = sp.Sum(sp.Sum(p[k, j] * sp.log(q[k, j]), (i, 1, M)), (k, 1, O)) / O
    return Proof(
        (step("printed final L = printed ML result", _PRINTED, ml),),
        assumptions=assume(M, O, r"\text{ML section: } M \to o,\ N \to m"),
    )


def _ml_corrected():
    o, m = 3, 4
    pm = sp.Matrix(o, m, lambda a, b: p[a + 1, b + 1])
    qm = sp.Matrix(o, m, lambda a, b: sp.Symbol(f"q_{a + 1}{b + 1}", positive=True))
    row = sp.Matrix([(pm * qm.applyfunc(sp.log).T).diagonal()])
    likelihood = sp.prod(qm[a, b] ** pm[a, b] for a in range(o) for b in range(m))
    ml = sp.expand_log(sp.log(likelihood), force=True) / o
    return Proof(
        (step("(1/o)[P log Q^T]^D E_2 = (1/o) log prod q^p", (row * sp.ones(o, 1))[0] / o, ml),),
        general=False,
        sizes="o = 3, m = 4",
    )


def _ml_checks():
    X, P = production.datasets.random_data(20, 4, 3, seed=15)
    (O_, M_), Z = P.shape, X @ np.random.default_rng(15).normal(0.0, 0.5, (4, 4)).T
    with mpmath.workdps(60):
        zs = [[mpmath.mpf(float(v)) for v in row] for row in Z]
        qs = [[mpmath.exp(v) / mpmath.fsum(map(mpmath.exp, r)) for v in r] for r in zs]
        like = mpmath.fprod(qs[a][b] ** int(P[a, b]) for a in range(O_) for b in range(M_))
        want = float(mpmath.log(like) / O_)
    got = production.log_likelihood(Z, P)
    return [
        # The budget of MATL-1: (O + 16)u; the 60-digit product-form reference adds only
        # its final rounding.
        close(
            "log_likelihood = (1/o) log prod q^p",
            got,
            want,
            rtol=(O_ + 16) * U,
            reference="mpmath, 60 digits, product form",
        )
    ]


register(
    id="MATL-5",
    title="The matrix result agrees with the maximum-likelihood loss",
    section="matrix-loss",
    source=r"\text{把矩阵符号去掉,这里的结果和前面最大似然评估推导的结果一致}",
    expect="false-as-written",
    title_zh="矩阵结果与极大似然的损失一致",
    erratum_zh=(
        "按打印出的式子，两者并不相同：这里的被加项用 (o) 代替了 k（MATL-4），前面的结果"
        "用 j 代替了 i（ML-7）。改正后二者都是平均对数似然，矩阵形式与乘积形式相等。"
    ),
    written=_ml_written,
    corrected=_ml_corrected,
    correction=r"\frac{1}{o}\left[P\log Q^T\right]^D E_2=\frac{1}{o}\log\prod_k^o\prod_i^m "
    r"q_{(k)i}^{p_{(k)i}}=\frac{1}{o}\sum_k^o\sum_i^m p_{(k)i}\log q_{(k)i}",
    numeric=_ml_checks,
    implementation=("softmax.log_likelihood",),
    note="As printed the two results differ: this one has (o) for k in its summand (MATL-4) "
    "and the earlier one (ML-7) has j for i. Corrected, both are the mean log-likelihood; "
    "the matrix form equals the product form (1/o) log ∏∏ q^p at o = 3, m = 4 here, and the "
    "sum form for symbolic sizes in MATL-1.",
)
