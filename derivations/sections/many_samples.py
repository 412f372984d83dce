r"""Many samples and the matrix D (多个样本与矩阵运算).

Tutorial: $\nabla_{ij}=\frac{1}{O}\sum_k^O(p_{(k)i}-q_i)x_{(k)j}$, the update $W=W+\eta D$
and $D=(P-Q)^TX$, "the matrix form of $\nabla_{ij}$". The derivative of
$L=\frac{1}{O}\sum_k^O\sum_m^M p_{km}\ln q_{km}$ is computed by SymPy for symbolic $O$, $M$,
$N$ (`derivations.symbolic.prime`, with $g_{km}=\sum_r w_{mr}x_{kr}$).
"""

from __future__ import annotations

from functools import cache

import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.numeric import grad_bound, gradient_problem, near, refuted
from derivations.proof import Proof, canonical, step
from derivations.symbolic import indices, prime, split
from derivations.symbols import M, N, O, assume, g, i, j, k, l, p, q, x

declare = declarations(__name__)


# ---- numeric tools shared with gradient.py: data, rounding bounds, mpmath references ----


m = sp.Symbol("m", integer=True, positive=True)
_Sv = sp.IndexedBase("S", positive=True)  # S_k = Σ_l e^{g_kl}, one per sample
ROWS = sp.Eq(sp.Sum(p[k, m], (m, 1, M)), 1)
GENERAL = sp.Sum((p[k, i] - q[k, i] * sp.Sum(p[k, m], (m, 1, M))) * x[k, j], (k, 1, O)) / O
CORRECT = sp.Sum((p[k, i] - q[k, i]) * x[k, j], (k, 1, O)) / O
WRITTEN = sp.Sum((p[k, i] - q[i]) * x[k, j], (k, 1, O)) / O


def _q(s, a):
    return sp.exp(g[s, a]) / sp.Sum(sp.exp(g[s, l]), (l, 1, M))


def _is_sample_sum(e):
    return isinstance(e, sp.Sum) and isinstance(e.function, sp.exp)


def _is_exp_g(e):
    return isinstance(e, sp.exp) and e.args[0].is_Indexed


@cache
def d_mean():
    r"""$\partial L/\partial w_{ij}$, written with $q_{ki}$ (exact: $e^{g_{ki}} = q_{ki}S_k$)."""
    loss = sp.Sum(sp.Sum(p[k, m] * sp.log(_q(k, m)), (m, 1, M)), (k, 1, O)) / O
    out = canonical(split(canonical(split(prime(loss)).doit())).doit())
    out = out.replace(_is_sample_sum, lambda e: _Sv[indices(e, g)[0]])
    return out.replace(_is_exp_g, lambda e: q[e.args[0].indices] * _Sv[e.args[0].indices[0]])


def rows_one(expr):
    """Apply Σ_m p_km = 1 to every sample k (one-hot label rows)."""
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Sum)
            and e.function.is_Indexed
            and e.function.base == p
            and e.function.indices[1] == e.limits[0][0]
        ),
        lambda e: sp.Integer(1),
    )


def _mean_grad(target, label):
    return Proof(
        (
            step("∂L/∂w_ij = (1/O)Σ_k(p_ki − q_kiΣ_m p_km)x_kj", d_mean(), GENERAL),
            step(label, rows_one(canonical(GENERAL)), target),
        ),
        assumptions=assume(O, M, N, ROWS),
    )


def _mean_checks():
    W, X, y, P = gradient_problem(51, O=7, Mc=4, Nf=3)
    Qr, got = reference.softmax(X @ W.T), production.log_likelihood_grad(W, X, y)
    # The reference (P − Q_ref)ᵀX/O has correctly rounded q: its own bound (q_ulps = 1) adds.
    tol = grad_bound(W, X, P) + grad_bound(W, X, P, q_ulps=1)
    return [
        near("= (1/O)Σ_k(p_ki − q_ki)x_kj", got, (P - Qr).T @ X / 7, tol, "mpmath q per sample"),
        refuted("as written, q_i of sample 1", got, (P - Qr[0]).T @ X / 7, "one q for all"),
        refuted("as written, q_i the mean", got, (P - Qr.mean(0)).T @ X / 7, "one q for all"),
    ]


declare(
    id="GRADM-1",
    title=r"The mean gradient over $O$ samples needs $q$ per sample: $(1/O)\sum_k(p_{ki} - "
    r"q_{ki})x_{kj}$",
    source=r"\nabla_{ij}=\frac{1}{O}\sum_k^O(p_{(k)i}-q_i)x_{(k)j}",
    expect="false-as-written",
    uses=(
        "GRAD-6",
        "ML-7",
    ),
    title_zh="O 个样本的平均梯度：每个样本有自己的 q",
    erratum_zh=(
        "式中的 q_i 没有样本下标，等于用同一个预测值代替所有样本的预测。每个样本都有自己"
        "的 q_(k)i，应写作 (1/O) Σ_k (p_(k)i − q_(k)i) x_(k)j。"
    ),
    written=lambda: _mean_grad(WRITTEN, "with Σ_m p_km = 1: (1/O)Σ_k(p_ki − q_i)x_kj"),
    corrected=lambda: _mean_grad(CORRECT, "with Σ_m p_km = 1: (1/O)Σ_k(p_ki − q_ki)x_kj"),
    correction=r"\nabla_{ij}=\frac{1}{O}\sum_k^O\left(p_{(k)i}-q_{(k)i}\right)x_{(k)j}",
    numeric=_mean_checks,
    implementation=(production.log_likelihood_grad,),
    note="q_i carries no sample index, so as written one number stands for every sample's "
    "prediction; the residual (1/O)Σ_k (q_i − q_ki)x_kj vanishes only if every q_ki equals "
    "q_i (or by accident). Each sample has its own q_(k)i, as P and Q in D = (P − Q)ᵀX have.",
)

_P, _Q, _X = (sp.MatrixSymbol(name, O, cols) for name, cols in (("P", M), ("Q", M), ("X", N)))
_NAMES = {_P: p, _Q: q, _X: x}


def _entry_of_d():
    """Entry (i, j) of (P − Q)ᵀX, re-indexed from 1 like the tutorial."""
    entry = ((_P - _Q).T * _X)[i - 1, j - 1].replace(
        lambda e: isinstance(e, sp.matrices.expressions.matexpr.MatrixElement),
        lambda e: _NAMES[e.args[0]][e.args[1] + 1, e.args[2] + 1],
    )
    return entry.change_index(entry.limits[0][0], entry.limits[0][0] + 1, k)


def _d(scale):
    entry, total = _entry_of_d() * scale, sp.Sum((p[k, i] - q[k, i]) * x[k, j], (k, 1, O))
    shown = "(P − Q)ᵀX" + ("/O" if scale != 1 else "")
    return Proof(
        (
            step(f"entry (i, j) of {shown}", entry, total * scale),
            step(f"{shown} = ∂L/∂w_ij (Σ_m p_km = 1)", entry, rows_one(d_mean())),
        ),
        assumptions=assume(O, M, N, ROWS),
    )


def _d_checks():
    W, X, y, P = gradient_problem(52, O=9, Mc=5, Nf=4)
    G, got = production.notation.G(X, W), production.log_likelihood_grad(W, X, y)
    D = production.notation.D(P, production.notation.Q(G, production.notation.S(G)), X)
    # Literal q = e^g/Σe^g within (M + 3)u: the D/O rounding bound adds to production's.
    tol = grad_bound(W, X, P) + grad_bound(W, X, P, q_ulps=W.shape[0] + 3)
    minus_ce = -production.cross_entropy_grad(W, X, y)
    return [
        near("notation.D(P, Q, X)/O = log_likelihood_grad", D / 9, got, tol, "literal G, S, Q"),
        near("notation.D(P, Q, X)/O = −cross_entropy_grad", D / 9, minus_ce, tol, "literal"),
        refuted("notation.D itself (O = 9)", D, got, "the gap is (O − 1)|∇|"),
    ]


declare(
    id="GRADM-2",
    title=r"$D = (P - Q)^TX$ is $O$ times the matrix of $\nabla_{ij}$: the $1/O$ is missing",
    source=r"W=W+\eta D,\ D=(P-Q)^TX",
    expect="false-as-written",
    uses=("GRADM-1",),
    title_zh="D = (P − Q)ᵀX 缺少 1/O",
    erratum_zh=(
        "(P − Q)ᵀX 的 (i, j) 元素是对 O 个样本求和的梯度，是平均梯度 ∇_ij 的 O 倍。更新仍"
        "是上升方向，但步长大了 O 倍；应取 D = (P − Q)ᵀX / O，与算法总结的第 4 步一致。"
    ),
    written=lambda: _d(1),
    corrected=lambda: _d(1 / O),
    correction=r"D=\frac{(P-Q)^TX}{O},\ W=W+\eta D",
    numeric=_d_checks,
    implementation=(production.notation.D, production.log_likelihood_grad),
    note="Entry (i, j) of (P − Q)ᵀX is Σ_k (p_ki − q_ki)x_kj, the gradient of the summed "
    "log-likelihood: O times the ∇_ij of the mean loss that the section just wrote. W + ηD "
    "still ascends, with a step O times larger; the summary's step 4 divides by O.",
)
