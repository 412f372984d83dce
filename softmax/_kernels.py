r"""The compiled pass of the softmax kernel, row layout (numba: compiled on first use, cached).

A block of rows $x$ (each slice along `axis` is a row) is computed in two passes over data
that stays in the cache (`softmax._blocks` sizes the blocks):

1. NumPy's vectorised `exp` of the block, $e_i = e^{x_i}$ (float32 widened to float64).
2. One compiled pass, `finish_softmax` or `finish_lse`, row by row: the maximum $m$ and an
   index $k$ of it (`_prepare`, by the vectorised folds of `softmax._tree`), and the row's
   mode (claim IMPL-11): 0 when the unshifted $e^{x_i}$ are safe (neither one of them nor
   the row's sum can overflow, and none is a subnormal that matters), 1 when the row must
   be shifted by $m$, 2 when $m$ is not finite (the non-finite policy of
   `softmax.functions`). Rows of mode 0 are finished at once: $w = e_k = e^m$, the sum
   $t = \sum_{i \ne k} e_i$ (`softmax._tree`, claim IMPL-12), $s = t / w$ and
   $q_i = e_i / (w + t)$ (by `_divide`, IMPL-13). `log_softmax` and `logsumexp` then
   take NumPy's vectorised $\operatorname{log1p}(s)$ of the block's rows:
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

from softmax._tree import scratch_size, tree_max, tree_sum

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
#: Helpers are inlined into each pass: a call per row costs more than a short row.
_INLINE = {**_OPTIONS, "inline": "always"}

#: log of the largest float64.
LOG_MAX = math.log(np.finfo(np.float64).max)
#: Below this, e^x is subnormal or 0 in float64 (e^-708 > 2^-1022).
NORMAL_X = -708.0
#: The modes of a row.
UNSHIFTED, SHIFTED, NONFINITE = 0, 1, 2


@numba.njit(**_INLINE)
def _below(row, value):
    """Whether an entry of `row` is below `value` (a count, which LLVM vectorises)."""
    count = 0
    for i in range(row.shape[0]):
        count += row[i] < value
    return count > 0


@numba.njit(**_INLINE)
def _scale_and_sum(e, r, k, scratch):
    r"""``(w, t)`` of row `r`: $w = e_k$, and $t = \sum_{i \ne k} e_i$ (claim IMPL-12).

    $e_k$ is set to 0 for the sum (`softmax._tree.tree_sum`) and put back (adding 0 is
    exact), so the sum's loops have no blend or branch. A NaN entry makes $t$ NaN, and
    so the whole row.
    """
    w = e[r, k]
    e[r, k] = 0.0
    t = tree_sum(e[r], scratch)
    e[r, k] = w
    return w, t


@numba.njit(**_INLINE)
def _bound(n):
    """IMPL-1: below this maximum neither an $e^{x_i}$ nor a row's sum of them overflows."""
    return LOG_MAX - math.log(n) - 1.0


@numba.njit(**_INLINE)
def _prepare(x, r, shifted, bound, scratch):
    """``(m, k, mode)`` of row `r`: its maximum, an index of it (`softmax._tree.tree_max`),
    and its mode.

    In a first pass (`shifted` False) the mode is 0, 2, or 1 for a row to be redone
    shifted; in the redo (`shifted` True) every finite row is shifted.
    """
    hi, k = tree_max(x[r], scratch)
    if not (-np.inf < hi < np.inf):
        return hi, k, NONFINITE
    # The minimum matters only below a maximum of 0 (IMPL-11), so it is found only there.
    if shifted or not (hi <= bound and (hi >= 0.0 or not _below(x[r], NORMAL_X))):
        return hi, k, SHIFTED
    return hi, k, UNSHIFTED


@numba.njit(**_OPTIONS)
def shift_rows(x, e):
    r"""Before the exponential of rows to be redone: $d_i = \mathrm{fl}(x_i - m)$ into `e`."""
    scratch = np.empty(scratch_size(x.shape[1]))
    for r in range(x.shape[0]):
        hi = tree_max(x[r], scratch)[0]
        for i in range(x.shape[1]):
            e[r, i] = np.float64(x[r, i]) - hi


@numba.njit(**_OPTIONS)
def correct_rows(x, e):
    r"""After the exponential of the redone rows: $e_i \leftarrow e_i + e_i r_i$ (IMPL-2).

    $r_i = (x_i - m) - d_i$ is found exactly by TwoSum (Knuth, TAOCP vol. 2, 4.2.2,
    Theorem B), and $e^{d_i}(1 + r_i)$ is $e^{x_i - m}$ to first order. A $-\infty$
    entry has $e_i = 0$ and needs no correction (its $r_i$ is NaN).
    """
    scratch = np.empty(scratch_size(x.shape[1]))
    for r in range(x.shape[0]):
        hi = tree_max(x[r], scratch)[0]
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
    takes $q_0$: its one more float64 rounding is far below a float32 ulp. When `out` is
    `e` itself the loop reads and writes one array: LLVM vectorises that, where two
    arrays that overlap would fail its runtime check and run one entry at a time.
    """
    inv = 1.0 / scale
    if exact and e.ctypes.data == out.ctypes.data:
        for i in range(e.shape[1]):
            q = e[r, i] * inv
            e[r, i] = q + (e[r, i] - q * scale) * inv
    elif exact:
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
    r"""`softmax` of the rows of `x`, given $e$: $q_i = e_i / (w + t)$ (IMPL-11, IMPL-12).

    Each row's $m$ and $s = t / w$ go to `m_out` and `s_out` too (the loss needs them).
    `exact` (a float64 `out`) asks for the correctly rounded quotient (`_divide`).
    Returns how many rows are left for the shifted redo.
    """
    bound, scratch = _bound(x.shape[1]), np.empty(scratch_size(x.shape[1]))
    redo = 0
    for r in range(x.shape[0]):
        m_out[r], k, mode[r] = _prepare(x, r, shifted, bound, scratch)
        if mode[r] == NONFINITE:
            _nonfinite(x, r, out, False)
            s_out[r] = np.nan
            continue
        if _skip(mode, r, shifted):
            redo += 1
            continue
        w, t = _scale_and_sum(e, r, k, scratch)
        s_out[r] = t / w
        _divide(e, r, w + t, out, exact)
    return redo


@numba.njit(**_OPTIONS)
def finish_lse(x, e, m_out, s_out, shifted, mode):
    r"""Each row's $m$ and $s = t / w$, so that $\operatorname{lse} = m + \operatorname{log1p}(s)$
    (IMPL-3) and $\log q_i = (x_i - m) - \operatorname{log1p}(s)$ (IMPL-4).

    A row whose maximum is not finite gets $s = 0$, or NaN if it holds a NaN, so that
    $m + \operatorname{log1p}(s)$ is the non-finite policy's logsumexp. Returns how
    many rows are left for the shifted redo.
    """
    bound, scratch = _bound(x.shape[1]), np.empty(scratch_size(x.shape[1]))
    redo = 0
    for r in range(x.shape[0]):
        m_out[r], k, mode[r] = _prepare(x, r, shifted, bound, scratch)
        if mode[r] == NONFINITE:
            s_out[r] = np.nan if _nan_in(x, r) else 0.0
            continue
        if _skip(mode, r, shifted):
            redo += 1
            continue
        w, t = _scale_and_sum(e, r, k, scratch)
        s_out[r] = t / w
    return redo


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
