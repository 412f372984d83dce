r"""The constructor parameters of `SoftmaxRegression`: their names, values, repr and checks.

scikit-learn's convention, which `sklearn.base.clone` and its estimator checks rely on:
`__init__` only stores its keyword arguments, `get_params` reads them back by the names of
its signature, and nothing is checked before `fit` (here by `checked`), so that
`set_params` takes any value and the error comes from the call that uses it.
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from softmax._estimator_input import _non_negative
from softmax._validate import check_positive_number

#: What ``max_iter=None`` means per solver (2000 is the tutorial's ``repeat`` default).
DEFAULT_MAX_ITER = {"gd": 2000, "lbfgs": 100}


def names(cls):
    r"""The constructor parameters of the estimator class `cls`, sorted.

    Parameters
    ----------
    cls : type
        `SoftmaxRegression` or a subclass; its ``__init__`` signature is read, so a
        subclass that adds keyword arguments adds parameters.

    Returns
    -------
    list of str
        Every parameter of ``cls.__init__`` but ``self``, in alphabetical order.

    Examples
    --------
    >>> from softmax import SoftmaxRegression
    >>> names(SoftmaxRegression)[:3]
    ['alpha', 'callback', 'fit_intercept']
    """
    return sorted(p for p in inspect.signature(cls.__init__).parameters if p != "self")


def values(model):
    r"""The constructor parameters of `model` and their current values.

    Parameters
    ----------
    model : SoftmaxRegression

    Returns
    -------
    dict
        ``{name: getattr(model, name)}`` over `names` of its class, in their order.
    """
    return {name: getattr(model, name) for name in names(type(model))}


def assign(model, params):
    r"""Set constructor parameters of `model`, refusing unknown names (values unchecked).

    Parameters
    ----------
    model : SoftmaxRegression
    params : dict
        Parameter names and values, set in their order; an unknown name raises at once,
        after the names before it were set.

    Returns
    -------
    SoftmaxRegression
        `model`.
    """
    for name, value in params.items():
        if name not in names(type(model)):
            raise ValueError(f"Invalid parameter {name!r}: use one of {names(type(model))}")
        setattr(model, name, value)
    return model


def describe(model):
    r"""scikit-learn's repr: the class name and the parameters that differ from defaults.

    A value is left out only if it has its default's exact type and equals it, so
    ``alpha=0`` (an int) and ``fit_intercept=np.True_`` are shown.

    Parameters
    ----------
    model : SoftmaxRegression

    Returns
    -------
    str

    Examples
    --------
    >>> from softmax import SoftmaxRegression
    >>> describe(SoftmaxRegression(solver="gd", alpha=0.0))
    "SoftmaxRegression(solver='gd')"
    """
    signature = inspect.signature(type(model).__init__).parameters
    args = []
    for name, value in model.get_params().items():
        default = signature[name].default
        if not (type(value) is type(default) and value == default):
            args.append(f"{name}={value!r}")
    return f"{type(model).__name__}({', '.join(args)})"


def checked(model):
    r"""Check the parameters of `model` and return what the solvers use.

    Parameters
    ----------
    model : SoftmaxRegression

    Returns
    -------
    dict
        ``step`` $\eta$, ``max_iter`` (None resolved by `DEFAULT_MAX_ITER`), ``tol``,
        ``alpha`` $\alpha$ as floats or ints; ``start``, the first penalised column of
        $W$ (1 with an intercept, whose column 0 is not penalised, else 0); and
        ``verbose`` as an int.

    Raises
    ------
    TypeError
        A parameter of the wrong type (a bool is not a number here).
    ValueError
        A parameter of the right type out of range.

    Examples
    --------
    >>> from softmax import SoftmaxRegression
    >>> p = checked(SoftmaxRegression(solver="gd", fit_intercept=False))
    >>> p["max_iter"], p["start"]
    (2000, 0)
    """
    if not isinstance(model.solver, str) or model.solver not in DEFAULT_MAX_ITER:
        kind = ValueError if isinstance(model.solver, str) else TypeError
        raise kind(f"solver must be one of {sorted(DEFAULT_MAX_ITER)}, got {model.solver!r}")
    max_iter = model.max_iter
    if max_iter is not None:
        max_iter = int(check_positive_number("max_iter", max_iter, integer=True))
    if not isinstance(model.fit_intercept, (bool, np.bool_)):
        raise TypeError(f"fit_intercept must be a bool, got {model.fit_intercept!r}")
    if model.callback is not None and not callable(model.callback):
        raise TypeError(f"callback must be callable or None, got {model.callback!r}")
    if not isinstance(model.verbose, (numbers.Integral, np.bool_)):
        raise TypeError(f"verbose must be a bool or an int >= 0, got {model.verbose!r}")
    return {
        "step": float(check_positive_number("step", model.step)),
        "max_iter": max_iter or DEFAULT_MAX_ITER[model.solver],
        "tol": _non_negative("tol", model.tol),
        "alpha": _non_negative("alpha", model.alpha),
        "start": int(model.fit_intercept),  # first penalised column of W
        "verbose": int(_non_negative("verbose", int(model.verbose))),
    }


class Estimator:
    r"""scikit-learn's estimator protocol: constructor parameters read, set and shown.

    The base of `softmax.SoftmaxRegression`, whose constructor names the parameters.
    """

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
        return values(self)

    def set_params(self, **params):
        r"""Set constructor parameters (they are checked by `fit`).

        Parameters
        ----------
        **params
            Parameter names and values.

        Returns
        -------
        Estimator
            `self`.

        Examples
        --------
        >>> from softmax import SoftmaxRegression
        >>> SoftmaxRegression().set_params(solver="gd").solver
        'gd'
        """
        return assign(self, params)

    def __repr__(self):
        return describe(self)

    def __sklearn_tags__(self):  # only scikit-learn calls this, so it is importable here
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        target = TargetTags(required=True)
        return Tags(
            estimator_type="classifier", target_tags=target, classifier_tags=ClassifierTags()
        )
