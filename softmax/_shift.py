r"""The shared kernel of `softmax`, `log_softmax` and `logsumexp`: shift by the maximum.

For a slice $x$ along `axis` with maximum $m = x_k$ (first index $k$ on ties):

* $d_i = \mathrm{fl}(x_i - m) \le 0$, so no $e^{d_i}$ overflows (claim IMPL-1);
* $r_i = (x_i - m) - d_i$, the rounding error of that shift, recovered exactly with
  Knuth's TwoSum (Knuth, TAOCP vol. 2, 4.2.2, Theorem B);
* $e_i = e^{d_i}(1 + r_i) \approx e^{x_i - m}$: the first-order correction removes the error
  that `exp` would otherwise amplify into $|d_i|\,2^{-53}$ relative error (hundreds of ulp
  once the spread of $x$ reaches $10^3$);
* $s = \sum_{i \ne k} e_i$, the sum without the max term (which is exactly 1), so that
  $\log\sum_i e^{x_i - m} = \operatorname{log1p}(s)$ keeps full relative accuracy when $s$
  is tiny (Blanchard, Higham & Higham 2021, doi:10.1093/imanum/draa038, Algorithm 2).

The shift is always by $m$, so the result depends on $x$ only through its gaps $x_i - m$:
an exact shift of the input gives bit-identical output. What varies is how $r$ is found,
chosen per block from the slices' maxima; each way gives the same $r$, to the bit:

* **none needed** when every $m$ is $0$, $\ge 1492$ or $\le -746$. Only entries with
  $x_i - m \ge -746$ can give a non-zero $e^{x_i - m}$; for $|m| \ge 1492$ ($m > 0$) or
  $m \le -746$ they lie within a factor 2 of $m$, where $x_i - m$ is exact (Sterbenz's
  lemma), and for $m = 0$ the shift is $x_i$ itself. The others have
  $\mathrm{fl}(x_i - m) \le -746$ and $e^{d_i} = 0$ whatever $r_i$ is.
* **Fast2Sum**, 2 operations instead of 5, when every $m \le 0$: then $|x_i| \ge |m|$ and
  $r_i = -(m + (d_i - x_i))$ exactly (Dekker 1971).
* **TwoSum** otherwise.

float32 inputs are computed in float64 and rounded once at the end.
"""

from __future__ import annotations

import numpy as np

_LOG_MAX = float(np.log(np.finfo(np.float64).max))
#: Below this (and above -1024) the exact shift is a power of two; above it, 0.
_TINY = 2.0**-43


def shift(x, axis, buf=None):
    """Return ``(k, m, e, s)`` for float64 `x` along `axis` (all keepdims-shaped).

    `buf`, when given, is a float64 array shaped like `x` (not overlapping it) that
    receives `e`. Slices whose maximum is not finite (NaN, +inf, all -inf) come back
    unrepaired; the callers apply their documented policy to them (`nonfinite_rows`).
    """
    k, m = first_argmax(x, axis)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.subtract(x, m, out=buf)
        r = _shift_error(x, m, d)
        e = np.exp(d, out=d)
        if r is not None:
            # e * (1 + r) written as e + e*r so that the tiny r is not lost against 1.
            e += np.multiply(e, r, out=r)
        np.put_along_axis(e, k, 0.0, axis=axis)
        s = _sum(e, axis)
    bad = ~np.isfinite(s)
    if bad.any():
        # A -inf entry (or an overflowed shift) leaves r_i NaN, and a non-finite maximum
        # leaves the whole slice NaN: those slices are redone on their own.
        _redo(x, k, m, e, s, bad.ravel(), axis)
    return k, m, e, s


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


def _redo(x, k, m, e, s, rows, axis):
    """Recompute slices `rows` with a -inf or a non-finite maximum, correction kept."""
    other = 1 - axis
    rows = np.flatnonzero(rows)
    xs, ks, ms = (np.take(a, rows, axis=other) for a in (x, k, m))
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.subtract(xs, ms)
        r = _shift_error(xs, ms, d)
        es = np.exp(d)
        if r is not None:
            # r_i is NaN only where e^{d_i} is 0 (-inf, overflowed shift), and needs no
            # correction there; zeroing it keeps the correction for the finite entries.
            np.copyto(r, 0.0, where=~np.isfinite(r))
            es += es * r
        np.put_along_axis(es, ks, 0.0, axis=axis)
    index = [slice(None), slice(None)]
    index[other] = rows
    e[tuple(index)] = es
    s[tuple(index)] = _sum(es, axis)


def first_argmax(x, axis):
    """Index (first on ties) and value of each slice's maximum; NaN counts as maximal."""
    if axis == 1 or x.shape[axis] > 64:
        k = np.argmax(x, axis=axis, keepdims=True)
        return k, np.take_along_axis(x, k, axis=axis)
    # A few long rows along axis 0: NumPy's argmax over axis 0 walks each column
    # separately, while maximum and == run over contiguous rows. Descending, so that the
    # first index wins ties. A slice with a NaN gets its first NaN, as from argmax.
    k = np.argmax(x, axis=0, keepdims=True) if np.isnan(x).any() else None
    if k is not None:
        return k, np.take_along_axis(x, k, axis=0)
    m = x.max(axis=0, keepdims=True)
    k = np.zeros(m.shape, dtype=np.intp)
    for j in range(x.shape[0] - 1, -1, -1):
        np.copyto(k, j, where=x[j : j + 1] == m)
    return k, m


def _sum(e, axis):
    """Sum along `axis`, pairwise (error ~ log2(M) u) in both layouts.

    Along axis 1 NumPy's own sum is pairwise. Along axis 0 it would add the rows one after
    another (error ~ M u), so the rows are added as a balanced tree instead.
    """
    if axis == 1 or e.shape[0] == 1:
        return np.sum(e, axis=axis, keepdims=True)
    while e.shape[0] > 1:
        half = e.shape[0] // 2
        pairs = e[:half] + e[half : 2 * half]
        e = pairs if e.shape[0] % 2 == 0 else np.concatenate([pairs, e[2 * half :]])
    return e


def nonfinite_rows(m):
    """Mask (keepdims-shaped) of slices whose maximum is NaN, +inf or -inf."""
    return ~np.isfinite(m)


def posinf_onehot(x, axis):
    """For slices holding +inf: one-hot where there is exactly one, NaN where several."""
    hits = x == np.inf
    count = np.sum(hits, axis=axis, keepdims=True)
    onehot = hits.astype(np.float64)
    return np.where(count == 1, onehot, np.nan)
