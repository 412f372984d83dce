r"""`SoftmaxRegression`: multinomial softmax regression, a scikit-learn compatible classifier.

The tutorial's model: $x_0 = 1$ is prepended to each sample, $W$ is $(M, N + 1)$ and
$q = \mathrm{softmax}(W x)$. `fit` minimises the penalised mean cross-entropy

$$f(W) = -\frac{1}{O}\sum_k \log q_{k, y_k} + \frac{\alpha}{2}\lVert W_{:, 1:}\rVert_F^2,
\qquad \nabla f = (Q - P)^\mathsf{T} X / O + \alpha\,[\,0 \mid W_{:, 1:}\,]$$

(claim GRADM-1). The bias column is not penalised; with ``fit_intercept=False`` all of
$W$ is. Training starts from $W = 0$ and runs the tutorial's gradient descent or SciPy's
L-BFGS-B, both fed by the verified `softmax.gradient` kernel. scikit-learn is never imported
here except by `__sklearn_tags__`, which only scikit-learn calls.
"""

from __future__ import annotations

import inspect
import numbers
import sys

import numpy as np

from softmax import _dask, _threads, persist
from softmax._estimator_input import (
    DataConversionWarning,
    NotFittedError,
    _as_array,
    _check_X,
    _check_y,
    _flavour,
    _non_negative,
)
from softmax._validate import check_positive_number
from softmax.functions import log_softmax, softmax
from softmax.gradient import loss_and_grad_f64
from softmax.solvers import DivergenceError, _gradient_descent, _lbfgs

__all__ = ["DataConversionWarning", "DivergenceError", "NotFittedError", "SoftmaxRegression"]

#: What ``max_iter=None`` means per solver (2000 is the tutorial's ``repeat`` default).
DEFAULT_MAX_ITER = {"gd": 2000, "lbfgs": 100}
_FITTED = ("classes_", "coef_", "intercept_", "n_features_in_", "n_iter_", "loss_curve_")


class SoftmaxRegression:
    r"""Multinomial softmax regression, $P(y = i \mid x) = \mathrm{softmax}(W x)_i$.

    Parameters
    ----------
    solver : {"lbfgs", "gd"}, default="lbfgs"
        ``"lbfgs"``: `scipy.optimize.minimize` (L-BFGS-B) with the exact gradient.
        ``"gd"``: the tutorial's full-batch loop $W \leftarrow W - \eta\,\nabla f$.
    step : float, default=0.1
        Learning rate $\eta > 0$ of ``"gd"`` (unused by ``"lbfgs"``).
    max_iter : int or None, default=None
        Iteration limit; None means 100 for ``"lbfgs"``, 2000 (the tutorial's) for ``"gd"``.
    tol : float, default=1e-4
        Both solvers stop once $\max_{ij} |\partial f / \partial w_{ij}| <$ `tol`.
    alpha : float, default=0.0
        L2 penalty $\alpha \ge 0$ on the weights, the intercept excluded.
    fit_intercept : bool, default=True
        Prepend the feature $x_0 = 1$, so that ``intercept_ = W[:, 0]``.
    callback : callable or None, default=None
        ``callback(iteration, loss)`` after every iteration 1, 2, ..., like the tutorial's
        ``handle(count, loss)``; `loss` is $f$ at the new weights. Not saved by `save`.
    verbose : bool or int, default=False
        Print iteration, $f$ and $\max|\nabla f|$ to stderr at the first, every `verbose`-th
        (``True``: every) and the `max_iter`-th iteration, then a line with the final $f$.

    Attributes
    ----------
    classes_ : numpy.ndarray, shape (M,)
        Sorted labels: numbers, integral floats or strings.
    coef_ : numpy.ndarray, shape (M, N)
        Weights $W_{:, 1:}$; two rows for two classes, as in the tutorial.
    intercept_ : numpy.ndarray, shape (M,)
        $W_{:, 0}$ (zeros when ``fit_intercept=False``).
    n_features_in_ : int
        Number of features $N$.
    n_iter_ : int
        Iterations run (the limit if `tol` was not reached).
    loss_curve_ : list of float
        $f$ after each iteration.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import SoftmaxRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = SoftmaxRegression(alpha=0.1).fit(X, ["a", "a", "b", "b"])
    >>> model.predict([[0.5], [2.5]]).tolist()
    ['a', 'b']
    """

    def __init__(
        self,
        *,
        solver="lbfgs",
        step=0.1,
        max_iter=None,
        tol=1e-4,
        alpha=0.0,
        fit_intercept=True,
        callback=None,
        verbose=False,
    ):
        self.solver = solver
        self.step = step
        self.max_iter = max_iter
        self.tol = tol
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.callback = callback
        self.verbose = verbose

    @classmethod
    def _param_names(cls):
        return sorted(p for p in inspect.signature(cls.__init__).parameters if p != "self")

    def get_params(self, deep=True):
        r"""Return the constructor parameters as a dict.

        Parameters
        ----------
        deep : bool, default=True
            Accepted for scikit-learn; no parameter is itself an estimator.

        Returns
        -------
        dict

        Examples
        --------
        >>> from softmax import SoftmaxRegression
        >>> SoftmaxRegression(alpha=2.0).get_params()["alpha"]
        2.0
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        r"""Set constructor parameters (they are checked by `fit`).

        Parameters
        ----------
        **params
            Parameter names and values.

        Returns
        -------
        SoftmaxRegression
            `self`.

        Examples
        --------
        >>> from softmax import SoftmaxRegression
        >>> SoftmaxRegression().set_params(solver="gd").solver
        'gd'
        """
        for name, value in params.items():
            if name not in self._param_names():
                raise ValueError(f"Invalid parameter {name!r}: use one of {self._param_names()}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        signature = inspect.signature(type(self).__init__).parameters
        args = []
        for name, value in self.get_params().items():
            default = signature[name].default
            if not (type(value) is type(default) and value == default):
                args.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    def __sklearn_tags__(self):  # only scikit-learn calls this, so it is importable here
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        target = TargetTags(required=True)
        return Tags(
            estimator_type="classifier", target_tags=target, classifier_tags=ClassifierTags()
        )

    def _checked(self):
        if not isinstance(self.solver, str) or self.solver not in DEFAULT_MAX_ITER:
            kind = ValueError if isinstance(self.solver, str) else TypeError
            raise kind(f"solver must be one of {sorted(DEFAULT_MAX_ITER)}, got {self.solver!r}")
        max_iter = self.max_iter
        if max_iter is not None:
            max_iter = int(check_positive_number("max_iter", max_iter, integer=True))
        if not isinstance(self.fit_intercept, (bool, np.bool_)):
            raise TypeError(f"fit_intercept must be a bool, got {self.fit_intercept!r}")
        if self.callback is not None and not callable(self.callback):
            raise TypeError(f"callback must be callable or None, got {self.callback!r}")
        if not isinstance(self.verbose, (numbers.Integral, np.bool_)):
            raise TypeError(f"verbose must be a bool or an int >= 0, got {self.verbose!r}")
        return {
            "step": float(check_positive_number("step", self.step)),
            "max_iter": max_iter or DEFAULT_MAX_ITER[self.solver],
            "tol": _non_negative("tol", self.tol),
            "alpha": _non_negative("alpha", self.alpha),
            "start": int(self.fit_intercept),  # first penalised column of W
            "verbose": int(_non_negative("verbose", int(self.verbose))),
        }

    def fit(self, X, y):
        r"""Fit $W$ from zero to features `X` and labels `y`.

        Parameters
        ----------
        X : array_like, shape (O, N)
            Finite real features (dense): a NumPy array, or a Dask array chunked by rows
            only, whose blocks stay on the workers (claim IMPL-18; the ``dask`` extra).
        y : array_like, shape (O,)
            Labels: at least two distinct ints, integral floats, bools or strings; with a
            Dask `X`, integer labels chunked like the rows of `X`.

        Returns
        -------
        SoftmaxRegression
            `self`, fitted. After any exception it has no fitted attribute.

        Raises
        ------
        DivergenceError
            The loss or weights became non-finite (e.g. `step` far too large).

        Notes
        -----
        While it runs, BLAS is put on one thread when the products $X W^\mathsf{T}$ are small
        (under 2e7 multiply-adds), where a second thread costs more than it saves; for larger
        ones only L-BFGS-B's BLAS, if SciPy bundles its own. A caller's lower limit stays,
        and every limit is restored on return (`softmax._threads`).

        Examples
        --------
        >>> import numpy as np
        >>> from softmax import SoftmaxRegression
        >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1]
        >>> model = SoftmaxRegression(solver="gd", max_iter=50).fit(X, y)
        >>> model.n_iter_, bool(np.all(np.diff(model.loss_curve_) < 0))
        (50, True)
        """
        for name in _FITTED:
            self.__dict__.pop(name, None)
        p = self._checked()
        if _dask.is_dask(X):  # X stays on the workers: the sums come back (IMPL-18)
            classes, index = _dask.labels(X, y)
            data = _dask.data_term(X, index, p["start"])
        else:
            X = _check_X(X)
            classes, index = _check_y(y, X.shape[0])
            X1 = np.hstack([np.ones((X.shape[0], 1)), X]) if p["start"] else X

            def data(W):
                return loss_and_grad_f64(W, X1, "index", index)

        curve = []

        def objective(W):
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, grad = data(W)
                penalised = W[:, p["start"] :]
                loss = float(loss + 0.5 * p["alpha"] * np.vdot(penalised, penalised))
                grad[:, p["start"] :] += p["alpha"] * penalised
            return loss, grad, bool(np.isfinite(loss) and np.isfinite(grad).all())

        def done(k, loss, grad):
            curve.append(loss)
            if self.callback is not None:
                self.callback(k, loss)
            if p["verbose"] and (k == 1 or k % p["verbose"] == 0 or k == p["max_iter"]):
                line = f"iteration {k:6d}/{p['max_iter']}  loss {loss:.10g}  "
                print(line + f"max|grad| {np.abs(grad).max():.3e}", file=sys.stderr, flush=True)

        solve = _gradient_descent if self.solver == "gd" else _lbfgs
        # BLAS threads by the size of the products X1 @ W.T and (Q - P).T @ X1 (see _threads).
        size = X.shape[0] * (X.shape[1] + p["start"]) * classes.size
        with _threads.blas_threads(size, lbfgs=self.solver == "lbfgs"):
            W, n_iter = solve(objective, done, np.zeros((classes.size, X.shape[1] + p["start"])), p)
        if p["verbose"]:
            final = f", loss {curve[-1]:.10g}" if curve else ""
            print(f"{self.solver}: stopped after {n_iter} iteration(s){final}", file=sys.stderr)
        self.coef_ = W[:, p["start"] :].copy()
        self.intercept_ = W[:, 0].copy() if p["start"] else np.zeros(classes.size)
        self.classes_, self.n_features_in_ = classes, X.shape[1]
        self.n_iter_, self.loss_curve_ = n_iter, curve
        return self

    def _logits(self, X, method):
        if "coef_" not in self.__dict__:
            raise _flavour(NotFittedError)(
                f"This SoftmaxRegression instance is not fitted yet: call fit(X, y) or "
                f"SoftmaxRegression.load(path) before {method}()"
            )
        X = X if _dask.is_dask(X) else _check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but SoftmaxRegression is expecting "
                f"{self.n_features_in_} features as input"
            )
        if _dask.is_dask(X):  # lazy, block by block on the workers
            return _dask.logits(X, self.coef_, self.intercept_)
        with _threads.blas_threads(X.shape[0] * (X.shape[1] + 1) * self.coef_.shape[0]):
            return X @ self.coef_.T + self.intercept_

    def decision_function(self, X):
        r"""Logits $z = X W^\mathsf{T}$; for two classes $z_1 - z_0 = \log(q_1 / q_0)$.

        Parameters
        ----------
        X : array_like, shape (O, N)

        Returns
        -------
        numpy.ndarray, shape (O, M), or (O,) for two classes
            The binary form is scikit-learn's: positive means ``classes_[1]``.

        Examples
        --------
        >>> import numpy as np
        >>> from softmax import SoftmaxRegression
        >>> X = np.array([[0.0], [1.0], [2.0], [4.0]])
        >>> model = SoftmaxRegression().fit(X, [0, 1, 2, 2])
        >>> bool(np.array_equal(model.decision_function(X).argmax(axis=1), model.predict(X)))
        True
        """
        z = self._logits(X, "decision_function")
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def predict_proba(self, X):
        r"""Class probabilities $Q = \mathrm{softmax}(X W^\mathsf{T})$, by `softmax.softmax`.

        Parameters
        ----------
        X : array_like, shape (O, N)

        Returns
        -------
        numpy.ndarray, shape (O, M)
            Rows sum to 1; columns follow `classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from softmax import SoftmaxRegression
        >>> Q = SoftmaxRegression().fit([[0.0], [1.0], [2.0]], [0, 1, 1]).predict_proba([[9.0]])
        >>> bool(np.allclose(Q.sum(axis=1), 1.0))
        True
        """
        z = self._logits(X, "predict_proba")
        return _dask.rowwise(softmax, z, axis=1) if _dask.is_dask(z) else softmax(z, axis=1)

    def predict_log_proba(self, X):
        r"""$\log Q$ by `softmax.log_softmax` of the logits, never ``log(predict_proba(X))``.

        Parameters
        ----------
        X : array_like, shape (O, N)

        Returns
        -------
        numpy.ndarray, shape (O, M)
            Entries $\le 0$, finite even where $Q$ underflows to 0.

        Examples
        --------
        >>> import numpy as np
        >>> from softmax import SoftmaxRegression
        >>> model = SoftmaxRegression().fit([[0.0], [1.0]], [0, 1])
        >>> bool(np.isfinite(model.predict_log_proba([[1e4]])).all())
        True
        """
        z = self._logits(X, "predict_log_proba")
        if _dask.is_dask(z):
            return _dask.rowwise(log_softmax, z, axis=1)
        return log_softmax(z, axis=1)

    def predict(self, X):
        r"""The most probable class of each sample.

        Parameters
        ----------
        X : array_like, shape (O, N)

        Returns
        -------
        numpy.ndarray, shape (O,)
            Labels from `classes_`.

        Examples
        --------
        >>> from softmax import SoftmaxRegression
        >>> model = SoftmaxRegression().fit([[0.0], [1.0], [5.0], [6.0]], ["x", "x", "y", "y"])
        >>> model.predict([[0.5], [5.5]]).tolist()
        ['x', 'y']
        """
        z = self._logits(X, "predict")
        if _dask.is_dask(z):
            return z.map_blocks(self._labels, drop_axis=1, dtype=self.classes_.dtype)
        return self._labels(z)

    def _labels(self, z):
        return self.classes_[np.argmax(z, axis=1)]

    def score(self, X, y):
        r"""Mean accuracy of ``predict(X)`` against `y`.

        Parameters
        ----------
        X : array_like, shape (O, N)
        y : array_like, shape (O,)

        Returns
        -------
        float
            In $[0, 1]$.

        Examples
        --------
        >>> from softmax import SoftmaxRegression
        >>> X, y = [[0.0], [1.0], [5.0], [6.0]], [0, 0, 1, 1]
        >>> SoftmaxRegression().fit(X, y).score(X, y)
        1.0
        """
        predicted = self.predict(X)
        if _dask.is_dask(predicted):
            return _dask.accuracy(predicted, y)
        y = _as_array("y", y)
        if y.shape != predicted.shape:
            raise ValueError(f"y must have shape {predicted.shape}, got {y.shape}")
        return float(np.mean(predicted == y))

    def save(self, path):
        r"""Write the fitted model atomically in the `softmax.persist` format (not pickle).

        Parameters
        ----------
        path : str or os.PathLike
            The file to write, conventionally ``*.npz``; `callback` is not saved.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from softmax import SoftmaxRegression
        >>> model = SoftmaxRegression().fit([[0.0], [1.0]], ["a", "b"])
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     model.save(os.path.join(tmp, "model.npz"))
        ...     again = SoftmaxRegression.load(os.path.join(tmp, "model.npz"))
        >>> bool(np.array_equal(again.predict_proba([[0.3]]), model.predict_proba([[0.3]])))
        True
        """
        if "coef_" not in self.__dict__:
            raise _flavour(NotFittedError)("This SoftmaxRegression instance is not fitted yet")
        fitted = {name.rstrip("_"): getattr(self, name) for name in _FITTED}
        params = {k: v for k, v in self.get_params().items() if k != "callback"}
        persist.write(path, params=params, **fitted)

    @classmethod
    def load(cls, path):
        r"""Read a model written by `save`; every part of the file is checked first.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        SoftmaxRegression
            Fitted, with ``callback=None``.

        Examples
        --------
        >>> import os, tempfile
        >>> from softmax import SoftmaxRegression
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     SoftmaxRegression(alpha=0.5).fit([[0.0], [1.0]], [3, 4]).save(f"{tmp}/m.npz")
        ...     loaded = SoftmaxRegression.load(f"{tmp}/m.npz")
        >>> loaded.alpha, loaded.classes_.tolist()
        (0.5, [3, 4])
        """
        data = persist.read(path)
        if set(data["params"]) != set(cls._param_names()) - {"callback"}:
            raise ValueError(f"{path}: params hold {sorted(data['params'])}, not {cls.__name__}'s")
        model = cls(**data.pop("params"))
        try:
            start = model._checked()["start"]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: invalid parameter in file: {exc}") from None
        if not start and data["intercept"].any():
            raise ValueError(f"{path}: fit_intercept=False but the intercept is not zero")
        data["loss_curve"] = data["loss_curve"].tolist()
        model.__dict__.update({name: data[name.rstrip("_")] for name in _FITTED})
        return model
