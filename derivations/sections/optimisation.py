r"""Signs and update rules (参数优化).

Tutorial: $Loss=-\frac{1}{o}\sum\sum p\ln q$ turns the maximisation of $L$ into a
minimisation "from $+\infty$ towards 0"; $\nabla_{ij}=\partial L/\partial w_{ij}$ with the
ascent step $w_{ij}=w_{ij}+\eta\nabla_{ij}$, and for the negated loss $w_{ij}-\eta\nabla_{ij}$.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import holds
from derivations.numeric import U, loss_err, ulps
from derivations.proof import Proof, Step, for_sizes, positive, step
from derivations.symbolic import d_loss
from derivations.symbols import M, N, O, assume, eta, i, j, k, w

declare = declarations(__name__)

# ---- OPT claims ----------------------------------------------------------------------

_c = sp.Symbol("c", integer=True, positive=True)
_u, _t = sp.Symbol("q_c", positive=True), sp.Symbol("t", positive=True)
_qv, _ell = sp.IndexedBase("q", positive=True), sp.IndexedBase("ell", positive=True)


def _sign_checks():
    X, P = production.datasets.random_data(50, 6, 5, seed=41)
    z = X @ np.random.default_rng(41).normal(0, 0.3, (6, 6)).T
    ce = production.cross_entropy(z, P, reduction="none")
    same = np.array_equal(ce, -production.log_likelihood(z, P, reduction="none"))
    margins = np.arange(0.0, 60.0, 3.0)  # one sample's true logit pulled ahead
    z_path = [[t, 0.4, -1.0, 0.9] for t in margins]
    path = production.cross_entropy(z_path, [0] * 20, reduction="none")
    falls = bool(np.all(np.diff(path) < 0) and np.all(path > 0))
    trend = f"margin 0 → {margins[-1]:g}: {path[0]:.3g} → {path[-1]:.3g}"
    want = -reference.log_softmax(z)[np.arange(50), P.argmax(1)]
    return [
        holds(
            "Loss = −L bitwise, every sample's Loss > 0", same and ce.min() > 0, f"{ce.min():.3g}"
        ),
        ulps("per-sample Loss = −ln q_c", ce, want, "mpmath log-softmax, 60 digits"),
        holds("Loss falls strictly, staying > 0, as q_c → 1", falls, trend),
    ]


def _nonneg(label, expr):
    ok = sp.simplify(expr).is_nonnegative
    return Step(label, expr, "≥ 0", sp.Integer(0) if ok else f"{expr} is not known ≥ 0")


def _signs():
    one_hot = sp.Sum(sp.KroneckerDelta(i, _c, (1, M)) * sp.log(_qv[i]), (i, 1, M))
    return Proof(
        (
            step("p_i = δ_ic: −Σ_i p_i ln q_i = −ln q_c", -one_hot.doit(), -sp.log(_qv[_c])),
            positive("q_c = 1/(1+t), t = Σ_{k≠c}e^{g_k−g_c}: −ln q_c > 0", -sp.log(1 / (1 + _t))),
            positive("Loss = (1/O)Σ_k ℓ_k > 0 for ℓ_k > 0", sp.Sum(_ell[k], (k, 1, O)) / O),
            step("q_c → 0⁺: 1/(−ln q_c) → 0", sp.limit(-1 / sp.log(_u), _u, 0, "+"), 0),
            positive("decreasing in q_c: d(ln q_c)/dq_c > 0", sp.diff(sp.log(_u), _u)),
            step("q_c → 1⁻: −ln q_c → 0", sp.limit(-sp.log(_u), _u, 1, "-"), 0),
        ),
        assumptions=assume(M, O, r"M \ge 2", r"p_i = \delta_{ic}"),
    )


declare(
    id="OPT-1",
    title=r"The negated loss is minimised: $\mathrm{Loss} = -L > 0$, falling towards 0 from above",
    source=r"Loss=-\frac{1}{o}\sum\sum p\ln q\ \text{从正无穷方向接近0}",
    expect="holds",
    uses=("ML-7",),
    written=_signs,
    numeric=_sign_checks,
    implementation=(production.cross_entropy, production.log_likelihood),
    note="Per sample the negated loss is −ln q_c > 0, running from +∞ (q_c → 0) "
    "down to 0 (q_c → 1), never 0 for finite logits with M ≥ 2; so L = −Loss approaches 0 "
    "from below, and maximising L is minimising Loss.",
)


def _ascent(n):
    """A differentiable L of n weights: the step w + η∇L changes L at rate ‖∇L‖² ≥ 0."""
    ws, ds = sp.symbols(f"w_1:{n + 1}", real=True), sp.symbols(f"d_1:{n + 1}", real=True)
    L = sp.Function("L", real=True)(*ws)
    grad = [sp.diff(L, v) for v in ws]
    moved = L.subs({v: v + eta * d for v, d in zip(ws, grad, strict=True)}, simultaneous=True)
    rate = sp.diff(moved, eta).subs(eta, 0).doit()
    return Proof(
        (
            _nonneg("‖∇L‖² ≥ 0", sum(d**2 for d in ds)),
            step("d/dη L(w + η∇L) at η = 0 = ‖∇L‖²", rate, sum(d**2 for d in grad)),
        )
    )


def _gain(name, f, W0, W1, grad, lr, X):
    """Δ = f(W0) − f(W1), W1 = W0 ∓ η∇, lies in [¾, 1]·η‖∇‖² for the cross-entropy f.

    Upper: f is convex in W. Lower: its Hessian is at most ½ max_k‖x_k‖²
    (diag(q) − qqᵀ ≼ ½I, Böhning 1992), so with η = 1/max‖x_k‖² the second-order term is
    at most ¼ of the first-order gain. Slack: both loss values' rounding (loss_err) and the
    rounded step (≤ u‖W1‖ off, |∇f| ≤ √2 max‖x_k‖).
    """
    sq, xmax = lr * float((grad**2).sum()), float(np.sqrt((X**2).sum(axis=1).max()))
    slack = loss_err(W0, X) + loss_err(W1, X) + 2**0.5 * xmax * U * float(np.linalg.norm(W1))
    gain = f(W0) - f(W1)
    detail = f"Δ = {gain:.6g}, η‖∇‖² = {sq:.6g}, ratio {gain / sq:.4f} ∈ [0.75, 1]"
    return holds(name, 0.75 * sq - slack <= gain <= sq + slack, detail)


def _step_data(seed):
    """The tutorial's kind of data (random_data: bias column, features in [0, 5))."""
    X, P = production.datasets.random_data(80, 5, 6, seed=seed)
    W = np.random.default_rng(seed).normal(0, 0.1, (5, 7))
    return X, P, W, 1.0 / float((X**2).sum(axis=1).max())


def _ascent_checks():
    X, P, W, lr = _step_data(42)
    grad = production.log_likelihood_grad(W, X, P)

    def f(V):
        return -float(production.log_likelihood(X @ V.T, P))

    return [_gain("an ascent step raises L by [¾, 1]·η‖∇‖²", f, W, W + lr * grad, grad, lr, X)]


_WHY = "A function of a symbolic number of variables cannot be formed in SymPy (chain rule)."
declare(
    id="OPT-2",
    title=r"$w_{ij} + \eta\nabla_{ij}$ with $\nabla_{ij} = \partial L/\partial w_{ij}$ is "
    r"gradient ascent: it raises $L$ for small $\eta$",
    source=r"\nabla_{ij}=\frac{\partial L(w_{ij})}{\partial w_{ij}}"
    r",\ w_{ij}=w_{ij}+\eta\nabla_{ij}",
    expect="holds",
    uses=("OPT-1",),
    written=lambda: for_sizes(_ascent, range(1, 5), name="n", why=_WHY),
    numeric=_ascent_checks,
    implementation=(production.log_likelihood_grad, production.log_likelihood),
    note="To first order the step changes L by η‖∇‖² ≥ 0 (0 only where ∇ = 0). For the "
    "concave log-likelihood and η = 1/max‖x_k‖² the gain is at least ¾ of that.",
)


def _same_step():
    up, down = w[i, j] + eta * d_loss(), w[i, j] - eta * d_loss(-1)
    return Proof(
        (
            step("∂(−L)/∂w_ij = −∂L/∂w_ij (one sample)", d_loss(-1), -d_loss()),
            step("w_ij − η∂(−L)/∂w_ij = w_ij + η∂L/∂w_ij", down, up),
        ),
        assumptions=assume(M, N),
    )


def _descent_checks():
    X, P, W, lr = _step_data(43)
    g_ce = production.cross_entropy_grad(W, X, P)
    down, up = W - lr * g_ce, W + lr * production.log_likelihood_grad(W, X, P)

    def f(V):
        return float(production.cross_entropy(X @ V.T, P))

    return [
        holds("w − η∇(Loss) equals w + η∇(L) bitwise", np.array_equal(down, up), "same step"),
        _gain("a descent step lowers cross_entropy by [¾, 1]·η‖∇‖²", f, W, down, g_ce, lr, X),
    ]


declare(
    id="OPT-3",
    title=r"With the negated loss, $w_{ij} - \eta\nabla_{ij}$ ($\nabla$ of $-L$) is descent "
    r"and the very same step",
    source=r"w_{ij}=w_{ij}-\eta\nabla_{ij}",
    expect="holds",
    uses=("OPT-2",),
    written=_same_step,
    numeric=_descent_checks,
    implementation=(production.cross_entropy_grad, production.log_likelihood_grad),
    note="∇_ij here is the derivative of the negated loss (the gradient section's (q_i − p_i)x_j "
    "confirms it), not the ∂L/∂w_ij defined above, with which the step would descend L. So "
    "read, both rules take the same step, and the loss falls (OPT-2 applied to −L).",
)
