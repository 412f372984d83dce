r"""The tutorial's training run and what it says about it (TRAIN-3 to TRAIN-5), with figures.

The tutorial trains its class 5000 times on 500 random samples (20 classes, 50 features) and
reports that the loss approaches 0, quickly during the first 1000 iterations and slowly
after. The run is `derivations.numeric.tutorial_run`, with the production gd solver.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

import softmax as production
from derivations import digits
from derivations.claim import Figure, axes, declarations
from derivations.evidence import holds
from derivations.numeric import tutorial_run
from derivations.proof import Proof, evaluated, for_sizes, step
from derivations.sources import TUTORIAL_CODE
from derivations.symbols import softmax_vec, vector

declare = declarations(__name__)

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


@axes
def _draw_training(ax):
    curve = tutorial_run()[2]
    ax.plot(np.arange(len(curve)), curve, lw=1.2, label="gd, step 0.1, 500 samples")
    ax.axhline(max_likelihood()[0], color="C3", ls="--", lw=1, label=r"$\max_W L$ (TRAIN-4)")
    ax.axvline(1000, color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="iteration", ylabel=r"loss $L = \frac{1}{O}\sum\sum p\ln q$")


@axes
def _draw_digits(ax):
    _Xtr, Xte, _ytr, yte = digits.split()
    gd, lbfgs = digits.experiment()["gd"], digits.experiment()["lbfgs"]
    ax.plot(
        np.arange(1, gd.n_iter_ + 1),
        gd.loss_curve_,
        lw=1.2,
        label=f"gd, step 0.5: test accuracy {gd.score(Xte, yte):.2%}",
    )
    ax.plot(
        np.arange(1, lbfgs.n_iter_ + 1),
        lbfgs.loss_curve_,
        lw=1.2,
        label=f"L-BFGS: test accuracy {lbfgs.score(Xte, yte):.2%}",
    )
    ax.set_yscale("log")
    ax.set(xlabel="iteration", ylabel=r"objective $-L + \frac{\alpha}{2}\Vert W\Vert^2$ (training)")


declare(
    id="TRAIN-3",
    title=r"Each training step raises the loss $L$ towards 0",
    source=r"\text{在优化的过程中Loss是逐渐接近0的}",
    expect="holds",
    uses=("SUM-5",),
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
    implementation=(production.SoftmaxRegression,),
    figures=(
        Figure(
            "training-curve",
            "The tutorial's training run: 500 random samples, 20 classes, 50 features, 5000 "
            "iterations of step 0.1. L rises at every step (TRAIN-3), most in the first 1000 "
            "(TRAIN-5), towards max L < 0, not towards 0 (TRAIN-4).",
            _draw_training,
        ),
        Figure(
            "digits-curve",
            "Real data: scikit-learn's 8×8 digits (the training part of the 80/20 split, 64 "
            "features, 10 classes). The tutorial's gd loop against L-BFGS on the same objective "
            "(TRAIN-3: each gd step lowers the cross-entropy).",
            _draw_digits,
        ),
    ),
    references=(TUTORIAL_CODE,),
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


declare(
    id="TRAIN-4",
    title="The loss converges to 0",
    source=r"\text{在优化的过程中Loss是逐渐接近0的}",
    expect="false-as-written",
    uses=("TRAIN-3",),
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
    implementation=(production.SoftmaxRegression,),
    references=(TUTORIAL_CODE,),
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


declare(
    id="TRAIN-5",
    title="Most of the gain comes in the first 1000 iterations",
    source=r"\text{优化器在前1000次有比较明显的效果，但是后续增长乏力}",
    expect="holds",
    uses=("TRAIN-3",),
    written=lambda: for_sizes(_diminishing, range(2, 5), name="M", why="as for TRAIN-3"),
    numeric=lambda: [
        holds(
            "gain of iterations 1–1000 exceeds that of 1001–5000",
            (g := tutorial_run()[2])[1000] - g[0] > g[-1] - g[1000],
            f"{g[1000] - g[0]:.4f} vs {g[-1] - g[1000]:.4f}",
        ),
    ],
    implementation=(production.SoftmaxRegression,),
    references=(TUTORIAL_CODE,),
    note="L is concave along every line (the second derivative is minus a variance), so the "
    "returns of further steps diminish.",
)
