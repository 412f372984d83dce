r"""The algorithm summary (算法总结): definitions with shapes, softmax, loss, training step.

Reuses the entry-by-entry proofs of `model` (softmax) and `matrix_loss` (the loss). The
gradient is differentiated exactly by SymPy at explicit sizes.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import close, holds
from derivations.matrices import (
    W_,
    X_,
    entry,
    kk,
    ll,
    loss_proof,
    shape_step,
    softmax_form_proof,
    tidy,
)
from derivations.numeric import U, literal_q, matrix_problem, softmax_form_checks
from derivations.proof import Proof, step
from derivations.sources import BISHOP
from derivations.symbols import M, N, O, assume

declare = declarations(__name__)

P_, Q_ = sp.MatrixSymbol("P", O, M), sp.MatrixSymbol("Q", O, M)
E1, E2 = sp.OneMatrix(M, 1), sp.OneMatrix(O, 1)
G_ = X_ * W_.T  # G = e^{XW^T} has the shape of XW^T (exp acts entry by entry)


def _shapes():
    return Proof(
        (
            shape_step("G = e^{XW^T} is (O, M), the shape of Q", G_, Q_.shape),
            shape_step("G E_1 is (O, 1)", G_ * E1, (O, 1)),
            shape_step("P log Q^T is (O, O)", P_ * Q_.T, (O, O)),
            shape_step("[P log Q^T]^D E_2 is 1×1", sp.MatrixSymbol("R", 1, O) * E2, (1, 1)),
            shape_step("(P − Q)^T X is (M, N), the shape of W", (P_ - Q_).T * X_, W_.shape),
        ),
        assumptions=assume(M, N, O),
    )


def _shape_checks():
    X, W, P = matrix_problem(21, O=30, M=4, features=5)
    G = production.notation.G(X, W)
    got = {
        "X": X.shape,
        "P": P.shape,
        "Q": production.softmax(X @ W.T).shape,
        "G E_1": production.notation.S(G).shape,
        "grad": production.log_likelihood_grad(W, X, P).shape,
    }
    want = {"X": (30, 6), "P": (30, 4), "Q": (30, 4), "G E_1": (30, 1), "grad": W.shape}
    return [
        holds(f"{name} has shape {want[name]}", got[name] == want[name], str(got[name]))
        for name in got
    ]


declare(
    id="SUM-1",
    title=r"The shapes $X$ $(O,N)$, $W$ $(M,N)$, $P$ $(O,M)$, $Q$ $(O,M)$ fit every product",
    source=r"X\text{是样本(feature)矩阵,形状为}(O,N),\ W\text{是权重矩阵,形状为}(M,N),\ "
    r"P\text{是标签(label)矩阵,形状为}(O,M),\ Q\text{是softmax计算后得到的矩阵,形状为}(O,M)",
    expect="holds",
    uses=(
        "MAT-3",
        "GRADM-2",
    ),
    written=_shapes,
    numeric=_shape_checks,
    implementation=(
        production.datasets.random_data,
        production.softmax,
        production.notation.S,
        production.log_likelihood_grad,
    ),
    note="Shapes of the products come from SymPy's matrix algebra, which raises on a "
    "mismatch; the four stated shapes are those of the matrix symbols.",
)

# --- SUM-2: E_1, E_2 are called identity matrices --------------------------------------------


def _ones_sum():
    g = sp.IndexedBase("g")
    rows = step(
        "(G E_1)_k = sum_i G_ki",
        tidy(entry(sp.MatrixSymbol("G", O, M) * E1, kk, 0, {"G": g})),
        sp.Sum(g[kk, ll], (ll, 0, M - 1)),
    )
    shapes = (shape_step("E_1 is (M, 1)", E1, (M, 1)), shape_step("E_2 is (O, 1)", E2, (O, 1)))
    return Proof((*shapes, rows), assumptions=assume(M, O))


def _ones_checks():
    e1, e2 = production.notation.E1(4), production.notation.E2(30)
    G = production.notation.G(*matrix_problem(22, O=30, M=4)[:2])
    S, rows = production.notation.S(G), G.sum(axis=1, keepdims=True)
    return [
        holds(
            "notation.E1(4) is the 4×1 column of ones",
            np.array_equal(e1, np.ones((4, 1))),
            f"shape {e1.shape}; an identity matrix would be (4, 4)",
        ),
        holds(
            "notation.E2(30) is the 30×1 column of ones",
            np.array_equal(e2, np.ones((30, 1))),
            f"shape {e2.shape}",
        ),
        holds(
            "G E_1 adds each row; G I_4 would return G",
            np.array_equal(G @ np.eye(4), G) and S.shape == (30, 1),
            "E_1 ≠ I",
        ),
        # Two sums of the same 4 positive terms in any order: each within 3u of the exact.
        close("notation.S(G) = the row sums of G", S, rows, rtol=6 * U, reference="numpy"),
    ]


declare(
    id="SUM-2",
    title=r"$E_1$, $E_2$ are called identity matrices (单位矩阵) but are all-ones columns",
    source=r"E_1,E_2\text{是两个用于合并计算的单位矩阵,形状为}(M,1)\text{和}(O,1)",
    expect="false-as-written",
    uses=("MAT-2",),
    title_zh="E_1、E_2 被称为单位矩阵，实际是全 1 列向量",
    erratum_zh=(
        "单位矩阵是方阵：形状为 (M, 1) 的单位矩阵只在 M = 1 时存在，而且乘以它不会对 G 的"
        "各行求和。同一行给出的 E = [1, 1, …, 1]ᵀ 表明，这里指的是全 1 列向量。"
    ),
    written=lambda: Proof(
        (
            shape_step("identity E_1: shape (M, M) = (M, 1)", sp.Identity(M), (M, 1)),
            shape_step("identity E_2: shape (O, O) = (O, 1)", sp.Identity(O), (O, 1)),
        ),
        assumptions=assume(M, O),
    ),
    corrected=_ones_sum,
    correction=r"E_1=\mathbf{1}_{M\times 1},\ E_2=\mathbf{1}_{O\times 1}\ "
    r"\text{(all-ones columns)}",
    numeric=_ones_checks,
    implementation=(production.notation.E1, production.notation.E2, production.notation.S),
    note="单位矩阵 is the identity matrix, which is square: one of shape (M, 1) exists only for "
    "M = 1, and multiplying by it would leave G unchanged instead of adding its rows. The "
    "same line shows E = [1, 1, …, 1]^T, so all-ones columns are meant. (A^D is glossed "
    "类似于特征, an analogy, not registered: see the matrix-loss claims for A^D.)",
)

# --- SUM-3, SUM-4: the softmax and loss formulas ----------------------------------------------


declare(
    id="SUM-3",
    title=r"Softmax: $G = e^{XW^T}$, $Q = G/(G \cdot E_1)$",
    source=r"G=e^{XW^T},\ Q=Softmax=\frac{G}{G*E_1}",
    expect="holds",
    uses=("MODEL-3",),
    written=softmax_form_proof,
    numeric=lambda: softmax_form_checks(23),
    implementation=(production.notation.G, production.notation.Q, production.softmax),
    note="G*E_1 is the matrix product (O×1); the division is row by row. Same proof as MODEL-3.",
)


def _loss_checks():
    X, W, P = matrix_problem(24)
    Z = X @ W.T
    ref = float(np.sum(P * reference.log_softmax(Z)) / len(P))
    lit = production.notation.L(P, literal_q(X, W))
    fits = P.shape[0] == len(production.notation.E1(len(W)))
    return [
        # Error budgets as in MATL-1: (O + 16)u relative for production, (M + 4)u + (O + 3)u|L|
        # for the literal form; the reference's numpy sum adds at most O·u·|L| more.
        close("log_likelihood", production.log_likelihood(Z, P), ref, rtol=(2 * len(P) + 16) * U),
        close("notation.L with E_2", lit, ref, rtol=(2 * len(P) + 3) * U, atol=(len(W) + 4) * U),
        holds("E_1 (M×1) would not fit the 1×O row", not fits, f"O = {len(P)}, M = {len(W)}"),
    ]


declare(
    id="SUM-4",
    title=r"$\mathrm{Loss} = (1/o)[P \log(Q^T)]^D \times E$, with $E = E_2$",
    source=r"Loss=\frac{1}{o}\left[Plog(Q^T)\right]^D×E",
    expect="holds",
    uses=("MATL-1",),
    written=loss_proof,
    numeric=_loss_checks,
    implementation=(production.notation.L, production.notation.E2, production.log_likelihood),
    note="Here E is the generic all-ones column the summary defines next to E_1 and E_2; only "
    "E_2 (O×1) fits the 1×O diagonal row, so E = E_2 is read (unlike MATL-1, where the one E "
    "defined is m×1). The result is the mean log-likelihood, maximised by training.",
)

# --- SUM-5: the training step --------------------------------------------------------------


def _grad_at(O_, M_, N_, one_hot=True):
    """d L / d W by SymPy, against (P − Q)^T X / O, at explicit sizes; with `one_hot` the
    rows of P sum to 1 (p_kM = 1 − the others)."""
    X = sp.Matrix(O_, N_, lambda a, b: sp.Symbol(f"x_{a + 1}{b}", real=True))
    W = sp.Matrix(M_, N_, lambda a, b: sp.Symbol(f"w_{a + 1}{b}", real=True))
    P = sp.Matrix(O_, M_, lambda a, b: sp.Symbol(f"p_{a + 1}{b + 1}", real=True))
    Z = X * W.T
    den = [sum(sp.exp(Z[a, b]) for b in range(M_)) for a in range(O_)]
    Q = sp.Matrix(O_, M_, lambda a, b: sp.exp(Z[a, b]) / den[a])
    # log q_ki = z_ki − log sum_l e^{z_kl}, exactly, for real logits
    L = sum(P[a, b] * (Z[a, b] - sp.log(den[a])) for a in range(O_) for b in range(M_)) / O_
    one = {P[a, M_ - 1]: 1 - sum(P[a, : M_ - 1]) for a in range(O_)} if one_hot else {}
    gens = {
        sp.exp(Z[a, b]): sp.Symbol(f"e_{a}{b}", positive=True) for a in range(O_) for b in range(M_)
    }
    grad = sp.Matrix(M_, N_, lambda r, s: sp.diff(L, W[r, s])).subs(one)
    # The residual is rational in the e^{z}: cancel it with each e^{z} a symbol.
    return step(
        f"(O, M, N) = {(O_, M_, N_)}: dL/dW = (P − Q)^T X / O",
        grad,
        ((P - Q).T * X / O_).subs(one),
        lambda e: sp.cancel(e.xreplace(gens)),
    )


_SIZES = ((1, 2, 1), (2, 2, 2), (2, 3, 2), (3, 3, 2))


def _update_checks():
    X, W, P = matrix_problem(25)
    Q, (O_, M_) = literal_q(X, W), P.shape
    ascent = production.log_likelihood_grad(W, X, P)
    D = production.notation.D(P, Q, X) / O_
    # Q: literal ≤ (M + 4)u, production ≤ 8u relative; each O-term product sums with ≤ O·u.
    bound = (M_ + 12 + 2 * O_) * U * ((P + Q).T @ np.abs(X)) / O_
    h, fd = 1e-5, np.empty_like(W)
    for r, s in np.ndindex(W.shape):
        step_ = np.zeros_like(W)
        step_[r, s] = h
        up, down = (production.notation.L(P, literal_q(X, W + t * step_)) for t in (1, -1))
        fd[r, s] = (up - down) / (2 * h)
    gain = production.log_likelihood(X @ (W + 0.1 * ascent).T, P) - production.log_likelihood(
        X @ W.T, P
    )
    return [
        holds(
            "log_likelihood_grad = notation.D / O",
            np.all(np.abs(ascent - D) <= bound),
            f"max |Δ| = {np.max(np.abs(ascent - D)):.3g}",
        ),
        holds(
            "log_likelihood_grad = −cross_entropy_grad",
            np.array_equal(ascent, -production.cross_entropy_grad(W, X, P)),
            "exact",
        ),
        # Central difference, h = 1e-5: truncation ~h²|L'''| < 1e-9, rounding of the
        # literal L (≈ 1e-14) over 2h ≈ 1e-9; 1e-7 leaves a wide margin.
        close("vs central differences of notation.L", ascent, fd, rtol=0, atol=1e-7),
        holds("one step W + 0.1·grad raises L", gain > 0, f"L rises by {gain:.3g}"),
    ]


declare(
    id="SUM-5",
    title=r"Training step $W \leftarrow W + \eta(P - Q)^TX/O$ is gradient ascent on $L$",
    source=r"W=W+\eta\frac{\left(P-Q\right)^T×X}{O}",
    expect="holds-under-assumption",
    uses=(
        "GRADM-2",
        "OPT-2",
    ),
    written=lambda: Proof((_grad_at(1, 2, 1, one_hot=False),), general=False, sizes="(1, 2, 1)"),
    assumed=lambda: Proof(
        tuple(_grad_at(*s) for s in _SIZES),
        general=False,
        sizes=f"(O, M, N) ∈ {{{', '.join(map(str, _SIZES))}}}",
        assumptions=assume(r"\sum_i p_{ki} = 1", r"L=\frac{1}{O}\sum_k\sum_i p_{ki}\log q_{ki}"),
        note="A general proof needs derivatives through nested Indexed sums; here SymPy "
        "differentiates the loss exactly at each listed size.",
    ),
    numeric=_update_checks,
    implementation=(
        production.log_likelihood_grad,
        production.cross_entropy_grad,
        production.notation.D,
        production.log_likelihood,
    ),
    references=(BISHOP,),
    note="(P − Q)^T X / O is the gradient of the mean log-likelihood L when each row of P "
    "sums to 1 (one-hot or probability labels; as for GRAD-6), so the step climbs L for "
    "η > 0. For other P the gradient is (P − diag(P E_1) Q)^T X / O. The stopping rule that "
    "follows (repeat until the change is near 0) is a heuristic, not registered.",
)
