r"""The loss in matrix form, step 1: $\log$ and the product $P\log(Q^T)$ (MATL-1 to 3).

Tutorial: 交叉熵(极大似然评估)计算, step 1 对数及矩阵乘积. Entries come from SymPy's
`MatrixSymbol` algebra (0-based, `derivations.matrices`); $A^D$, the diagonal of $A$ as a
row, is built entry by entry from $(P\log Q^T)_{kk}$.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations
from derivations.evidence import close, holds
from derivations.matrices import (
    E1,
    LQ_,
    P_,
    diagonal,
    jj,
    kk,
    loss_proof,
    shape_step,
    tidy,
)
from derivations.numeric import U, literal_q, loss_problem
from derivations.proof import Proof, step
from derivations.symbols import M, O, assume, p, q

declare = declarations(__name__)


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
    X, W, P, Z, _terms, ref = loss_problem()
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


declare(
    id="MATL-1",
    title=r"Matrix loss $L = (1/o)[P \log(Q^T)]^D \times E$, with $E$ of length $o$",
    source=r"L=\frac{1}{o}\left[P\log\left(Q^T\right)\right]^D×E",
    expect="holds-under-assumption",
    uses=(
        "ML-7",
        "MAT-3",
    ),
    written=_loss_written,
    assumed=loss_proof,
    numeric=_loss_checks,
    implementation=(production.notation.L, production.log_likelihood),
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
    X, W, P, Z, terms, _ref = loss_problem(12)
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


declare(
    id="MATL-2",
    title=r"The diagonal $A^D$ of an $m \times n$ matrix as a $1 \times n$ row",
    source=r"A_{m×n}^D\ \text{表示取对角线元素形成一个}\ 1×n\ \text{的矩阵}",
    expect="holds-under-assumption",
    uses=(),
    written=_diag_shapes([(m, n) for m in (1, 2, 3) for n in (1, 2, 3)]),
    assumed=_diag_shapes([(m, n) for m in range(1, 5) for n in range(1, m + 1)]),
    numeric=_diag_checks,
    implementation=(production.log_likelihood,),
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
    X, W, P, Z, _terms, _ref = loss_problem(13)
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


declare(
    id="MATL-3",
    title=r"Step 1: the expansion of $[P \log(S^T)]^D$ writes $S$ for $Q$",
    source=r"\left[P\log\left(S^T\right)\right]^D= \begin{bmatrix} \sum_i^m(p_{(1)i}s_{(1)i})& "
    r"\sum_i^m(p_{(2)i}s_{(2)i})& \cdots& \sum_i^m(p_{(o)i}s_{(o)i}) \end{bmatrix}",
    expect="false-as-written",
    uses=(
        "MATL-1",
        "MATL-2",
    ),
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
    implementation=(production.notation.S, production.notation.Q, production.log_likelihood),
    note="S was defined in step 2 as the o×1 column G×E, so P (o×m) times log(S^T) (1×o) is "
    "defined only for m = 1; the printed m×o matrix of entries s_ki shows that Q (the "
    "softmax the text also called S(x)) is meant. With Q, and s_(k)i standing for "
    "log q_ki as the text says, the row is right.",
)
