r"""The two solvers of `SoftmaxRegression`: the tutorial's gradient descent, and L-BFGS-B.

Both take `objective(W) -> (loss, grad, finite)` and report each iteration to
`done(k, loss, grad)`; a non-finite loss or weight stops them with `DivergenceError`.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

__all__ = ["DivergenceError"]


class DivergenceError(ValueError):
    r"""The loss or the weights became non-finite during `fit`, which leaves no fitted state.

    Examples
    --------
    >>> from softmax.model import DivergenceError, SoftmaxRegression
    >>> model = SoftmaxRegression(solver="gd", step=1e6)
    >>> try:
    ...     model.fit([[1e200], [-1e200]], [0, 1])
    ... except DivergenceError as exc:
    ...     print(exc)  # doctest: +ELLIPSIS
    gradient descent diverged at iteration 1 with step=1000000.0: ... Use a smaller step ...
    >>> hasattr(model, "coef_")
    False
    """


def _gradient_descent(objective, done, W, p):
    """The tutorial's loop: W <- W - step * grad until max|grad| < tol or max_iter."""
    grad = objective(W)[1]
    for k in range(1, p["max_iter"] + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            W = W - p["step"] * grad
        loss, grad, finite = objective(W)
        if not (finite and np.isfinite(W).all()):
            raise DivergenceError(
                f"gradient descent diverged at iteration {k} with step={p['step']!r}: the loss "
                f"or weights became non-finite. Use a smaller step (e.g. step={p['step'] / 10:g})"
                " or rescale the features."
            )
        done(k, loss, grad)
        if np.abs(grad).max() < p["tol"]:
            return W, k
    return W, p["max_iter"]


def _lbfgs(objective, done, W0, p):
    """L-BFGS-B on the flattened weights; ``gtol`` is `tol` (max|grad|), as for gd."""
    last = {"k": 0}

    def fun(w):
        loss, grad, finite = objective(w.reshape(W0.shape))
        if not finite:
            raise DivergenceError(
                f"L-BFGS-B diverged at iteration {last['k'] + 1}: a line-search step gave a "
                "non-finite loss or gradient. Increase alpha or rescale the features."
            )
        last.update(w=w.copy(), grad=grad)
        return loss, grad.ravel()

    def callback(intermediate_result):
        last["k"] += 1
        w = intermediate_result.x
        grad = last["grad"] if np.array_equal(w, last["w"]) else fun(w)[1]
        done(last["k"], float(intermediate_result.fun), grad)

    # ftol: a relative decrease under 64 ulp is rounding noise in a mean of O losses.
    options = {"maxiter": p["max_iter"], "gtol": p["tol"], "ftol": 64 * np.finfo(float).eps}
    result = scipy.optimize.minimize(
        fun, W0.ravel(), jac=True, method="L-BFGS-B", callback=callback, options=options
    )
    return result.x.reshape(W0.shape), int(result.nit)
