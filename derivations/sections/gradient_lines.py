r"""The gradient of one sample's log-likelihood, line by line (求偏导函数, GRAD-4 to GRAD-8).

Every $(\cdot)'$ is read literally as $\partial/\partial w_{ij}$ of $g_k=\sum_r w_{kr}x_r$
(`derivations.symbolic.prime`, symbolic $M$, $N$); each line's exact value
(`derivations.symbolic.value`) is compared with the next by `proof.chain`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import holds
from derivations.numeric import (
    grad_bound,
    gradient_problem,
    mp_fd_grad,
    near,
    refuted,
)
from derivations.proof import Proof, chain, identity, step
from derivations.symbolic import ONE_HOT, SUM_P, S, d_loss, prime, q_of, value
from derivations.symbols import M, N, assume, g, i, j, k, p, q, r, w, x

declare = declarations(__name__)

GRAD = (p[i] - q[i] * SUM_P) * x[j]  # ∂LOSS/∂w_ij for any p (GRAD-4, GRAD-5)


def _sum_k(f):
    return sp.Sum(f, (k, 1, M))


def _excl(f):
    r"""$\sum_{k\neq i}^M f(k) = \sum_k^M f(k) - f(i)$."""
    return _sum_k(f) - f.xreplace({k: i})


_LITERAL = "Every (·)' is ∂/∂w_ij of g_k = Σ_r w_kr x_r, by SymPy for symbolic M, N."


def _chain(lines):
    return chain([(name, value(e)) for name, e in lines], note=_LITERAL)


def _block1(dg, inner):
    """Block 1; `dg` is what (g_k)' in line 4 stands for, `inner` line 2's derivand."""
    pq = p[k] / q_of(k)
    quotient = (prime(sp.exp(g[k])) * S - sp.exp(g[k]) * prime(S)) / S**2
    line4 = prime(sp.exp(g[k])) / S - q_of(k) * q_of(i) * dg
    return [
        ("line 1 (Σ_k p_k ln q_k)'", d_loss()),
        ("line 2 Σ_k p_k/q_k (·)'", _sum_k(pq * prime(inner))),
        ("line 3 quotient rule", _sum_k(pq * quotient)),
        ("line 4", _sum_k(pq * line4)),
    ]


def _block2(dk):
    """Block 2. The i term's unbound k is the split's k = i; `dk` is (g_k)' in Σ_{k≠i}."""
    qi, di, gi = q_of(i), prime(g[i]), sp.Sum(w[i, r] * x[r], (r, 1, N))

    def term(a, d):
        return p[a] / q_of(a) * (prime(sp.exp(g[a])) / S - q_of(a) * qi * d)

    second = p[i] / qi * (qi - qi**2) * di - _excl(p[k] / q_of(k) * q_of(k) * qi * dk)
    return [
        ("∇_ij", d_loss()),
        ("split: i term + Σ_{k≠i}", term(i, di) + _excl(term(k, dk))),
        ("p_i/q_i(q_i−q_i²)(g)' − Σ_{k≠i} p_k q_i (g_k)'", second),
        ("[p_i − (p_i q_i + Σ_{k≠i} p_k q_i)](g)'", (p[i] - (p[i] * qi + _excl(p[k] * qi))) * di),
        ("(p_i − q_iΣp)∂(Σ_j w_ij x_j)/∂w_ij", (p[i] - qi * SUM_P) * prime(gi)),
        ("(p_i − q_iΣp)x_j", (p[i] - qi * SUM_P) * x[j]),
    ]


def _one_sample(seed, soft):
    W, X, y, P = gradient_problem(seed, O=1, Mc=5, Nf=4, soft=soft)
    Qr, got = reference.softmax(X @ W.T)[0], production.log_likelihood_grad(W, X, y)
    return X[0], P[0], Qr, got, grad_bound(W, X, P)


def _line4_checks():
    x0, p0, qr, got, bound = _one_sample(33, soft=False)
    return [
        refuted("line 4 with (g_k)' = δ_ki x_j", got, np.outer(p0 * (1 - qr), x0), "one-hot"),
        near("line 4 with (g_i)' = x_j", got, np.outer(p0 - qr, x0), bound, "mpmath softmax"),
    ]


declare(
    id="GRAD-4",
    title="Gradient, block 1: chain rule and quotient rule through softmax",
    source=r"\begin{split} \nabla_{ij}&=\left(\sum_k^M p_k\ln q_k\right)'\\ &=\sum_k^M\frac{p_k}"
    r"{q_k}\left(\sum_k^M\frac{e^{g_k}}{\sum_l^Me^{g_l}} \right)'\\ &=\sum_k^M\frac{p_k}{q_k}"
    r"\frac{\left(e^{g_k}\right)'\sum_l^Me^{g_l} - e^{g_k}\left(\sum_l^Me^{g_l}\right)'}{\left("
    r"\sum_l^Me^{g_l}\right)^2}\\ &=\sum_k^M\frac{p_k}{q_k}\left[\frac{\left(e^{g_k}\right)'}"
    r"{\sum_l^Me^{g_l}} - \frac{e^{g_k}}{\sum_l^Me^{g_l}}\frac{e^{g_i}}{\sum_l^Me^{g_l}}\left("
    r"g_k\right)'\right] \end{split}",
    expect="false-as-written",
    uses=(
        "GRAD-1",
        "GRAD-2",
        "GRAD-3",
    ),
    title_zh="梯度推导第一段：经过 softmax 的链式法则与商法则",
    erratum_zh=(
        "两处笔误：第 2 行在求导内部重用了求和下标 k，字面上是 Σ_k q_k = 1 的导数，即 0；"
        "第 4 行把分母求导得到的 (g_i)' 写成了 (g_k)'，丢掉了 −q_i x_j Σ_{k≠i} p_k 一项。"
        "把第 2 行写成 q_k 的导数、第 4 行写成 (g_i)' = x_j 后，推导成立。"
    ),
    written=lambda: _chain(_block1(prime(g[k]), _sum_k(q_of(k)))),
    corrected=lambda: _chain(_block1(prime(g[i]), q_of(k))),
    correction=r"\text{line 2: }\sum_k^M\frac{p_k}{q_k}\left(\frac{e^{g_k}}{\sum_l^Me^{g_l}}"
    r"\right)'\text{; line 4: }\left(g_k\right)'\to\left(g_i\right)'=x_j",
    numeric=_line4_checks,
    implementation=(production.log_likelihood_grad,),
    note="Two slips. Line 2 re-binds k inside the derivative: Σ_k q_k = 1, whose derivative "
    "is 0, so line 2 is literally 0. Line 4 writes (g_k)' where the denominator's derivative "
    "gives e^{g_i}(g_i)'; literally (g_k)' = δ_ki x_j, and line 4 loses −q_i x_j Σ_{k≠i} p_k. "
    "With q_k inside line 2 and (g_i)' in line 4 every step passes.",
)


def _block2_checks():
    x0, p0, qr, got, bound = _one_sample(34, soft=True)
    return [
        near("last line, soft labels", got, np.outer(p0 - qr * p0.sum(), x0), bound, "mpmath q"),
        refuted("first line read literally", got, np.outer(p0 * (1 - qr), x0), "soft labels"),
    ]


declare(
    id="GRAD-5",
    title=r"Gradient, block 2: the $i$ term split off, down to $(p_i - q_i\sum_k p_k)x_j$",
    source=r"\begin{split} \nabla_{ij}&=\frac{p_i}{q_i}\left[\frac{\left(e^{g_i}\right)'}{\sum_l^M"
    r"e^{g_l}} - \frac{e^{g_i}}{\sum_l^Me^{g_l}}\frac{e^{g_i}}{\sum_l^Me^{g_l}}\left(g_k\right)'"
    r"\right] + \sum_{k \neq i}^M\frac{p_k}{q_k}\left[\frac{\left(e^{g_k}\right)'}{\sum_l^Me^{g_l}"
    r"} - \frac{e^{g_k}}{\sum_l^Me^{g_l}}\frac{e^{g_i}}{\sum_l^Me^{g_l}}\left(g_k\right)'\right]\\"
    r" &=\frac{p_i}{q_i}\left(q_i-q_i^2\right)\left(g_k\right)'-\sum_{k \neq i}^M\frac{p_k}{q_k}"
    r"q_kq_i\left(g_k\right)'\\ &=\left[p_i-\left(p_iq_i+\sum_{k\neq i}^Mp_kq_i\right)\right]"
    r"\left(g_k\right)'\\ &=\left(p_i-q_i\sum_{k}^Mp_k\right)\frac{\partial\sum_j^N w_{ij}x_j}"
    r"{\partial w_{ij}}\\ &=\left(p_i-q_i\sum_{k}^Mp_k\right)x_j \end{split}",
    expect="false-as-written",
    uses=("GRAD-4",),
    title_zh="梯度推导第二段：拆出 i 项，得到 (p_i − q_iΣ_k p_k)x_j",
    erratum_zh=(
        "结果正确，但靠两处相互抵消的笔误：在 Σ_{k≠i} 中 (g_k)' = ∂g_k/∂w_ij 为 0，第一行"
        "因此少了一项；第三步又把 (g_k)' 当作 x_j 从求和中提出，把这一项加了回来。每一行"
        "都应写 (g_i)' = x_j。"
    ),
    written=lambda: _chain(_block2(prime(g[k]))),
    corrected=lambda: _chain(_block2(prime(g[i]))),
    correction=r"\left(g_k\right)'\to\left(g_i\right)'=x_j\text{ in every line}",
    numeric=_block2_checks,
    implementation=(production.log_likelihood_grad,),
    note="Right result, two cancelling slips. Inside Σ_{k≠i} (taken as Σ_k − (k = i)), "
    "(g_k)' = ∂g_k/∂w_ij is 0, so the first line (GRAD-4's line 4, split) misses "
    "−q_i x_j Σ_{k≠i} p_k; the third step pulls (g_k)' out of Σ_{k≠i} as if it were x_j, "
    "adding it back. The unbound k of the i term is read as i. With (g_i)', all steps pass.",
)


def _fd_checks():
    W, X, y, P = gradient_problem(35)
    got, G = production.log_likelihood_grad(W, X, y), production.notation.G(X, W)
    D = production.notation.D(P, production.notation.Q(G, production.notation.S(G)), X)
    bound = grad_bound(W, X, P)
    # The literal e^g/Σe^g carries (M + 3)u per q: its rounding bound adds to production's.
    both = bound + grad_bound(W, X, P, q_ulps=W.shape[0] + 3)
    return [
        near("vs mpmath central differences of L", got, mp_fd_grad(W, X, P), bound, "h = 1e-20"),
        near("vs the literal notation.D(P, Q, X)/O", got, D / len(X), both, "G, S, Q, D"),
    ]


declare(
    id="GRAD-6",
    title=r"With $\sum_k p_k = 1$ (one-hot labels) the gradient is $\nabla_{ij} = (p_i - q_i)x_j$",
    source=r"\nabla_{ij} = \left(p_i-q_i\right)x_j",
    expect="holds-under-assumption",
    uses=(
        "GRAD-5",
        "ML-2",
    ),
    written=lambda: identity(d_loss(), (p[i] - q[i]) * x[j], label="for any p"),
    assumed=lambda: Proof(
        (
            step("one-hot p_k = δ_kc sums to 1", _sum_k(ONE_HOT).doit(), 1),
            step("∂(Σ_k p_k ln q_k)/∂w_ij = (p_i − q_iΣ_k p_k)x_j", d_loss(), GRAD),
            step("with Σ_k p_k = 1", GRAD.xreplace({SUM_P: 1}), (p[i] - q[i]) * x[j]),
        ),
        assumptions=assume(sp.Eq(SUM_P, 1)),
    ),
    numeric=_fd_checks,
    implementation=(production.log_likelihood_grad, production.notation.D),
    note="For any p the derivative is (p_i − q_iΣ_k p_k)x_j; labels summing to 1 (one-hot, as "
    "the tutorial states) make it (p_i − q_i)x_j. Production checks label rows sum to 1.",
)


def _ce_checks():
    W, X, y, P = gradient_problem(36)
    got = production.cross_entropy_grad(W, X, y)
    same = np.array_equal(got, -production.log_likelihood_grad(W, X, y))
    fd = -mp_fd_grad(W, X, P)
    return [
        near("vs mpmath central differences of −L", got, fd, grad_bound(W, X, P), "h = 1e-20"),
        holds("cross_entropy_grad = −log_likelihood_grad", same, "bitwise"),
    ]


declare(
    id="GRAD-7",
    title=r"For the negated loss the gradient is $\nabla_{ij} = (q_i - p_i)x_j$",
    source=r"\nabla_{ij}=(q_i-p_i)x_j",
    expect="holds-under-assumption",
    uses=(
        "GRAD-6",
        "OPT-3",
    ),
    written=lambda: identity(d_loss(-1), (q[i] - p[i]) * x[j], label="for any p"),
    assumed=lambda: Proof(
        (
            step("∂(−Σ_k p_k ln q_k)/∂w_ij", d_loss(-1), -GRAD),
            step("with Σ_k p_k = 1", -GRAD.xreplace({SUM_P: 1}), (q[i] - p[i]) * x[j]),
        ),
        assumptions=assume(sp.Eq(SUM_P, 1)),
    ),
    numeric=_ce_checks,
    implementation=(production.cross_entropy_grad,),
    note="The same assumption as GRAD-6; production's cross_entropy_grad is this descent "
    "direction averaged over samples.",
)

_t, _R, _a = sp.Symbol("t", real=True), sp.Symbol("R", positive=True), sp.Symbol("a", positive=True)
_qs, _ps, _xs = sp.symbols("q_i p_i x_j", real=True)


def _limits():
    true_c = (1 - sp.exp(_t) / (sp.exp(_t) + _R)) * _xs
    other = -_a / (sp.exp(_t) + _R) * _xs
    return Proof(
        (
            step("q_i → p_i: (p_i − q_i)x_j → 0", sp.limit((_ps - _qs) * _xs, _qs, _ps), 0),
            step("true c, q_c = e^t/(e^t + R): (1 − q_c)x_j → 0", sp.limit(true_c, _t, sp.oo), 0),
            step("other i, q_i = a/(e^t + R): −q_i x_j → 0", sp.limit(other, _t, sp.oo), 0),
        ),
        assumptions=assume(r"t = g_c \to \infty", r"R = \sum_{k\neq c} e^{g_k}", r"a = e^{g_i}"),
    )


def _shrink_checks():
    X, margins, P = np.array([[1.25]]), np.arange(0.0, 42.0, 2.0), np.eye(4)[[0]]
    sizes, within = [], True
    for t in margins:
        W = np.array([[t], [0.5], [-0.3], [0.8]])
        got = production.log_likelihood_grad(W, X, [0])
        err = np.abs(got - (P - reference.softmax(X @ W.T)).T @ X).max()
        sizes.append(float(np.abs(got).max()))
        within = within and err <= grad_bound(W, X, P)
    falls = all(np.diff(sizes) < 0) and sizes[-1] < 1e-15
    trend = f"margin 0 → {margins[-1]:g}: {sizes[0]:.3g} → {sizes[-1]:.3g}"
    return [
        holds("max|∇| falls strictly to < 1e-15 as the true logit grows", falls, trend),
        holds("each within its rounding bound of (p − q)x", within, "mpmath q, grad_bound"),
    ]


declare(
    id="GRAD-8",
    title="The increment tends to 0 as the prediction approaches the truth",
    source=r"\text{当预测分布越接近真实分布时增量会越来越接近0}",
    expect="holds",
    uses=("GRAD-6",),
    written=_limits,
    numeric=_shrink_checks,
    implementation=(production.log_likelihood_grad,),
    note="One sample, one-hot label: p and x are fixed, ∇ = (p − q)x depends on W only "
    "through q and vanishes as q tends to p (never reached: softmax is never one-hot).",
)
