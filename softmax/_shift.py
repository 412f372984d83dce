r"""The shared kernel of `softmax`, `log_softmax` and `logsumexp`.

For a slice $x$ along `axis` with maximum $m = x_k$ (first index $k$ on ties) the kernel
returns $e_i = w\,e^{x_i - m}$ for $i \ne k$ ($e_k = 0$), a per-slice scale $w > 0$, and
$t = \sum_{i \ne k} e_i$. The callers need only $s = t / w = \sum_{i \ne k} e^{x_i - m}$
(the sum without the max term, which is exactly 1): $\log\sum_i e^{x_i - m} =
\operatorname{log1p}(s)$ keeps full relative accuracy when $s$ is tiny (Blanchard, Higham
& Higham 2021, doi:10.1093/imanum/draa038, Algorithm 2), and softmax is
$q_i = e_i / (w + t)$.

The enemy is the rounding error of a shift $\mathrm{fl}(x_i - m)$: `exp` amplifies it into
$|x_i - m|\,2^{-53}$ relative error, hundreds of ulp once the spread of $x$ reaches $10^3$.
There are two ways to avoid it, chosen per block:

* **No shift** ($w = e^m$): $e_i = e^{x_i}$ exactly as `exp` rounds it, with nothing to
  correct. This is valid when no $e^{x_i}$ and no sum of them can overflow (the block's
  maximum is at most $\log(\text{float max}) - \log M - 1$, claim IMPL-1), and when no
  subnormal $e^{x_i}$ can lose relative accuracy: either the block has no $x_i < -708$,
  or the slice has $m \ge 0$, so that $w + t \ge 1$ and a subnormal's absolute error
  stays below one subnormal ulp of the result. Slices that fail the second test are
  redone with the shift. This is the common case, and it costs one `exp` pass and one
  sum, as an unshifted softmax does.
* **Shift by** $m$ ($w = 1$): $d_i = \mathrm{fl}(x_i - m) \le 0$, so no $e^{d_i}$
  overflows; $r_i = (x_i - m) - d_i$ is recovered exactly with Knuth's TwoSum (Knuth,
  TAOCP vol. 2, 4.2.2, Theorem B), and $e_i = e^{d_i}(1 + r_i)$ applies it as a first-order
  correction. $r$ is skipped when it is provably 0 wherever it matters: every $m$ is $0$,
  $\ge 1492$ or $\le -746$ (only entries with $x_i - m \ge -746$ can give a non-zero
  $e^{x_i - m}$; for $|m| \ge 1492$ ($m > 0$) or $m \le -746$ they lie within a factor 2
  of $m$, where $x_i - m$ is exact by Sterbenz's lemma). When every $m \le 0$, Fast2Sum
  finds $r$ in 2 operations instead of 5 (Dekker 1971), as $|x_i| \ge |m|$.

float32 inputs are computed in float64 and rounded once at the end.
"""

from __future__ import annotations

import numpy as np

_LOG_MAX = float(np.log(np.finfo(np.float64).max))
#: Above this, e^x is subnormal or zero in float64 (e^-708 > 2^-1022 = 2.2e-308).
_NORMAL_X = -708.0


def _rows_over(x, axis, m):
    r"""Mask of the slices whose maximum `m` is NaN or can overflow `exp` unshifted, or None.

    The bound is $\log(\text{float max}) - \log M - 1$, so that neither an $e^{x_i}$ nor
    the sum of a slice of them overflows.
    """
    bound = _LOG_MAX - np.log(x.shape[axis]) - 1.0
    over = ~(m <= bound)  # NaN compares False: a NaN maximum is "over"
    return over.ravel() if over.any() else None


def _rows_under(x, axis, small):
    """Mask of the slices flagged `small` that hold an entry below -708, or None.

    Their unshifted $e^{x_i}$ is subnormal or 0, with an absolute error that the
    normalization by a scale below 1 would magnify. The entries are searched only when
    some slice is `small`.
    """
    small = small.ravel()
    if not small.any() or np.min(x) >= _NORMAL_X:
        return None
    return small & (np.min(x, axis=axis) < _NORMAL_X).ravel()


def _either(a, b):
    if a is None or b is None:
        return a if b is None else b
    return a | b


def shift(x, axis, buf=None):
    """Return ``(top, m, e, w, t)`` for float64 `x` along `axis` (keepdims-shaped).

    `top` indexes each slice's first maximum (see `maxima`). `buf`, when
    given, is a float64 array shaped like `x` (not overlapping it) that receives `e`.
    Slices whose maximum is not finite (NaN, +inf, all -inf) come back unrepaired, with
    ``w = 1``; the callers apply their documented policy to them (`nonfinite_rows`).
    Whether a slice is shifted depends on that slice alone, so a slice gives the same
    bits whatever else is in the array.
    """
    m, top = maxima(x, axis)
    over = _rows_over(x, axis, m)
    if over is not None and over.all():
        e, t = _shifted(x, m, top, axis, buf)
        return top, m, e, 1.0, t
    # Slices in `over` may overflow here; they are redone below.
    with np.errstate(over="ignore", invalid="ignore"):
        w = np.exp(m)
        e = np.exp(x, out=buf)
        e[top] = 0.0
        t = _sum(e, axis)
    redo = _either(over, _rows_under(x, axis, m < 0.0))
    if redo is not None and redo.any():
        rows, xs = take_rows(redo, axis, x)
        ms, tops = maxima(xs, axis)
        es, ts = _shifted(xs, ms, tops, axis)
        put_rows(rows, axis, (e, es), (t, ts), (w, 1.0))
    return top, m, e, w, t


def maxima(x, axis):
    """``(m, top)``: each slice's maximum, and the index of its first maximum.

    `top` is a tuple for fancy indexing (``e[top] = v``), cheaper per block than the
    ``*_along_axis`` helpers. Along axis 0 (a few long rows) NumPy's `argmax` walks each
    column on its own, while `max` and ``==`` run over contiguous rows; the loop runs
    downwards so that the first index wins ties. A NaN makes `m` NaN, and the callers
    treat such slices as not finite.
    """
    if axis == 1:
        k = np.argmax(x, axis=1, keepdims=True)
        top = (np.arange(k.size).reshape(k.shape), k)
        return x[top], top
    m = np.max(x, axis=0, keepdims=True)
    k = np.zeros(m.shape, dtype=np.intp)
    for j in range(x.shape[0] - 1, -1, -1):
        np.copyto(k, j, where=x[j : j + 1] == m)
    return m, (k, np.arange(k.size).reshape(k.shape))


def _shifted(x, m, top, axis, buf=None):
    """$e = e^{x - m}$ with the TwoSum correction, 0 at `top`, and its sum over `axis`."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.subtract(x, m, out=buf)
        r = _shift_error(x, m, d)
        e = np.exp(d, out=d)
        if r is not None:
            # e * (1 + r) written as e + e*r so that the tiny r is not lost against 1.
            e += np.multiply(e, r, out=r)
        e[top] = 0.0
        s = _sum(e, axis)
    bad = ~np.isfinite(s)
    if bad.any():
        # A -inf entry (or an overflowed shift) leaves r_i NaN, and a non-finite maximum
        # leaves the whole slice NaN: those slices are redone on their own.
        _redo(x, e, s, bad.ravel(), axis)
    return e, s


def _shift_error(x, m, d):
    """$r = (x - m) - d$ exactly, or None where it is provably 0 wherever it matters."""
    if np.all((m == 0.0) | (m >= 1492.0) | (m <= -746.0)):
        return None
    r = np.subtract(d, x)
    if np.all(m <= 0.0):
        # Fast2Sum(x, -m), valid as |x| >= |m|: r = -m - (d - x).
        np.add(r, m, out=r)
        return np.negative(r, out=r)
    # TwoSum(x, -m): bb = d - x; r = (x - (d - bb)) - (m + bb), exact barring overflow.
    bb = r
    r = np.subtract(d, bb)
    np.subtract(x, r, out=r)
    np.add(bb, m, out=bb)
    return np.subtract(r, bb, out=r)


def _redo(x, e, s, rows, axis):
    """Recompute slices `rows` with a -inf or a non-finite maximum, correction kept."""
    rows, xs = take_rows(rows, axis, x)
    ms, tops = maxima(xs, axis)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.subtract(xs, ms)
        r = _shift_error(xs, ms, d)
        es = np.exp(d)
        if r is not None:
            # r_i is NaN only where e^{d_i} is 0 (-inf, overflowed shift), and needs no
            # correction there; zeroing it keeps the correction for the finite entries.
            np.copyto(r, 0.0, where=~np.isfinite(r))
            es += es * r
        es[tops] = 0.0
    put_rows(rows, axis, (e, es), (s, _sum(es, axis)))


def take_rows(mask, axis, *arrays):
    """The indices of the slices in `mask`, and those slices of each of `arrays`."""
    rows = np.flatnonzero(mask)
    return (rows, *(np.take(a, rows, axis=1 - axis) for a in arrays))


def put_rows(rows, axis, *pairs):
    """Write each ``(target, values)`` pair back into the slices `rows` of `target`.

    A scalar `values` is broadcast; a scalar `target` (a shared scale of 1) is skipped.
    """
    index = [slice(None), slice(None)]
    index[1 - axis] = rows
    for target, values in pairs:
        if isinstance(target, np.ndarray):
            target[tuple(index)] = values


def _sum(e, axis):
    """Sum along `axis`, pairwise (error ~ log2(M) u) in both layouts.

    Along axis 1 NumPy's own sum is pairwise. Along axis 0 it would add the rows one after
    another (error ~ M u), so the rows are added as a balanced tree instead.
    """
    if axis == 1 or e.shape[0] == 1:
        return np.sum(e, axis=axis, keepdims=True)
    # Pairs (i, i + n/2) of one level; an odd row out moves up a level unchanged. After
    # the first level, every level adds in place into the same scratch rows.
    n = e.shape[0]
    half, odd = divmod(n, 2)
    acc = np.empty((half + odd, e.shape[1]))
    np.add(e[:half], e[half : 2 * half], out=acc[:half])
    if odd:
        acc[half] = e[2 * half]
    while acc.shape[0] > 1:
        half, odd = divmod(acc.shape[0], 2)
        acc[:half] += acc[half : 2 * half]
        if odd:
            acc[half] = acc[2 * half]
        acc = acc[: half + odd]
    return acc


def nonfinite_rows(m):
    """Mask (keepdims-shaped) of slices whose maximum is NaN, +inf or -inf."""
    return ~np.isfinite(m)


def posinf_onehot(x, axis):
    """For slices holding +inf: one-hot where there is exactly one, NaN where several."""
    hits = x == np.inf
    count = np.sum(hits, axis=axis, keepdims=True)
    onehot = hits.astype(np.float64)
    return np.where(count == 1, onehot, np.nan)
