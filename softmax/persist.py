r"""The file format of a fitted `SoftmaxRegression`: a versioned `.npz` archive, not pickle.

A model file is a NumPy `.npz` archive (a ZIP of `.npy` arrays) read back with
``allow_pickle=False``, so loading a file can never run code. It holds exactly these keys:

| key              | array                              | meaning                           |
|------------------|------------------------------------|-----------------------------------|
| `format`         | 0-d str `"softmax.SoftmaxRegression"` | what the file is               |
| `format_version` | 0-d int64, `1`                     | layout version, bumped on change  |
| `params`         | 0-d str, a JSON object             | constructor parameters (below)    |
| `coef`           | float64, $(M, N)$                  | `coef_`, one row per class        |
| `intercept`      | float64, $(M,)$                    | `intercept_` (zeros without one)  |
| `classes`        | bool, int, float, str or bytes, $(M,)$ | `classes_`, sorted and unique |
| `n_features_in`  | 0-d int64                          | `n_features_in_` $= N$            |
| `n_iter`         | 0-d int64                          | `n_iter_`                         |
| `loss_curve`     | float64, $(n,)$                    | `loss_curve_`                     |

`params` holds every constructor parameter except `callback`: a Python callable cannot be
stored without pickle, so a loaded model has ``callback=None``. Arrays are stored with their
exact bits, so a round trip reproduces `coef_`, `intercept_`, `classes_` and every
prediction bit for bit.

A file is written atomically: to a temporary file in the target's directory, flushed to
disk, then renamed over the target with `os.replace`. A failure at any point leaves the
previous file (if any) untouched and removes the temporary file. Reading checks the format
name, the version, the set of keys, every dtype and shape and their agreement, and raises
`ValueError` naming the problem; nothing is returned until all checks pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets

import numpy as np

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "read", "write"]

FORMAT_NAME = "softmax.SoftmaxRegression"
"""The value of the file's ``format`` key: what kind of object the file holds."""
FORMAT_VERSION = 1
"""The layout version this module writes and the only one it reads."""

_KEYS = frozenset(
    {"format", "format_version", "params", "coef", "intercept", "classes", "n_features_in"}
    | {"n_iter", "loss_curve"}
)
#: dtype kinds that `classes` may have: bool, signed and unsigned int, float, str, bytes.
_CLASS_KINDS = "biufUS"


def _check_path(path):
    """Return `path` (str or os.PathLike of str) as a str; anything else is a TypeError."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"path must name a file with a str, got {type(path).__name__}")
    return path


def _storable_classes(classes):
    """`classes` as an array the format can hold without pickle, else TypeError."""
    arr = np.asarray(classes)
    if arr.dtype == object and all(isinstance(c, str) for c in arr.tolist()):
        arr = arr.astype(str)
    if arr.dtype.kind not in _CLASS_KINDS:
        kinds = sorted({type(c).__name__ for c in arr.tolist()}) if arr.dtype == object else []
        raise TypeError(
            f"classes_ of dtype {arr.dtype} {kinds or ''} cannot be stored without pickle: "
            "only bool, integer, float, str or bytes labels can be saved"
        )
    return arr


def _write_arrays(file, arrays):
    """Write the archive to an open binary file (a seam that tests replace)."""
    np.savez(file, **arrays)


def write(path, *, params, coef, intercept, classes, n_features_in, n_iter, loss_curve):
    r"""Write a model file atomically to exactly `path` (no suffix is added).

    Parameters
    ----------
    path : str or os.PathLike
        Target file; by convention it ends in ``.npz``. Its directory must exist.
    params : dict
        Constructor parameters; values must be JSON numbers, strings, booleans or None
        (NumPy scalars are converted).
    coef, intercept, classes, n_features_in, n_iter, loss_curve
        The fitted state, as in the table of the module docstring.

    Raises
    ------
    TypeError
        `path` is not a str or os.PathLike, a parameter is not JSON-storable, or `classes`
        is an object array that is not all strings.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from softmax import persist
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.npz")
    ...     persist.write(path, params={"alpha": 0.5}, coef=np.ones((2, 3)),
    ...                   intercept=np.zeros(2), classes=np.array(["a", "b"]),
    ...                   n_features_in=3, n_iter=1, loss_curve=[0.25])
    ...     sorted(os.listdir(tmp))                      # no temporary file is left
    ['model.npz']
    """
    path = _check_path(path)
    clean = {}
    for key, value in params.items():
        clean[key] = value.item() if isinstance(value, np.generic) else value
        try:
            json.dumps(clean[key], allow_nan=False)
        except (TypeError, ValueError):
            raise TypeError(
                f"parameter {key}={value!r} cannot be stored as JSON in a model file"
            ) from None
    arrays = {
        "format": np.array(FORMAT_NAME),
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "params": np.array(json.dumps(clean, sort_keys=True)),
        "coef": np.asarray(coef, dtype=np.float64),
        "intercept": np.asarray(intercept, dtype=np.float64),
        "classes": _storable_classes(classes),
        "n_features_in": np.array(n_features_in, dtype=np.int64),
        "n_iter": np.array(n_iter, dtype=np.int64),
        "loss_curve": np.asarray(loss_curve, dtype=np.float64),
    }
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:
        # "xb": create a new file (never clobber one); normal open honours the umask.
        with open(tmp, "xb") as file:
            _write_arrays(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _scalar(path, arrays, key, kind):
    arr = arrays[key]
    if arr.shape != () or arr.dtype.kind not in kind:
        raise ValueError(f"{path}: {key!r} must be a scalar of kind {kind!r}, got {arr.dtype}")
    return arr[()].item()


def _float_array(path, arrays, key, ndim):
    arr = arrays[key]
    if arr.dtype != np.float64 or arr.ndim != ndim:
        raise ValueError(
            f"{path}: {key!r} must be a {ndim}-d float64 array, got {arr.dtype} {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{path}: {key!r} holds non-finite values")
    return arr


def _load_arrays(path):
    with open(path, "rb") as file:  # a missing or unreadable file raises OSError here
        try:
            data = np.load(file, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError("it is a single .npy array, not an .npz archive")
            with data:
                return {key: data[key] for key in data.files}
        # Any failure to parse (zipfile, zlib, the .npy header parser, numpy) means the
        # bytes are not a model file: report it as one ValueError naming the cause.
        except Exception as exc:
            raise ValueError(
                f"{path} is not a readable {FORMAT_NAME} file (truncated, corrupted or not "
                f"an .npz archive): {type(exc).__name__}: {exc}"
            ) from exc


def read(path):
    r"""Read and fully check a model file; return its contents as a dict.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by `write` (or `SoftmaxRegression.save`).

    Returns
    -------
    dict
        Keys ``params`` (dict), ``coef``, ``intercept``, ``classes``, ``loss_curve``
        (arrays), ``n_features_in`` and ``n_iter`` (ints).

    Raises
    ------
    TypeError
        `path` is not a str or os.PathLike.
    OSError
        The file cannot be opened (e.g. `FileNotFoundError`).
    ValueError
        The file is truncated, corrupted or not an `.npz` archive, has another format name
        or version, misses or adds keys, or holds dtypes or shapes that do not agree.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from softmax import persist
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.npz")
    ...     persist.write(path, params={}, coef=np.full((2, 1), 0.1), intercept=np.zeros(2),
    ...                   classes=np.array([3, 7]), n_features_in=1, n_iter=2,
    ...                   loss_curve=[0.5, 0.25])
    ...     contents = persist.read(path)
    >>> contents["coef"].tolist(), contents["classes"].tolist(), contents["n_iter"]
    ([[0.1], [0.1]], [3, 7], 2)
    """
    path = _check_path(path)
    arrays = _load_arrays(path)
    missing, extra = sorted(_KEYS - arrays.keys()), sorted(arrays.keys() - _KEYS)
    if missing or extra:
        raise ValueError(f"{path}: missing key(s) {missing}, unexpected key(s) {extra}")
    name = _scalar(path, arrays, "format", "U")
    if name != FORMAT_NAME:
        raise ValueError(f"{path}: format name is {name!r}, expected {FORMAT_NAME!r}")
    version = _scalar(path, arrays, "format_version", "iu")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path}: format version {version} is not supported (this reader knows "
            f"version {FORMAT_VERSION} only)"
        )
    try:
        params = json.loads(_scalar(path, arrays, "params", "U"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: 'params' is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise ValueError(f"{path}: 'params' must be a JSON object, got {type(params).__name__}")
    coef = _float_array(path, arrays, "coef", 2)
    intercept = _float_array(path, arrays, "intercept", 1)
    loss_curve = _float_array(path, arrays, "loss_curve", 1)
    classes = arrays["classes"]
    n_features_in = _scalar(path, arrays, "n_features_in", "iu")
    n_iter = _scalar(path, arrays, "n_iter", "iu")
    n_classes = coef.shape[0]
    if classes.dtype.kind not in _CLASS_KINDS or classes.ndim != 1:
        raise ValueError(f"{path}: 'classes' must be a 1-d array of labels, got {classes.dtype}")
    if n_classes < 2 or classes.shape != (n_classes,) or intercept.shape != (n_classes,):
        raise ValueError(
            f"{path}: shapes do not agree: coef {coef.shape}, intercept {intercept.shape}, "
            f"classes {classes.shape} (need M >= 2 classes, coef (M, N), intercept (M,))"
        )
    if coef.shape[1] != n_features_in or n_features_in < 1:
        raise ValueError(
            f"{path}: n_features_in={n_features_in} does not match coef {coef.shape} (M, N)"
        )
    if n_iter < 0 or not np.array_equal(np.unique(classes), classes):
        raise ValueError(f"{path}: n_iter must be >= 0 and classes sorted and unique")
    return {
        "params": params,
        "coef": coef,
        "intercept": intercept,
        "classes": classes,
        "n_features_in": int(n_features_in),
        "n_iter": int(n_iter),
        "loss_curve": loss_curve,
    }
