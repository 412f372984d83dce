r"""`softmax`, `log_softmax` and `logsumexp`: stable, accurate, any axis.

Policy for values that are not finite, applied to each slice along `axis`:

| slice holds                    | `softmax`             | `log_softmax`          | `logsumexp` |
|--------------------------------|-----------------------|------------------------|-------------|
| a NaN                          | all NaN               | all NaN                | NaN         |
| some $-\infty$, some finite    | 0 at the $-\infty$    | $-\infty$ there        | finite      |
| only $-\infty$                 | all NaN               | all NaN                | $-\infty$   |
| exactly one $+\infty$          | one-hot at it         | 0 there, $-\infty$ else| $+\infty$   |
| two or more $+\infty$          | all NaN               | all NaN                | $+\infty$   |
| no entries at all              | empty                 | empty                  | $-\infty$   |

`logsumexp` with weights `b` sums $b_i e^{z_i}$: a zero weight drops its term whatever
$z_i$ is (NaN and $\pm\infty$ included), a NaN weight makes the slice NaN, an infinite
weight on $e^{-\infty}$ is $\infty \cdot 0$, NaN, and $+\infty$ entries with weights of
both signs are $\infty - \infty$, NaN; a sum of 0 gives $-\infty$ with sign 0, and a
negative sum gives NaN unless `return_sign` asks for its sign.

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

from softmax import _blocks, _weighted
from softmax._axes import Slices, check_axes
from softmax._validate import as_float_array, as_number_array, check_workers

__all__ = ["log_softmax", "logsumexp", "softmax"]


def _prepare(z, axis):
    arr = as_float_array("z", z)
    return arr, check_axes("axis", axis, arr.ndim)


def _check_out(out, shape, dtype):
    if out is None:
        return
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(
            f"out must have shape {shape} and dtype {dtype}, got {out.shape} and {out.dtype}"
        )


def _slicewise(z, axis, out, workers, finish):
    """`softmax` or `log_softmax`: one output entry per input entry."""
    arr, axes = _prepare(z, axis)
    _check_out(out, arr.shape, arr.dtype)
    workers = check_workers("workers", workers)
    slices = Slices(arr, axes)
    rows = slices.rows
    direct = out is not None and slices.in_place and out.flags.c_contiguous
    result = out.reshape(rows.shape) if direct else np.empty(rows.shape, arr.dtype)
    if result.size:  # an empty slice has an empty result (nothing to normalise)
        _blocks.run(rows, finish, (result,), workers)
    if direct:
        return out
    result = np.asarray(slices.expand(result), order="C")  # 0-d stays 0-d
    if out is not None:
        np.copyto(out, result)
        return out
    return result


def softmax(z, axis=-1, *, out=None, workers=None):
    r"""Softmax along `axis`: $q_i = e^{z_i} / \sum_k e^{z_k}$.

    Checked by claims SM-1, SM-2, SM-3, SM-4, SM-5, SM-6, SM-7, ML-1, LOSS-6, MODEL-2,
    MODEL-3, MAT-3, GRAD-2, SUM-1, SUM-3, IMPL-1, IMPL-2, IMPL-11, IMPL-5, IMPL-6, IMPL-16,
    IMPL-17, IMPL-19, IMPL-10.

    Parameters
    ----------
    z : array_like
        Logits. float32 stays float32 and float64 stays float64; integers and bools are
        computed as float64. A 0-d input is one distribution of one entry.
    axis : int, tuple of ints or None, optional
        The axis whose entries form one distribution; a tuple makes the entries of those
        axes together one distribution (claim IMPL-17), None makes the whole array one.
        Default: the last axis, PyTorch's and JAX's convention (`scipy.special.softmax`'s
        default is None, the whole array).
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
        $q$, the same shape as `z`; each slice along `axis` sums to 1. An empty slice
        gives an empty result.

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

    The work is two passes over cache-sized blocks: NumPy's vectorised `exp`, then one
    compiled pass for the maximum, the sum (`softmax._tree`) and the division
    (`softmax._kernels`; numba compiles it on the first call and caches it on disk).
    float32 input is computed in float64 block by block, so that the float32 result is
    correctly rounded but for double rounding; a float32-only computation (scipy's)
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

    Several axes, or all of them, as one distribution (scipy's default is ``axis=None``):

    >>> z = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> float(softmax(z, axis=(0, 1)).sum()), float(softmax(z, axis=None)[1, 1])
    (1.0, 0.6439142598879724)
    >>> float(softmax(2.0))    # a 0-d input: one distribution of one entry
    1.0
    """
    return _slicewise(z, axis, out, workers, _blocks.finish_softmax)


def log_softmax(z, axis=-1, *, out=None, workers=None):
    r"""Logarithm of the softmax along `axis`: $\log q_i = z_i - \log\sum_k e^{z_k}$.

    Checked by claims IMPL-1, IMPL-4, IMPL-16, IMPL-17, IMPL-19, IMPL-10.

    Parameters
    ----------
    z : array_like
        Logits (dtype and 0-d rules as in `softmax`).
    axis : int, tuple of ints or None, optional
        The axes whose entries form one distribution, as in `softmax`. Default: the last.
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
    >>> float(log_softmax(1.0)), log_softmax(np.zeros((2, 0))).shape
    (0.0, (2, 0))
    """
    return _slicewise(z, axis, out, workers, _blocks.finish_log_softmax)


def logsumexp(z, axis=-1, b=None, keepdims=False, return_sign=False, *, workers=None):
    r"""Log of the sum of exponentials along `axis`: $\log\sum_k e^{z_k}$.

    Checked by claims IMPL-1, IMPL-3, IMPL-5, IMPL-14, IMPL-15, IMPL-16, IMPL-17,
    IMPL-19, IMPL-12, IMPL-10.

    Parameters
    ----------
    z : array_like
        Real (dtype rules as in `softmax`) or complex.
    axis : int, tuple of ints or None, optional
        The axes to reduce, as in `softmax`. Default: the last (scipy's is None).
    b : array_like, optional
        Weights, broadcast against `z`: $\log\left|\sum_k b_k e^{z_k}\right|$. They may
        be negative. A zero weight drops its term whatever $z_k$ is (so weights can mask
        entries); a NaN weight gives NaN, and an infinite one on $e^{-\infty}$ is
        $0 \cdot \infty$, NaN.
    keepdims : bool, optional
        Keep the reduced axes with length 1.
    return_sign : bool, optional
        Also return the sign of the sum: +1, 0 (the sum is 0: the result is $-\infty$) or
        -1; for complex input, the phase $e^{i \arg \sum}$. Without it, a negative sum
        gives NaN (its logarithm is not real).
    workers : int, optional
        Threads to share the work among, as in `softmax` (without `b`, for real input).

    Returns
    -------
    numpy.ndarray
        The reduced array, in the dtype of the result rules of `softmax` (with `b`, the
        dtype that `z` and `b` promote to). An empty slice is the empty sum: $-\infty$.
        For complex input the imaginary part lies in $(-\pi, \pi]$.
    numpy.ndarray
        With `return_sign`: the sign, shaped as the result.

    Notes
    -----
    $\operatorname{lse}(z) = m + \operatorname{log1p}(s)$, $m = \max_k z_k$,
    $s = \sum_{i \ne \arg\max} e^{z_i - m}$ (Blanchard, Higham & Higham 2021, Algorithm 2).
    Its gradient is the softmax: $\partial\,\operatorname{lse} / \partial z_i = q_i$
    (claim IMPL-5). With weights or complex input the same log1p form holds about the
    largest kept term, $b_k e^{m}(1 + s)$ (claims IMPL-14, IMPL-15; `softmax._weighted`).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))      # 1000 + log 2, no overflow
    1000.6931471805599
    >>> float(logsumexp([-np.inf, -np.inf]))    # log 0
    -inf
    >>> float(logsumexp([]))                    # the empty sum is 0
    -inf
    >>> logsumexp(np.zeros((2, 3, 4)), axis=(0, 2), keepdims=True).shape
    (1, 3, 1)
    >>> lse, sign = logsumexp([1.0, 2.0], b=[1.0, -1.0], return_sign=True)
    >>> float(lse), float(sign)                 # log|e - e^2|, and the sum is negative
    (1.5413248546129181, -1.0)
    >>> complex(logsumexp([1 + 3j, 2 + 2j]))    # imaginary part in (-pi, pi]
    (2.21357008344234+2.252711378218588j)
    """
    for name, flag in (("keepdims", keepdims), ("return_sign", return_sign)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
    workers = check_workers("workers", workers)
    arr = as_number_array("z", z)
    if b is not None or arr.dtype.kind == "c":
        return _weighted.logsumexp(arr, axis, b, keepdims, return_sign)
    slices = Slices(arr, check_axes("axis", axis, arr.ndim))
    rows = slices.rows
    result = np.empty(rows.shape[0], arr.dtype)
    if rows.shape[1] == 0:
        result.fill(-np.inf)  # the empty sum is 0, and log 0 = -inf (IMPL-16)
    elif result.size:
        _blocks.run(rows, _blocks.finish_logsumexp, (result,), workers)
    result = np.asarray(slices.reduce(result, keepdims))
    if return_sign:  # a sum of exponentials is positive, or 0 when it is empty
        sign = np.where(result == -np.inf, 0.0, 1.0).astype(result.dtype)
        return result, np.where(np.isnan(result), np.nan, sign).astype(result.dtype)
    return result
