r"""The shared kernel of `softmax`, `log_softmax` and `logsumexp`: shift by the maximum.

For a slice $x$ along `axis` with maximum $m = x_k$ (first index $k$ on ties):

* $d_i = \mathrm{fl}(x_i - m) \le 0$, so no $e^{d_i}$ overflows (claim SHIFT-invariance);
* $r_i = (x_i - m) - d_i$, the rounding error of that shift, recovered exactly with
  Knuth's TwoSum (Knuth, TAOCP vol. 2, 4.2.2, Theorem B);
* $e_i = e^{d_i}(1 + r_i) \approx e^{x_i - m}$: the first-order correction removes the error
  that `exp` would otherwise amplify into $|d_i|\,2^{-53}$ relative error (hundreds of ulp
  once the spread of $x$ reaches $10^3$);
* $s = \sum_{i \ne k} e_i$, the sum without the max term (which is exactly 1), so that
  $\log\sum_i e^{x_i - m} = \operatorname{log1p}(s)$ keeps full relative accuracy when $s$
  is tiny (Blanchard, Higham & Higham 2021, doi:10.1093/imanum/draa038, Algorithm 2).

float32 inputs are computed in float64 and rounded once at the end, which makes the
correction unnecessary for them: their shift is exact in float64 up to underflow range.
"""

from __future__ import annotations

import numpy as np


def shift(x, axis, buf=None):
    """Return ``(k, m, d, e, s)`` for float64 `x` along `axis` (all keepdims-shaped).

    `buf`, when given, is a float64 array shaped like `x` that receives `e`.
    Rows whose maximum is not finite (NaN, +inf, all -inf) come back unrepaired; the
    callers apply their documented policy to them (see `nonfinite_rows`).
    """
    k = np.argmax(x, axis=axis, keepdims=True)
    m = np.take_along_axis(x, k, axis=axis)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.subtract(x, m)
        # TwoSum(x, -m): bb = d - x; r = (x - (d - bb)) - (m + bb), exact barring overflow.
        bb = np.subtract(d, x)
        r = np.subtract(d, bb)
        np.subtract(x, r, out=r)
        np.add(bb, m, out=bb)
        np.subtract(r, bb, out=r)
        e = np.exp(d, out=buf)
        # A -inf entry or an overflowed shift (d_i = -inf) leaves r_i NaN; e^{d_i} is 0
        # there and needs no correction. Zeroing r_i only there keeps the correction for
        # the finite entries of the same slice.
        np.copyto(r, 0.0, where=~np.isfinite(r))
        # e * (1 + r) written as e + e*r so that the tiny r is not lost against 1.
        np.multiply(e, r, out=r)
        np.add(e, r, out=e)
        np.put_along_axis(e, k, 0.0, axis=axis)
        s = np.sum(e, axis=axis, keepdims=True)
    bad = ~np.isfinite(s)
    if bad.any():
        # Left only for slices whose maximum is not finite (NaN, +inf, all -inf), which
        # the callers overwrite by their policy; redo those rows plainly.
        _uncorrected(x, d, e, s, bad, k, axis)
    return k, m, d, e, s


def _uncorrected(x, d, e, s, bad, k, axis):
    rows = np.broadcast_to(bad, x.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        plain = np.exp(d)
    np.put_along_axis(plain, k, 0.0, axis=axis)
    np.copyto(e, plain, where=rows)
    np.copyto(s, np.sum(plain, axis=axis, keepdims=True), where=bad)


def nonfinite_rows(m):
    """Mask (keepdims-shaped) of slices whose maximum is NaN, +inf or -inf."""
    return ~np.isfinite(m)


def posinf_onehot(x, axis):
    """For slices holding +inf: one-hot where there is exactly one, NaN where several."""
    hits = x == np.inf
    count = np.sum(hits, axis=axis, keepdims=True)
    onehot = hits.astype(np.float64)
    return np.where(count == 1, onehot, np.nan)
