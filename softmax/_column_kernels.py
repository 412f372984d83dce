r"""Compiled passes for short slices, in the column layout (numba, compiled on first use).

A block of $B$ rows of $M \le$ `SMALL` entries is copied transposed, $(M, B)$, so that every
loop runs along the $B$ rows at once, eight rows to a vector, instead of along a row of a
handful of entries (`softmax._kernels`, where per-row work dominates short rows). The
arithmetic is that of `softmax._kernels`, in the same order, so both layouts give a row the
same bits: the maximum and its first index, the mode (claim IMPL-11), $w = e_k$, and
$t = \sum_{i \ne k} e_i$ in the eight lanes of `softmax._tree.lanes_sum` (entry $i$ in
lane $i \bmod 8$, the tail in lane 0; claim IMPL-12). Rows whose mode is not 0 are left to
the row layout, which shifts them (`softmax._kernels.correct_rows`) or applies the
non-finite policy.
"""

from __future__ import annotations

import numba
import numpy as np

from softmax._kernels import _OPTIONS, NONFINITE, NORMAL_X, SHIFTED, UNSHIFTED, _bound

#: Slices of at most this many entries are computed in the column layout.
SMALL = 16


@numba.njit(**_OPTIONS)
def stats(xt, m, k, mode):
    """Each row's maximum `m` (NaN ignored), its first index `k`, and its `mode`."""
    n, rows = xt.shape
    lo = np.empty(rows)
    for r in range(rows):
        m[r], k[r], lo[r] = -np.inf, 0, np.inf
    for i in range(n):
        for r in range(rows):
            v = xt[i, r]
            k[r] = i if v > m[r] else k[r]
            m[r] = v if v > m[r] else m[r]
            lo[r] = v if v < lo[r] else lo[r]
    bound = _bound(n)
    for r in range(rows):
        if not (-np.inf < m[r] < np.inf):
            mode[r] = NONFINITE
        elif m[r] <= bound and (lo[r] >= NORMAL_X or m[r] >= 0.0):
            mode[r] = UNSHIFTED
        else:
            mode[r] = SHIFTED


@numba.njit(**_OPTIONS)
def sums(et, k, w, t):
    r"""$w = e_k$ and $t = \sum_{i \ne k} e_i$ of every row, in `lanes_sum`'s lanes."""
    n, rows = et.shape
    full = n - n % 8
    acc = np.zeros((8, rows))
    for i in range(n):
        lane = i % 8 if i < full else 0
        for r in range(rows):
            acc[lane, r] += et[i, r] if i != k[r] else 0.0
    for r in range(rows):
        w[r] = et[k[r], r]
        t[r] = ((acc[0, r] + acc[1, r]) + (acc[2, r] + acc[3, r])) + (
            (acc[4, r] + acc[5, r]) + (acc[6, r] + acc[7, r])
        )


@numba.njit(**{**_OPTIONS, "fastmath": {"contract"}})
def divide(et, w, t, out, exact):
    """$q = e / (w + t)$ into the rows of `out`, as `softmax._kernels._divide` computes it;
    the transposed $e$ is read eight rows at a time, so no copy back is needed."""
    n, rows = et.shape
    for r in range(rows):
        scale = w[r] + t[r]
        inv = 1.0 / scale
        if exact:
            for i in range(n):
                q = et[i, r] * inv
                out[r, i] = q + (et[i, r] - q * scale) * inv
        else:
            for i in range(n):
                out[r, i] = et[i, r] * inv
