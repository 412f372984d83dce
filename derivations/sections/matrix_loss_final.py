r"""The loss in matrix form, step 2: $L = \frac{1}{o}\left[P\log(Q^T)\right]^D E$ (MATL-4, 5).

Tutorial: step 2 交叉熵计算, the final formula, and its agreement with maximum likelihood.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations
from derivations.evidence import close, differs
from derivations.matrices import (
    MEAN_LOSS,
    matrix_loss,
)
from derivations.numeric import U, loss_problem
from derivations.proof import Proof, step
from derivations.symbols import M, O, assume, i, j, k, p, q

declare = declarations(__name__)

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
    _X, _W, P, Z, terms, ref = loss_problem(14)
    got = production.log_likelihood(Z, P)
    return [
        # Refuted only if the printed form misses by more than 1e-6, far above the ~1e-14
        # rounding of either side: the gap is the dropped samples, not arithmetic.
        differs("printed final L (only sample o) vs log_likelihood", terms[-1], got, atol=1e-6),
        # The budget of MATL-1: the worst term's 16u plus (O − 1)u of summation.
        close("log_likelihood vs the corrected L", got, ref, rtol=(len(P) + 16) * U),
    ]


declare(
    id="MATL-4",
    title=r"Step 2: the final $L$ sums over $k$ but its summand carries $(o)$",
    source=r"L=\frac{1}{o}\begin{bmatrix}\sum_k^o\sum_i^m\left[p_{(o)i}\log(s_{(o)i}) \right]"
    r"\end{bmatrix}",
    expect="false-as-written",
    uses=("MATL-3",),
    title_zh="第 2 步：最终的 L 对 k 求和，被加项却带着 (o)",
    erratum_zh=(
        "被加项应带着求和下标 k：按原式，o 项全是第 o 个样本的项，L 退化为最后一个样本的"
        "对数似然。应为 L = (1/o) Σ_k Σ_i p_(k)i log q_(k)i。"
    ),
    written=_final_written,
    corrected=lambda: Proof(
        (step("(1/o)[P log Q^T]^D E_2", matrix_loss(sp.OneMatrix(O, 1)), MEAN_LOSS),),
        assumptions=assume(M, O),
    ),
    correction=r"L=\frac{1}{o}\sum_k^o\sum_i^m p_{(k)i}\log q_{(k)i}",
    numeric=_final_checks,
    implementation=(production.log_likelihood,),
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


declare(
    id="MATL-5",
    title="The matrix result agrees with the maximum-likelihood loss",
    source=r"\text{把矩阵符号去掉,这里的结果和前面最大似然评估推导的结果一致}",
    expect="false-as-written",
    uses=(
        "MATL-4",
        "ML-7",
    ),
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
    implementation=(production.log_likelihood,),
    note="As printed the two results differ: this one has (o) for k in its summand (MATL-4) "
    "and the earlier one (ML-7) has j for i. Corrected, both are the mean log-likelihood; "
    "the matrix form equals the product form (1/o) log ∏∏ q^p at o = 3, m = 4 here, and the "
    "sum form for symbolic sizes in MATL-1.",
)
