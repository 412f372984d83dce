r"""`logsumexp` with weights `b` or complex input: $\log|\sum_i b_i e^{a_i}|$ and its sign.

For one slice, let $k$ be the first index of the largest (real part of) $a_i$ among the
terms with $b_i \ne 0$, and $m = a_k$. Then (claims IMPL-14 and IMPL-15)

$$\sum_i b_i e^{a_i} = b_k e^{m} (1 + s), \qquad
s = \sum_{i \ne k} \frac{b_i}{b_k} e^{a_i - m},$$

so $\log\left|\sum\right| = m + \log|b_k| + \log|1 + s|$, with $\log|1 + s| =
\operatorname{log1p}(s)$ when $s > -1$ (the log1p form keeps a small $s$), and the sign of
the sum is $\operatorname{sign}(b_k)\operatorname{sign}(1 + s)$. Every exponent
$a_i - m$ is $\le 0$ in its real part, so nothing overflows; the shift is corrected for
its rounding by `softmax._kernels.correct_rows`, as in the kernel. A zero weight drops
its term whatever $a_i$ is, so zero weights mask entries (scipy's convention). A slice
whose largest kept $a_i$ is not finite is summed directly, so that $0 \cdot \infty$ (an
infinite weight on $e^{-\infty}$) and $\infty - \infty$ give NaN, and a slice with no term
at all is the empty sum: $\log 0 = -\infty$ with sign 0 (claim IMPL-16).
"""

from __future__ import annotations

import numpy as np

from softmax import _blocks
from softmax._axes import Slices, check_axes
from softmax._validate import as_number_array


def _shifted_exp(a_rows):
    r"""$e^{a_i - m}$ of each row (finite maximum $m$), the shift's rounding corrected."""
    kernels = _blocks.kernels()
    e = np.empty(a_rows.shape)
    kernels.shift_rows(a_rows, e)
    np.exp(e, out=e)
    kernels.correct_rows(a_rows, e)
    return e


def _direct(a_rows, b_rows):
    r"""The sum computed as written, for slices whose largest kept exponent is not finite.

    A real weight multiplies a complex $e^{a}$ as a real number: as a complex one,
    $(b + 0i)(\infty + 0i)$ has the term $0 \cdot \infty$ and would be NaN.
    """
    e = np.exp(a_rows)
    if not np.iscomplexobj(e):
        return np.sum(b_rows * e, axis=1)
    scaled = np.empty_like(e)  # part by part: NumPy would widen a real b to b + 0i
    scaled.real, scaled.imag = b_rows.real * e.real, b_rows.real * e.imag
    return np.sum(np.where(b_rows.imag == 0, scaled, b_rows * e), axis=1)


def real_rows(a_rows, b_rows):
    """``(log|sum|, sign)`` of each row of float64 `a_rows` weighted by `b_rows`."""
    kept = np.where(b_rows != 0, a_rows, -np.inf)
    m = np.max(kept, axis=1)
    out, sign = np.empty(m.shape), np.empty(m.shape)
    finite = np.isfinite(m)
    direct = _direct(kept[~finite], b_rows[~finite])
    out[~finite], sign[~finite] = np.log(np.abs(direct)), np.sign(direct)
    if finite.any():
        # Every row finite is the usual case: no copy of the rows then.
        a, b = (kept, b_rows) if finite.all() else (kept[finite], b_rows[finite])
        k = np.argmax(a, axis=1)
        rows = np.arange(a.shape[0])
        terms = _shifted_exp(a)
        terms *= b
        terms[rows, k] = 0.0
        bk = b[rows, k]
        s = np.sum(terms, axis=1) / bk  # IMPL-14
        one = np.where(s > -1.0, np.log1p(np.maximum(s, -1.0)), np.log(np.abs(1.0 + s)))
        out[finite] = m[finite] + np.log(np.abs(bk)) + one
        sign[finite] = np.sign(bk) * np.sign(1.0 + s)  # IMPL-15
    return out, sign


def _wrap(angle):
    r"""An angle wrapped to $(-\pi, \pi]$, unchanged (to the bit) where it is inside."""
    wrapped = -((np.pi - angle) % (2.0 * np.pi) - np.pi)
    return np.where(np.abs(angle) < np.pi, angle, wrapped)


def complex_rows(a_rows, b_rows):
    r"""``(log sum, phase)`` of each row of complex `a_rows` weighted by `b_rows`: the log's
    imaginary part in $(-\pi, \pi]$, and the phase $e^{i \arg \sum}$."""
    kept = b_rows != 0
    re = np.where(kept, a_rows.real, -np.inf)
    m = np.max(re, axis=1)
    out = np.empty(m.shape, np.complex128)
    finite = np.isfinite(m)
    out[~finite] = np.log(_direct(np.where(kept, a_rows, -np.inf)[~finite], b_rows[~finite]))
    if finite.any():
        a, b = a_rows[finite], b_rows[finite]
        k = np.argmax(re[finite], axis=1)
        rows = np.arange(a.shape[0])
        ak, bk = a[rows, k], b[rows, k]
        terms = np.where(kept[finite], (b / bk[:, None]) * np.exp(a - ak[:, None]), 0.0)
        terms[rows, k] = 0.0
        out[finite] = ak + np.log(bk) + np.log1p(np.sum(terms, axis=1))
    angle = _wrap(out.imag)
    return out.real + 1j * angle, np.exp(1j * angle)


def logsumexp(arr, axis, b, keepdims, return_sign):
    """`softmax.logsumexp` with weights `b` or complex `arr` (already an array)."""
    weights = np.ones((), arr.dtype) if b is None else as_number_array("b", b)
    try:
        arr, weights = np.broadcast_arrays(arr, weights)
    except ValueError:
        raise ValueError(
            f"b must broadcast against z: shapes {np.shape(weights)} and {arr.shape}"
        ) from None
    dtype = np.result_type(arr, weights)
    axes = check_axes("axis", axis, arr.ndim)
    a_rows, b_rows = Slices(arr, axes).rows, Slices(weights, axes).rows
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if a_rows.shape[1] == 0:  # the empty sum (IMPL-16)
            out, sign = np.full(a_rows.shape[0], -np.inf), np.zeros(a_rows.shape[0])
        elif dtype.kind == "c":
            out, sign = complex_rows(
                a_rows.astype(complex, copy=False), b_rows.astype(complex, copy=False)
            )
        else:
            out, sign = real_rows(
                a_rows.astype(float, copy=False), b_rows.astype(float, copy=False)
            )
            if not return_sign:  # the log of a negative sum is not real
                out = np.where(sign < 0, np.nan, out)
    slices = Slices(arr, axes)
    out = np.asarray(slices.reduce(out.astype(dtype), keepdims))
    if return_sign:
        return out.real if dtype.kind == "c" else out, np.asarray(
            slices.reduce(sign.astype(dtype), keepdims)
        )
    return out
