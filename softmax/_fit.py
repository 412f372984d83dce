r"""One training run of `SoftmaxRegression.fit`: the objective, the progress report, the solve.

The objective is the penalised mean cross-entropy of `softmax.model`,

$$f(W) = \ell(W) + \frac{\alpha}{2}\lVert W_{:, s:}\rVert_F^2, \qquad
\nabla f = \nabla \ell + \alpha\,[\,0 \mid W_{:, s:}\,],$$

where $\ell$ and $\nabla \ell = (Q - P)^\mathsf{T} X / O$ come from the
verified kernel `softmax.gradient.loss_and_grad_f64`, or block by block from
`softmax._dask` for a Dask array, and $s$ is 1 with an intercept (column 0 of $W$ is the
bias, not penalised) and 0 without. Training starts from $W = 0$ and hands the objective
to a solver of `softmax.solvers` with BLAS threads chosen by `softmax._threads`.
"""

from __future__ import annotations

import sys

import numpy as np

from softmax import _dask, _params, _threads
from softmax._estimator_input import _check_X, _check_y
from softmax.gradient import loss_and_grad_f64
from softmax.solvers import _gradient_descent, _lbfgs

#: The attributes a fit sets, all or none: `fit` removes them first; a model file holds them.
FITTED = ("classes_", "coef_", "intercept_", "n_features_in_", "n_iter_", "loss_curve_")


def data_term(X, y, start):
    r"""Check the training data and return the mean cross-entropy as a function of $W$.

    Parameters
    ----------
    X : array_like or dask.array.Array, shape (O, N)
        Features; a Dask array stays on the workers (`softmax._dask`).
    y : array_like, shape (O,)
        Labels.
    start : {0, 1}
        1 to prepend the feature $x_0 = 1$, so that column 0 of $W$ is the intercept.

    Returns
    -------
    X : numpy.ndarray or dask.array.Array, shape (O, N)
        The checked features (float64 when dense), without the column of ones.
    classes : numpy.ndarray, shape (M,)
        The sorted labels.
    data : callable
        ``data(W) -> (loss, grad)``: $\ell(W)$ and $\nabla \ell(W)$ for $W$ of shape
        $(M, N + \mathrm{start})$.
    """
    if _dask.is_dask(X):  # X stays on the workers: the sums come back (IMPL-18)
        classes, index = _dask.labels(X, y)
        return X, classes, _dask.data_term(X, index, start)
    X = _check_X(X)
    classes, index = _check_y(y, X.shape[0])
    X1 = np.hstack([np.ones((X.shape[0], 1)), X]) if start else X

    def data(W):
        return loss_and_grad_f64(W, X1, "index", index)

    return X, classes, data


def penalised(data, p):
    r"""The solvers' objective: $f$, $\nabla f$ and whether both are finite.

    Parameters
    ----------
    data : callable
        ``data(W) -> (loss, grad)``, $\ell$ and $\nabla \ell$ (see `data_term`); `grad`
        is a fresh array, which the penalty is added to in place.
    p : dict
        The checked parameters (`softmax._params.checked`): ``alpha`` $\alpha$ and
        ``start`` $s$, the first penalised column.

    Returns
    -------
    callable
        ``objective(W) -> (loss, grad, finite)`` with ``loss`` $= f(W)$ a float,
        ``grad`` $= \nabla f(W)$, and ``finite`` whether both are finite. Overflow is
        not warned about: the solvers turn a non-finite result into `DivergenceError`.
    """

    def objective(W):
        # Only overflow and inf - inf can happen here: the mean divides by O > 0.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grad = data(W)
            penalised = W[:, p["start"] :]
            loss = float(loss + 0.5 * p["alpha"] * np.vdot(penalised, penalised))
            grad[:, p["start"] :] += p["alpha"] * penalised
        return loss, grad, bool(np.isfinite(loss) and np.isfinite(grad).all())

    return objective


def reporter(model, p, curve):
    r"""What the solvers call after each iteration: record, call back, print.

    Parameters
    ----------
    model : SoftmaxRegression
        Its `callback` is read at every iteration.
    p : dict
        The checked parameters: ``verbose`` and ``max_iter``.
    curve : list
        Receives $f$ after each iteration (the future `loss_curve_`).

    Returns
    -------
    callable
        ``done(k, loss, grad)``: appends `loss` to `curve`, calls ``callback(k, loss)``,
        and with `verbose` prints $k$, $f$ and $\max|\nabla f|$ to stderr at the first,
        every `verbose`-th and the `max_iter`-th iteration.
    """

    def done(k, loss, grad):
        curve.append(loss)
        if model.callback is not None:
            model.callback(k, loss)
        if p["verbose"] and (k == 1 or k % p["verbose"] == 0 or k == p["max_iter"]):
            line = f"iteration {k:6d}/{p['max_iter']}  loss {loss:.10g}  "
            print(line + f"max|grad| {np.abs(grad).max():.3e}", file=sys.stderr, flush=True)

    return done


def fit(model, X, y):
    r"""Fit `model` from $W = 0$ to `X` and `y`: all its `FITTED` attributes, or none.

    Parameters
    ----------
    model : SoftmaxRegression
        Its parameters are checked first (`softmax._params.checked`).
    X : array_like or dask.array.Array, shape (O, N)
    y : array_like, shape (O,)

    Returns
    -------
    SoftmaxRegression
        `model`, with ``coef_`` $= W_{:, s:}$, ``intercept_`` $= W_{:, 0}$ (zeros without
        an intercept), ``classes_``, ``n_features_in_``, ``n_iter_`` and ``loss_curve_``.

    Raises
    ------
    DivergenceError
        The loss or weights became non-finite.
    """
    # Removed first, so that after any exception `model` has no fitted attribute.
    for name in FITTED:
        model.__dict__.pop(name, None)
    p = _params.checked(model)
    X, classes, data = data_term(X, y, p["start"])
    curve = []
    objective, done = penalised(data, p), reporter(model, p, curve)
    solve = _gradient_descent if model.solver == "gd" else _lbfgs
    # BLAS threads by the size of the products X1 @ W.T and (Q - P).T @ X1 (see _threads).
    size = X.shape[0] * (X.shape[1] + p["start"]) * classes.size
    with _threads.blas_threads(size, lbfgs=model.solver == "lbfgs"):
        W, n_iter = solve(objective, done, np.zeros((classes.size, X.shape[1] + p["start"])), p)
    if p["verbose"]:
        final = f", loss {curve[-1]:.10g}" if curve else ""
        print(f"{model.solver}: stopped after {n_iter} iteration(s){final}", file=sys.stderr)
    model.coef_ = W[:, p["start"] :].copy()
    model.intercept_ = W[:, 0].copy() if p["start"] else np.zeros(classes.size)
    model.classes_, model.n_features_in_ = classes, X.shape[1]
    model.n_iter_, model.loss_curve_ = n_iter, curve
    return model
