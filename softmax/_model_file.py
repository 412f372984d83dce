r"""A `SoftmaxRegression` to and from its model file, whose format `softmax.persist` owns.

`softmax.persist` checks that a file is a well-formed model file; this module checks that
it is a valid `SoftmaxRegression`: the parameters are exactly the estimator's (bar
`callback`, which a file cannot hold), they pass the checks of `fit`, and a model fitted
without an intercept has a zero one.
"""

from __future__ import annotations

from softmax import _params, persist
from softmax._estimator_input import NotFittedError, _flavour
from softmax._fit import FITTED


def save(model, path):
    r"""Write fitted `model` to `path` with `softmax.persist.write`.

    Parameters
    ----------
    model : SoftmaxRegression
        Fitted; every parameter but `callback` is stored with the `FITTED` attributes.
    path : str or os.PathLike

    Raises
    ------
    NotFittedError
        `model` has no ``coef_``.
    """
    if "coef_" not in model.__dict__:
        raise _flavour(NotFittedError)("This SoftmaxRegression instance is not fitted yet")
    fitted = {name.rstrip("_"): getattr(model, name) for name in FITTED}
    params = {k: v for k, v in model.get_params().items() if k != "callback"}
    persist.write(path, params=params, **fitted)


def load(cls, path):
    r"""Read a model of class `cls` from `path`, checking it all before returning it.

    Parameters
    ----------
    cls : type
        `SoftmaxRegression` or a subclass with the same parameters.
    path : str or os.PathLike

    Returns
    -------
    SoftmaxRegression
        ``cls(**params)`` with the `FITTED` attributes of the file and ``callback=None``.

    Raises
    ------
    ValueError
        The file is not a valid model file (`softmax.persist.read`), its parameters are
        not those of `cls` or fail their checks, or it has an intercept while
        ``fit_intercept=False``.
    """
    data = persist.read(path)
    if set(data["params"]) != set(_params.names(cls)) - {"callback"}:
        raise ValueError(f"{path}: params hold {sorted(data['params'])}, not {cls.__name__}'s")
    model = cls(**data.pop("params"))
    try:
        start = _params.checked(model)["start"]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: invalid parameter in file: {exc}") from None
    if not start and data["intercept"].any():
        raise ValueError(f"{path}: fit_intercept=False but the intercept is not zero")
    data["loss_curve"] = data["loss_curve"].tolist()
    model.__dict__.update({name: data[name.rstrip("_")] for name in FITTED})
    return model
