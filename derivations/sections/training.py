r"""The tutorial's training class and what it says about its run.

The class `Softmax` of the tutorial's code computes `__softmax` (the literal $G/S$), `__loss`
(the diagonal of $P\log Q^\mathsf{T}$), and `__optimizer` (a step along $(P-Q)^\mathsf{T}X/O$,
signed by `flag`), starting from $W = 0$. The tutorial trains it 5000 times on 500 random
samples (20 classes, 50 features) and reports that the loss approaches 0, quickly during
the first 1000 iterations and slowly after.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

import softmax as production
from derivations.evidence import close, holds
from derivations.proof import Proof, evaluated, for_sizes, identity, step
from derivations.registry import register
from derivations.symbols import M, assume, softmax_vec, vector

_CODE = "chkui/ml-math-softmax, sample/softmax_train (the tutorial's code)"
_ITERATIONS, _STEP = 5000, 0.1


@functools.cache
def tutorial_run():
    """The tutorial's experiment with the production gd solver: loss after each iteration."""
    X, P = production.datasets.random_data(500, 20, 50, seed=0)
    curve = []
    model = production.SoftmaxRegression(
        solver="gd",
        step=_STEP,
        max_iter=_ITERATIONS,
        tol=0.0,
        fit_intercept=False,
        callback=lambda _k, loss: curve.append(-loss),  # the tutorial's L = −H
    )
    model.fit(X, P.argmax(axis=1))
    start = float(production.log_likelihood(np.zeros((500, 20)), P))
    return X, P, np.array([start, *curve])


# --- the flag of __optimizer -------------------------------------------------------------

f, eta_s, O_s = sp.symbols("f eta O", real=True)
_pq, _x = sp.symbols("pq x", real=True)  # one entry of (P - Q) and of X stand for the product


def _flag_update(assumed):
    # __optimizer: d = (flag·P − flag·Q)ᵀX / O, W ← W + (flag·step)·d
    update = (f * eta_s) * ((f * _pq) * _x / O_s)
    proof = identity(update, eta_s * _pq * _x / O_s, label="step with flag f = step with flag 1")
    if assumed:
        proof = identity(
            update.subs(f**2, 1),
            eta_s * _pq * _x / O_s,
            label="step with flag f = step with flag 1, f² = 1",
        )
        return Proof(proof.steps, assumptions=assume(sp.Eq(f**2, 1)))
    return proof


def _flag_numeric():
    X, P = production.datasets.random_data(30, 4, 3, seed=1)
    W = np.random.default_rng(2).normal(0, 0.1, (4, 4))
    G = production.notation.G(X, W)
    Q = production.notation.Q(G, production.notation.S(G))
    steps = [(flag * 0.1) * ((flag * P - flag * Q).T @ X / len(X)) for flag in (1, -1)]
    return [
        holds(
            "flag = +1 and flag = −1 give bitwise the same step",
            np.array_equal(*steps),
            f"max |Δ| = {np.abs(steps[0] - steps[1]).max():.3g}",
        ),
        close(
            "and it is step · log_likelihood_grad",
            steps[0],
            0.1 * production.log_likelihood_grad(W, X, P),
            rtol=1e-13,
            atol=1e-16,
            reference="softmax.log_likelihood_grad",
        ),
    ]


register(
    id="TRAIN-1",
    title="The sign flag of the training code does not change the update",
    section="training",
    source=r"\text{flag}=-1:\ \text{损失函数求最小值，优化器求差值};\quad "
    r"\text{flag}=+1:\ \text{求最大值，优化器求和}",
    expect="holds-under-assumption",
    written=lambda: _flag_update(assumed=False),
    assumed=lambda: _flag_update(assumed=True),
    numeric=_flag_numeric,
    implementation=("softmax.log_likelihood_grad", "softmax.notation.D"),
    references=(_CODE,),
    note="The flag enters the step twice, (flag·step)·(flag·P − flag·Q)ᵀX/O, so for "
    "flag = ±1 both settings climb L: only the sign of the reported loss changes.",
)

# --- the starting point --------------------------------------------------------------------


def _uniform_start():
    q = sp.exp(0) / sp.Sum(sp.exp(0), (sp.Symbol("k", integer=True, positive=True), 1, M))
    return identity(sp.log(q.doit()), -sp.log(M), assumptions=assume(M))


register(
    id="TRAIN-2",
    title="Training starts from W = 0: uniform Q and L = −ln M",
    section="training",
    source=r"\text{self.\_\_weight} = \text{np.zeros}((M, N))",
    expect="holds",
    written=_uniform_start,
    numeric=lambda: [
        close(
            "L at W = 0 on the tutorial's data is −ln 20",
            tutorial_run()[2][0],
            -np.log(20.0),
            rtol=2.0**-52,
            reference="−ln 20",
        )
    ],
    implementation=("softmax.log_likelihood", "softmax.SoftmaxRegression"),
    references=(_CODE,),
)

# --- the run ---------------------------------------------------------------------------


def _ascent_rate(n):
    zs, vs = vector("z", n, real=True), vector("v", n, real=True)
    e = sp.Symbol("epsilon", real=True)
    logq1 = sp.log(softmax_vec([a + e * b for a, b in zip(zs, vs, strict=True)])[0])
    q = softmax_vec(zs)
    grad = [sp.diff(sp.log(q[0]), a) for a in zs]
    # Moving the logits along the gradient of log q_1 raises it at rate |∇|².
    rate = sp.diff(logq1, e).subs(e, 0).subs(dict(zip(vs, grad, strict=True)))
    return Proof((step("d/dε log q₁(z + ε∇) at 0 = |∇ log q₁|²", rate, sum(g**2 for g in grad)),))


register(
    id="TRAIN-3",
    title="Each training step raises the loss L towards 0",
    section="training",
    source=r"\text{在优化的过程中Loss是逐渐接近0的}",
    expect="holds",
    written=lambda: for_sizes(
        _ascent_rate,
        range(2, 5),
        name="M",
        why="Derivatives of a softmax with a symbolic number of classes "
        "along a direction do not simplify.",
    ),
    numeric=lambda: [
        holds(
            "L increases at each of the 5000 iterations",
            np.all(np.diff(tutorial_run()[2]) > 0),
            f"smallest increase {np.diff(tutorial_run()[2]).min():.3g}",
        ),
        holds(
            "L stays below 0",
            tutorial_run()[2].max() < 0,
            f"L goes from {tutorial_run()[2][0]:.4f} to {tutorial_run()[2][-1]:.4f}",
        ),
    ],
    implementation=("softmax.SoftmaxRegression",),
    references=(_CODE,),
    note="Checked on the tutorial's experiment with seed 0. With step 0.1 the rise is monotone "
    "here although the step exceeds 2/λ (λ bounds the curvature), so no theorem promises it.",
)


def _two_point_sup(target):
    # Two samples with the same feature x but different labels: L(z) = (log σ(z) + log σ(−z))/2
    # with z the logit gap, whose supremum is attained at z = 0.
    zz = sp.Symbol("z", real=True)
    loss = (sp.log(softmax_vec([zz, 0])[0]) + sp.log(softmax_vec([zz, 0])[1])) / 2
    return Proof(
        (
            evaluated(
                "two samples, same x, labels 1 and 2", r"\sup_z L(z)", sp.maximum(loss, zz), target
            ),
        ),
        counterexample={"data": "two samples, same features, labels 1 and 2"},
    )


@functools.cache
def max_likelihood(iterations=30):
    """Newton's method for max L on the tutorial's data, class 1 pinned at w = 0 (softmax is
    unchanged by a common shift of the rows of W, so the Hessian is otherwise singular)."""
    X, P, _ = tutorial_run()
    o, n = X.shape
    m = P.shape[1] - 1
    V = np.zeros((m, n))

    def logits(V):
        return X @ np.vstack([np.zeros((1, n)), V]).T

    for _ in range(iterations):
        Q = production.softmax(logits(V))[:, 1:]
        grad = ((P[:, 1:] - Q).T @ X / o).ravel()  # ∇L, claim GRADM-2 with D/O
        if np.abs(grad).max() < 1e-13:
            break
        # −∇²L = Σ_k (diag q_k − q_k q_kᵀ) ⊗ x_k x_kᵀ / O (claim IMPL-9), built by two products.
        Y = (Q[:, :, None] * X[:, None, :]).reshape(o, m * n)
        H = -(Y.T @ Y) / o
        for a in range(m):
            H[a * n : (a + 1) * n, a * n : (a + 1) * n] += (X * Q[:, [a]]).T @ X / o
        V = V + np.linalg.solve(H, grad).reshape(m, n)
    best = float(production.log_likelihood(logits(V), P))
    return best, float(np.abs(grad).max())


def _not_converging_to_zero():
    best, grad = max_likelihood()
    # L is concave (claim IMPL-9), so a stationary point is its global maximum.
    return [
        holds(
            "the maximum of L, a stationary point found by Newton's method, is below −1",
            grad < 1e-12 and best < -1,
            f"max L = {best:.10f}, max|∇L| = {grad:.2g}",
        )
    ]


register(
    id="TRAIN-4",
    title="The loss converges to 0",
    section="training",
    source=r"\text{在优化的过程中Loss是逐渐接近0的}",
    expect="false-as-written",
    title_zh="损失收敛到 0",
    erratum_zh=(
        "对任何有限的 W 都有 L < 0；只有存在能把各类别分开的 W 时，L 的上确界才是 0。在教"
        "程的随机标签上，L 上升到它的最大值（种子为 0 时约为 −1.754），而不是 0。"
    ),
    written=lambda: _two_point_sup(0),
    corrected=lambda: _two_point_sup(-sp.log(2)),
    correction=r"L_t \uparrow \max_W L < 0 \text{ unless the labels are linearly separable}",
    numeric=lambda: [
        *_not_converging_to_zero(),
        holds(
            "after 5000 iterations L is still far from 0",
            tutorial_run()[2][-1] < -1.0,
            f"L = {tutorial_run()[2][-1]:.4f}",
        ),
    ],
    implementation=("softmax.SoftmaxRegression",),
    references=(_CODE,),
    note="L < 0 for every finite W, and its supremum is 0 only when some W separates the "
    "classes. On the tutorial's random labels L rises to its maximum, about −1.754 for seed "
    "0 (a stationary point of the concave L, found by Newton's method), not to 0.",
)


def _diminishing(n):
    zs, vs = vector("z", n, real=True), vector("v", n, real=True)
    e = sp.Symbol("epsilon", real=True)
    q = softmax_vec(zs)
    second = sp.diff(
        sp.log(softmax_vec([a + e * b for a, b in zip(zs, vs, strict=True)])[0]), e, 2
    ).subs(e, 0)
    mean = sum(a * b for a, b in zip(q, vs, strict=True))
    variance = sum(a * b**2 for a, b in zip(q, vs, strict=True)) - mean**2
    return Proof((step("d²/dε² log q₁(z + εv) = −Var_q(v) ≤ 0", second, -variance),))


register(
    id="TRAIN-5",
    title="Most of the gain comes in the first 1000 iterations",
    section="training",
    source=r"\text{优化器在前1000次有比较明显的效果，但是后续增长乏力}",
    expect="holds",
    written=lambda: for_sizes(_diminishing, range(2, 5), name="M", why="as for TRAIN-3"),
    numeric=lambda: [
        holds(
            "gain of iterations 1–1000 exceeds that of 1001–5000",
            (g := tutorial_run()[2])[1000] - g[0] > g[-1] - g[1000],
            f"{g[1000] - g[0]:.4f} vs {g[-1] - g[1000]:.4f}",
        ),
    ],
    implementation=("softmax.SoftmaxRegression",),
    references=(_CODE,),
    note="L is concave along every line (the second derivative is minus a variance), so the "
    "returns of further steps diminish.",
)
