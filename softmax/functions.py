r"""`softmax`, `log_softmax` and `logsumexp`: stable, accurate, any axis.

Policy for values that are not finite, applied to each slice along `axis`:

| slice holds                    | `softmax`             | `log_softmax`          | `logsumexp` |
|--------------------------------|-----------------------|------------------------|-------------|
| a NaN                          | all NaN               | all NaN                | NaN         |
| some $-\infty$, some finite    | 0 at the $-\infty$    | $-\infty$ there        | finite      |
| only $-\infty$                 | all NaN               | all NaN                | $-\infty$   |
| exactly one $+\infty$          | one-hot at it         | 0 there, $-\infty$ else| $+\infty$   |
| two or more $+\infty$          | all NaN               | all NaN                | $+\infty$   |

Why: softmax of a slice is defined by its gaps $x_i - x_j$. A $-\infty$ entry has weight
$e^{-\infty} = 0$. One $+\infty$ entry is the limit $x_k \to \infty$ with the rest fixed,
which is one-hot however it is approached. With only $-\infty$ entries, or several
$+\infty$ entries, every gap is $\infty - \infty$: the limit depends on how the entries
diverge, so there is no answer to give, and NaN says so (as scipy, PyTorch and JAX do for
the all $-\infty$ slice). `logsumexp` needs no gaps: $\log 0 = -\infty$ and
$\log \infty = \infty$ are well defined.
"""

from __future__ import annotations

import numpy as np

from softmax import _blocks
from softmax._validate import as_float_array, check_axis, check_workers

__all__ = ["log_softmax", "logsumexp", "softmax"]


def _prepare(z, axis, name="z"):
    arr = as_float_array(name, z, min_ndim=1)
    ax = check_axis("axis", axis, arr.ndim)
    if arr.shape[ax] == 0:
        raise ValueError(
            f"{name} must have at least one entry along axis {axis}, got shape {arr.shape}"
        )
    return arr, ax, arr.dtype


def _check_out(out, shape, dtype):
    if out is None:
        return
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(
            f"out must have shape {shape} and dtype {dtype}, got {out.shape} and {out.dtype}"
        )


def _rows(arr, ax):
    """The slices along `ax` as the rows of an (O, M) array (a view when `ax` is last)."""
    moved = np.moveaxis(arr, ax, -1)
    return moved.reshape(-1, moved.shape[-1]), moved.shape


def _slicewise(z, axis, out, workers, finish):
    """`softmax` or `log_softmax`: one output entry per input entry."""
    arr, ax, dtype = _prepare(z, axis)
    _check_out(out, arr.shape, dtype)
    workers = check_workers("workers", workers)
    last = ax == arr.ndim - 1
    rows, moved_shape = _rows(arr, ax)
    if out is not None and last and out.flags.c_contiguous:
        result = out
    else:
        result = np.empty(moved_shape, dtype)
    _blocks.run(rows, finish, (result.reshape(rows.shape),), workers)
    if not last:
        result = np.ascontiguousarray(np.moveaxis(result, -1, ax))
    if out is not None and result is not out:
        np.copyto(out, result)
        return out
    return result


def softmax(z, axis=-1, *, out=None, workers=None):
    r"""Softmax along `axis`: $q_i = e^{z_i} / \sum_k e^{z_k}$.

    Parameters
    ----------
    z : array_like
        Logits, at least one-dimensional. float32 stays float32 and float64 stays float64;
        integers and bools are computed as float64.
    axis : int, optional
        The axis whose entries form one distribution. Default: the last.
    out : numpy.ndarray, optional
        Array of the result's shape and dtype to write into (it may be `z` itself).
    workers : int, optional
        Threads to share the work among: blocks of about 65 000 entries are computed in
        parallel (NumPy releases the GIL inside each operation). Default None, one
        thread; -1 uses every CPU, -2 all but one (scipy.fft's convention). The result is
        the same to the bit for any value, since each slice is computed on its own.

    Returns
    -------
    numpy.ndarray
        $q$, the same shape as `z`; each slice along `axis` sums to 1.

    Notes
    -----
    Computed as $q_i = e^{z_i - m} / (1 + s)$ with $m = \max_k z_k$ and
    $s = \sum_{i \ne \arg\max} e^{z_i - m}$ (claims SM-1 and IMPL-1), in one of two ways
    per slice (`softmax._kernels`). When no $e^{z_i}$ can overflow and none is a subnormal
    that matters, both sides are scaled by $e^m$: $q_i = e^{z_i} / (e^m + \sum_{i \ne
    \arg\max} e^{z_i})$, one `exp` per entry and nothing to correct. Otherwise the slice is
    shifted by $m$, which makes every exponent $\le 0$, and the exact rounding error of the
    shift is applied as a first-order correction (claim IMPL-2), so that no finite input
    overflows or loses accuracy. Non-finite entries follow the policy in the module
    docstring.

    The work is three passes over cache-sized blocks: a compiled pass for the maximum,
    NumPy's vectorised `exp`, and a compiled pass for the sum (claim IMPL-12) and the
    division (`softmax._kernels`; numba compiles them on the first call and caches them on
    disk). float32 input is computed in float64 block by block, so that the float32 result
    is correctly rounded but for double rounding; a float32-only computation (scipy's)
    misses the 4-ulp target (see the docs' accuracy and conformance page). ``make bench``
    measures the speed against SciPy and PyTorch (the docs' Benchmarks page);
    ``workers=-1`` shares the blocks among every CPU.

    References
    ----------
    P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the log-sum-exp and
    softmax functions", IMA J. Numer. Anal. 41(4), 2021, doi:10.1093/imanum/draa038.

    Examples
    --------
    The tutorial's example, $A = 5, B = 1, C = -1$ (the tutorial prints 0.9817, 0.0180,
    0.0003, which are the values for $C = -3$; see erratum SM-3):

    >>> import numpy as np
    >>> from softmax import softmax
    >>> q = softmax([5.0, 1.0, -1.0])
    >>> np.round(q, 4)
    array([0.9796, 0.0179, 0.0024])
    >>> float(q.sum())
    1.0

    Large logits do not overflow, and argmax is preserved:

    >>> softmax(np.array([1000.0, 999.0], dtype=np.float32)).dtype
    dtype('float32')
    """
    return _slicewise(z, axis, out, workers, _blocks.finish_softmax)


def log_softmax(z, axis=-1, *, out=None, workers=None):
    r"""Logarithm of the softmax along `axis`: $\log q_i = z_i - \log\sum_k e^{z_k}$.

    Parameters
    ----------
    z : array_like
        Logits, at least one-dimensional (dtype rules as in `softmax`).
    axis : int, optional
        The axis whose entries form one distribution. Default: the last.
    out : numpy.ndarray, optional
        Array of the result's shape and dtype to write into.
    workers : int, optional
        Threads to share the work among, as in `softmax`.

    Returns
    -------
    numpy.ndarray
        $\log q$, the same shape as `z`; every entry is $\le 0$.

    Notes
    -----
    Computed in the log1p form $\log q_i = (z_i - m) - \operatorname{log1p}(s)$, with
    $m$ the maximum and $s = \sum_{i \ne \arg\max} e^{z_i - m}$. The plain form
    $z_i - m - \log\sum_k e^{z_k - m}$ returns exactly 0 at the maximum once the gap to
    the next entry exceeds about 37 (float64), because $1 + s$ rounds to 1; `log1p` keeps
    $-s$ (claim IMPL-4). Never computed as `log(softmax(z))`, which gives
    $-\infty$ where $q_i$ underflows.

    References
    ----------
    P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the log-sum-exp and
    softmax functions", IMA J. Numer. Anal. 41(4), 2021, doi:10.1093/imanum/draa038.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import log_softmax
    >>> float(log_softmax([0.0, -50.0])[0])   # -e^{-50}, not 0
    -1.9287498479639178e-22
    >>> bool(np.allclose(np.exp(log_softmax([1.0, 2.0, 3.0])).sum(), 1.0))
    True
    """
    return _slicewise(z, axis, out, workers, _blocks.finish_log_softmax)


def logsumexp(z, axis=-1, *, keepdims=False, workers=None):
    r"""Log of the sum of exponentials along `axis`: $\log\sum_k e^{z_k}$.

    Parameters
    ----------
    z : array_like
        At least one-dimensional (dtype rules as in `softmax`).
    axis : int, optional
        The axis to reduce. Default: the last.
    keepdims : bool, optional
        Keep the reduced axis with length 1.
    workers : int, optional
        Threads to share the work among, as in `softmax`.

    Returns
    -------
    numpy.ndarray
        The reduced array, in the dtype of the result rules of `softmax`.

    Notes
    -----
    $\operatorname{lse}(z) = m + \operatorname{log1p}(s)$, $m = \max_k z_k$,
    $s = \sum_{i \ne \arg\max} e^{z_i - m}$ (Blanchard, Higham & Higham 2021, Algorithm 2).
    Its gradient is the softmax: $\partial\,\operatorname{lse} / \partial z_i = q_i$
    (claim IMPL-5).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))      # 1000 + log 2, no overflow
    1000.6931471805599
    >>> float(logsumexp([-np.inf, -np.inf]))    # log 0
    -inf
    """
    arr, ax, dtype = _prepare(z, axis)
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims must be a bool, got {type(keepdims).__name__}")
    workers = check_workers("workers", workers)
    rows, moved_shape = _rows(arr, ax)
    result = np.empty(rows.shape[0], dtype)
    _blocks.run(rows, _blocks.finish_logsumexp, (result,), workers)
    result = result.reshape(moved_shape[:-1])
    if keepdims:
        result = np.expand_dims(result, ax)
    return np.asarray(result)
