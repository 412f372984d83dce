r"""The compiled pass of the softmax kernel, row layout (numba: compiled on first use, cached).

A block of rows $x$ (each slice along `axis` is a row) is computed in two passes over data
that stays in the cache (`softmax._blocks` sizes the blocks):

1. NumPy's vectorised `exp` of the block, $e_i = e^{x_i}$ (float32 widened to float64).
2. One compiled pass, `finish_softmax` or `finish_lse`, row by row: the maximum $m$ and
   its first index $k$ (`_prepare`), and the row's mode (claim IMPL-11): 0 when the
   unshifted $e^{x_i}$ are safe (neither one of them nor the row's sum can overflow, and
   none is a subnormal that matters), 1 when the row must be shifted by $m$, 2 when $m$ is
   not finite (the non-finite policy of `softmax.functions`). Rows of mode 0 are finished
   at once: $w = e_k = e^m$, the sum $t = \sum_{i \ne k} e_i$ (claim IMPL-12), $s = t / w$
   and $q_i = e_i / (w + t)$ (SM-1, by `_divide`, IMPL-13). `log_softmax` and `logsumexp`
   then take NumPy's vectorised $\operatorname{log1p}(s)$ of the block's rows:
   $\log q_i = (x_i - m) - \operatorname{log1p}(s)$ (IMPL-4, `log_softmax_rows`) and
   $\operatorname{lse} = m + \operatorname{log1p}(s)$ (IMPL-3).

Rows of mode 1 are redone (`softmax._blocks.compute`): $d_i = \mathrm{fl}(x_i - m)$
(`shift_rows`), NumPy's `exp`, the TwoSum correction (`correct_rows`, IMPL-2), and the
same pass with $w = 1$. The exponential is NumPy's because numba's `math.exp` is scalar
libm, several times slower than NumPy's AVX512 loop; the other work is fused into these
loops, which numba compiles for the host CPU. Every row is computed from that row alone,
so its bits do not depend on its neighbours, the block size or the number of threads.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
#: Helpers are inlined into each pass: a call per row costs more than a short row.
_INLINE = {**_OPTIONS, "inline": "always"}

#: log of the largest float64.
LOG_MAX = math.log(np.finfo(np.float64).max)
#: Below this, e^x is subnormal or 0 in float64 (e^-708 > 2^-1022).
NORMAL_X = -708.0
#: The modes of a row.
UNSHIFTED, SHIFTED, NONFINITE = 0, 1, 2
#: Entries summed by eight accumulators before the pairwise tree takes over.
CHUNK = 128


@numba.njit(**_INLINE)
def _max(a, r):
    """Maximum of row `r` of `a`, NaN ignored.

    Eight lanes written out, with comparisons that a NaN fails, so that LLVM emits vector
    max instructions (a single running maximum is a chain it cannot vectorise).
    """
    n = a.shape[1]
    h0 = h1 = h2 = h3 = h4 = h5 = h6 = h7 = -np.inf
    for g in range(n // 8):
        i = 8 * g
        v0, v1, v2, v3 = a[r, i], a[r, i + 1], a[r, i + 2], a[r, i + 3]
        v4, v5, v6, v7 = a[r, i + 4], a[r, i + 5], a[r, i + 6], a[r, i + 7]
        h0, h1 = (v0 if v0 > h0 else h0), (v1 if v1 > h1 else h1)
        h2, h3 = (v2 if v2 > h2 else h2), (v3 if v3 > h3 else h3)
        h4, h5 = (v4 if v4 > h4 else h4), (v5 if v5 > h5 else h5)
        h6, h7 = (v6 if v6 > h6 else h6), (v7 if v7 > h7 else h7)
    for i in range(n - n % 8, n):
        h0 = a[r, i] if a[r, i] > h0 else h0
    return max(max(max(h0, h1), max(h2, h3)), max(max(h4, h5), max(h6, h7)))


@numba.njit(**_INLINE)
def _min(a, r):
    """Minimum of row `r` of `a`, NaN ignored, as `_max` finds the maximum."""
    n = a.shape[1]
    l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = np.inf
    for g in range(n // 8):
        i = 8 * g
        v0, v1, v2, v3 = a[r, i], a[r, i + 1], a[r, i + 2], a[r, i + 3]
        v4, v5, v6, v7 = a[r, i + 4], a[r, i + 5], a[r, i + 6], a[r, i + 7]
        l0, l1 = (v0 if v0 < l0 else l0), (v1 if v1 < l1 else l1)
        l2, l3 = (v2 if v2 < l2 else l2), (v3 if v3 < l3 else l3)
        l4, l5 = (v4 if v4 < l4 else l4), (v5 if v5 < l5 else l5)
        l6, l7 = (v6 if v6 < l6 else l6), (v7 if v7 < l7 else l7)
    for i in range(n - n % 8, n):
        l0 = a[r, i] if a[r, i] < l0 else l0
    return min(min(min(l0, l1), min(l2, l3)), min(min(l4, l5), min(l6, l7)))


@numba.njit(**_INLINE)
def _first(a, r, m):
    """The first index of the value `m` in row `r` (which holds it), eight at a time."""
    n = a.shape[1]
    start = 0
    for g in range(n // 8):
        i = 8 * g
        if (
            (a[r, i] == m)
            | (a[r, i + 1] == m)
            | (a[r, i + 2] == m)
            | (a[r, i + 3] == m)
            | ((a[r, i + 4] == m) | (a[r, i + 5] == m) | (a[r, i + 6] == m) | (a[r, i + 7] == m))
        ):
            break
        start = i + 8
    for i in range(start, n):
        if a[r, i] == m:
            return i
    return 0


@numba.njit(**_INLINE)
def _chunk_sum(e, r, start, stop):
    """Sum of ``e[r, start:stop]`` (at most `CHUNK` entries) in eight accumulators (the
    tail joins lane 0): eight independent additions a step, which LLVM vectorises."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for g in range((stop - start) // 8):
        i = start + 8 * g
        s0, s1, s2, s3 = s0 + e[r, i], s1 + e[r, i + 1], s2 + e[r, i + 2], s3 + e[r, i + 3]
        s4, s5, s6, s7 = s4 + e[r, i + 4], s5 + e[r, i + 5], s6 + e[r, i + 6], s7 + e[r, i + 7]
    for i in range(stop - (stop - start) % 8, stop):
        s0 += e[r, i]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@numba.njit(**_INLINE)
def _long_sum(e, r, stack):
    """`_chunk_sum` of every chunk of a row longer than `CHUNK`, the chunks added pairwise.

    The tree over chunks is a binary counter: after $c$ chunks, `stack[level]` holds the
    sum of $2^\\text{level}$ chunks exactly where bit `level` of $c$ is 1, and a new
    chunk carries into the next level while it meets one. `stack` (64 entries: more
    chunks than any array holds) is scratch that the caller allocates once.
    """
    n = e.shape[1]
    count = 0
    for start in range(0, n, CHUNK):
        s = _chunk_sum(e, r, start, min(n, start + CHUNK))
        level = 0
        while (count >> level) & 1:
            s = stack[level] + s
            level += 1
        stack[level] = s
        count += 1
    t = 0.0
    for level in range(64):
        if (count >> level) & 1:
            t = stack[level] + t
    return t


@numba.njit(**_INLINE)
def _scale_and_sum(e, r, k, stack):
    r"""``(w, t)`` of row `r`: $w = e_k$, and $t = \sum_{i \ne k} e_i$ (claim IMPL-12).

    The sum runs over chunks of `CHUNK` entries in eight accumulators, and the chunks are
    added pairwise, so its error is at most about $(\mathrm{CHUNK}/8 + 2 + \lceil\log_2
    (n/\mathrm{CHUNK})\rceil)\,u$ relative, as for NumPy's pairwise sum. $e_k$ is set to
    0 for the sum and put back (adding 0 is exact), so the loop has no blend or branch.
    A NaN entry makes $t$ NaN, and so the whole row.
    """
    n = e.shape[1]
    w = e[r, k]
    e[r, k] = 0.0
    t = _chunk_sum(e, r, 0, n) if n <= CHUNK else _long_sum(e, r, stack)
    e[r, k] = w
    return w, t


@numba.njit(**_INLINE)
def _bound(n):
    """IMPL-1: below this maximum neither an $e^{x_i}$ nor a row's sum of them overflows."""
    return LOG_MAX - math.log(n) - 1.0


@numba.njit(**_OPTIONS)
def _prepare(x, r, shifted, bound):
    """``(m, k, mode)`` of row `r`: its maximum, the first index of it, and its mode.

    In a first pass (`shifted` False) the mode is 0, 2, or 1 for a row to be redone
    shifted; in the redo (`shifted` True) every finite row is shifted.
    """
    hi = _max(x, r)
    k = _first(x, r, hi)
    if not (-np.inf < hi < np.inf):
        return hi, k, NONFINITE
    # The minimum matters only below a maximum of 0 (IMPL-11), so it is found only there.
    if shifted or not (hi <= bound and (hi >= 0.0 or _min(x, r) >= NORMAL_X)):
        return hi, k, SHIFTED
    return hi, k, UNSHIFTED


@numba.njit(**_OPTIONS)
def shift_rows(x, e):
    r"""Before the exponential of rows to be redone: $d_i = \mathrm{fl}(x_i - m)$ into `e`."""
    for r in range(x.shape[0]):
        hi = _max(x, r)
        for i in range(x.shape[1]):
            e[r, i] = np.float64(x[r, i]) - hi


@numba.njit(**_OPTIONS)
def correct_rows(x, e):
    r"""After the exponential of the redone rows: $e_i \leftarrow e_i + e_i r_i$ (IMPL-2).

    $r_i = (x_i - m) - d_i$ is found exactly by TwoSum (Knuth, TAOCP vol. 2, 4.2.2,
    Theorem B), and $e^{d_i}(1 + r_i)$ is $e^{x_i - m}$ to first order. A $-\infty$
    entry has $e_i = 0$ and needs no correction (its $r_i$ is NaN).
    """
    for r in range(x.shape[0]):
        hi = _max(x, r)
        for i in range(x.shape[1]):
            xi = np.float64(x[r, i])
            d = xi - hi  # the d_i of `shift_rows`, recomputed
            bb = d - xi
            err = (xi - (d - bb)) - (bb + hi)
            ei = e[r, i]
            e[r, i] = ei + ei * err if ei > 0.0 and err == err else ei


@numba.njit(**_INLINE)
def _nonfinite(x, r, out, log):
    """The non-finite policy for row `r`, whose maximum is not finite."""
    n = x.shape[1]
    nan, posinf = False, 0
    for i in range(n):
        nan = nan or x[r, i] != x[r, i]
        posinf += x[r, i] == np.inf
    for i in range(n):
        if nan or posinf != 1:
            out[r, i] = np.nan
        elif x[r, i] == np.inf:
            out[r, i] = 0.0 if log else 1.0
        else:
            out[r, i] = -np.inf if log else 0.0


@numba.njit(**{**_OPTIONS, "fastmath": {"contract"}})
def _divide(e, r, scale, out, exact):
    r"""$e_i / \text{scale}$ into row `r` of `out`, by the reciprocal and one correction (IMPL-13).

    $y = \mathrm{fl}(1/b)$, $q_0 = \mathrm{fl}(a y)$, $\rho = a - b q_0$ (exact in one
    fused multiply-add), $q = \mathrm{fl}(q_0 + \rho y)$ is the correctly rounded $a / b$
    when nothing underflows (Markstein, IBM J. Res. Dev. 34(1), 1990), at a third of a
    division's cost. Only this function lets LLVM fuse $a b + c$ (``contract``), so no
    other result depends on whether the CPU has FMA. A float32 `out` (not `exact`)
    takes $q_0$: its one more float64 rounding is far below a float32 ulp.
    """
    inv = 1.0 / scale
    if exact:
        for i in range(e.shape[1]):
            q = e[r, i] * inv
            out[r, i] = q + (e[r, i] - q * scale) * inv
    else:
        for i in range(e.shape[1]):
            out[r, i] = e[r, i] * inv


@numba.njit(**_INLINE)
def _skip(mode, r, shifted):
    """Whether row `r` is left for the shifted redo (or is the non-finite policy's)."""
    return mode[r] == SHIFTED and not shifted


@numba.njit(**_INLINE)
def _nan_in(x, r):
    """Whether row `r` of `x` holds a NaN."""
    nan = False
    for i in range(x.shape[1]):
        nan = nan or x[r, i] != x[r, i]
    return nan


@numba.njit(**_OPTIONS)
def finish_softmax(x, e, out, m_out, s_out, exact, shifted, mode):
    r"""`softmax` of the rows of `x`, given $e$ (claim SM-1): $q_i = e_i / (w + t)$.

    Each row's $m$ and $s = t / w$ go to `m_out` and `s_out` too (the loss needs them).
    `exact` (a float64 `out`) asks for the correctly rounded quotient (`_divide`).
    """
    bound, stack = _bound(x.shape[1]), np.empty(64)
    for r in range(x.shape[0]):
        m_out[r], k, mode[r] = _prepare(x, r, shifted, bound)
        if mode[r] == NONFINITE:
            _nonfinite(x, r, out, False)
            s_out[r] = np.nan
            continue
        if _skip(mode, r, shifted):
            continue
        w, t = _scale_and_sum(e, r, k, stack)
        s_out[r] = t / w
        _divide(e, r, w + t, out, exact)


@numba.njit(**_OPTIONS)
def finish_lse(x, e, m_out, s_out, shifted, mode):
    r"""Each row's $m$ and $s = t / w$, so that $\operatorname{lse} = m + \operatorname{log1p}(s)$
    (IMPL-3) and $\log q_i = (x_i - m) - \operatorname{log1p}(s)$ (IMPL-4).

    A row whose maximum is not finite gets $s = 0$, or NaN if it holds a NaN, so that
    $m + \operatorname{log1p}(s)$ is the non-finite policy's logsumexp.
    """
    bound, stack = _bound(x.shape[1]), np.empty(64)
    for r in range(x.shape[0]):
        m_out[r], k, mode[r] = _prepare(x, r, shifted, bound)
        if mode[r] == NONFINITE:
            s_out[r] = np.nan if _nan_in(x, r) else 0.0
            continue
        if _skip(mode, r, shifted):
            continue
        w, t = _scale_and_sum(e, r, k, stack)
        s_out[r] = t / w


@numba.njit(**_OPTIONS)
def log_softmax_rows(x, m, lp, out):
    r"""$\log q_i = (x_i - m) - \operatorname{log1p}(s)$ (IMPL-4) from each row's $m$ and
    $\operatorname{log1p}(s)$; a row whose maximum is not finite by the policy."""
    for r in range(x.shape[0]):
        if not (-np.inf < m[r] < np.inf):
            _nonfinite(x, r, out, True)
            continue
        for i in range(x.shape[1]):
            out[r, i] = (np.float64(x[r, i]) - m[r]) - lp[r]
