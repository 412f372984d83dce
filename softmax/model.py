r"""`SoftmaxRegression`: multinomial softmax regression, a scikit-learn compatible classifier.

The tutorial's model: $x_0 = 1$ is prepended to each sample, $W$ is $(M, N + 1)$ and
$q = \mathrm{softmax}(W x)$. `fit` minimises the penalised mean cross-entropy

$$f(W) = -\frac{1}{O}\sum_k \log q_{k, y_k} + \frac{\alpha}{2}\lVert W_{:, 1:}\rVert_F^2,
\qquad \nabla f = (Q - P)^\mathsf{T} X / O + \alpha\,[\,0 \mid W_{:, 1:}\,]$$

(`softmax.gradient`). The bias column is not penalised; with ``fit_intercept=False`` all of
$W$ is. Training starts from $W = 0$ and runs the tutorial's gradient descent or SciPy's
L-BFGS-B, both fed by the verified `softmax.gradient` kernel. scikit-learn is never imported
here except by `__sklearn_tags__`, which only scikit-learn calls.
"""

from __future__ import annotations

import numpy as np

from softmax import _fit, _model_file, _params, _predict
from softmax._estimator_input import DataConversionWarning, NotFittedError
from softmax._params import DEFAULT_MAX_ITER as DEFAULT_MAX_ITER
from softmax.solvers import DivergenceError

__all__ = ["DataConversionWarning", "DivergenceError", "NotFittedError", "SoftmaxRegression"]


class SoftmaxRegression(_params.Estimator):
    r"""Multinomial softmax regression, $P(y = i \mid x) = \mathrm{softmax}(W x)_i$.

    Checked by claims TRAIN-2, TRAIN-3, TRAIN-4, TRAIN-5, IMPL-18.

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
        return _fit.fit(self, X, y)

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
        return _predict.decision(_predict.logits(self, X, "decision_function"))

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
        return _predict.probabilities(_predict.logits(self, X, "predict_proba"))

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
        return _predict.log_probabilities(_predict.logits(self, X, "predict_log_proba"))

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
        return _predict.labels(self, _predict.logits(self, X, "predict"))

    def _labels(self, z):  # a method: `_predict.labels` sends it with classes_ to dask
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
        _predict.check_fitted(self, "score")  # the error names the method called
        return _predict.accuracy(self.predict(X), y)

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
        _model_file.save(self, path)

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
        return _model_file.load(cls, path)
