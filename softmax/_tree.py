r"""The maximum and the sum of one row, by a tree of four-way folds that LLVM vectorises.

A reduction loop (``h = max(h, v)``, ``s += v``) runs one scalar operation at a time in
numba: LLVM will not reorder floating-point operations without fast-math, and numba
leaves LLVM's SLP vectoriser, which would pack hand-unrolled lanes, switched off
(numba issue 8705). A fold is elementwise instead, so LLVM's loop vectoriser packs it:

$$d_i = (s_i \oplus s_{i+h}) \oplus (s_{i+2h} \oplus s_{i+3h}), \qquad
i < h = \lfloor L/4 \rfloor,$$

and the $L - 4h \le 3$ entries left over join $d_0, d_1, d_2$. Folds repeat, level by level
in a scratch array, until at most `BASE` values are left; those are reduced in eight scalar
lanes (entry $i$ in lane $i \bmod 8$, the tail in lane 0, the lanes paired), as
`softmax._column_kernels` reduces rows of at most `BASE` entries, so both layouts agree
bit for bit. Every operation's order is written in the source, so the result does not
depend on the compiler or the CPU (claim IMPL-12).
"""

from __future__ import annotations

import numba
import numpy as np

_INLINE = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
_INLINE["inline"] = "always"

#: Rows of at most this many entries are reduced in eight lanes, without folds.
BASE = 16


@numba.njit(**_INLINE)
def scratch_size(n):
    r"""Entries of scratch that the folds of a row of `n` entries need: level $l$ holds
    $\lfloor n / 4^l \rfloor$ values, less than $n/3$ in all."""
    return n // 3 + 1


@numba.njit(**_INLINE)
def _fold_sum(src, dst):
    """One level of the sum: ``dst[:h]`` from the $L$ entries of `src`, as above."""
    h = src.shape[0] // 4
    for i in range(h):
        dst[i] = (src[i] + src[i + h]) + (src[i + 2 * h] + src[i + 3 * h])
    for j in range(src.shape[0] - 4 * h):
        dst[j] = dst[j] + src[4 * h + j]
    return h


@numba.njit(**_INLINE)
def _fold_max(src, dst):
    """One level of the maximum, as `_fold_sum` (the comparisons compile to vector max)."""
    h = src.shape[0] // 4
    for i in range(h):
        a, b, c, d = src[i], src[i + h], src[i + 2 * h], src[i + 3 * h]
        a = a if a > b else b
        c = c if c > d else d
        dst[i] = a if a > c else c
    for j in range(src.shape[0] - 4 * h):
        v = src[4 * h + j]
        dst[j] = v if v > dst[j] else dst[j]
    return h


@numba.njit(**_INLINE)
def lanes_sum(a):
    """Sum of the entries of `a` in eight lanes: entry $i$ in lane $i \\bmod 8$, the tail
    of fewer than eight in lane 0, the lanes added pairwise."""
    n = a.shape[0]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for g in range(n // 8):
        i = 8 * g
        s0, s1, s2, s3 = s0 + a[i], s1 + a[i + 1], s2 + a[i + 2], s3 + a[i + 3]
        s4, s5, s6, s7 = s4 + a[i + 4], s5 + a[i + 5], s6 + a[i + 6], s7 + a[i + 7]
    for i in range(n - n % 8, n):
        s0 += a[i]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@numba.njit(**_INLINE)
def lanes_max(a):
    """Maximum of the entries of `a`, NaN ignored, scanned in order."""
    h = -np.inf
    for i in range(a.shape[0]):
        h = a[i] if a[i] > h else h
    return h


@numba.njit(**_INLINE)
def first(a, m):
    """The first index of the value `m` in `a` (0 if it is not there)."""
    for i in range(a.shape[0]):
        if a[i] == m:
            return i
    return 0


@numba.njit(**_INLINE)
def tree_sum(row, scratch):
    """Sum of `row` by the folds and the eight lanes (`scratch`: `scratch_size` entries).

    Checked by claims IMPL-12.
    """
    n = row.shape[0]
    if n <= BASE:
        return lanes_sum(row)
    size = _fold_sum(row, scratch)
    start = 0
    while size > BASE:
        level = scratch[start : start + size]
        start += size
        size = _fold_sum(level, scratch[start:])
    return lanes_sum(scratch[start : start + size])


@numba.njit(**_INLINE)
def _pick(src, j, m):
    """Which entry of `src` that folds into entry `j` of the next level holds `m`."""
    h = src.shape[0] // 4
    for c in (j, j + h, j + 2 * h, j + 3 * h):
        if src[c] == m:
            return c
    return 4 * h + j if j < src.shape[0] - 4 * h else j  # a left-over entry, folded into j


@numba.njit(**_INLINE)
def tree_max(row, scratch):
    """``(m, k)``: the maximum of `row` and an index $k$ with $x_k = m$.

    A row of at most `BASE` entries gives its first such index. A longer one gives the
    first in the tree's order: the first maximal entry of the last level, traced back
    down the levels, at each one to the first of its (up to five) sources that holds $m$.
    A NaN may or may not win a comparison; a row with a NaN is NaN in every result
    either way (the non-finite policy), so `m` may then be NaN, and `k` is any index.
    """
    n = row.shape[0]
    if n <= BASE:
        m = lanes_max(row)
        return m, first(row, m)
    size = _fold_max(row, scratch)
    start, depth = 0, 1
    while size > BASE:
        level = scratch[start : start + size]
        start += size
        size = _fold_max(level, scratch[start:])
        depth += 1
    top = scratch[start : start + size]
    m = lanes_max(top)
    j = first(top, m)
    for d in range(depth - 1, 0, -1):  # level d holds n // 4^d values
        size = n >> (2 * d)
        start -= size
        j = _pick(scratch[start : start + size], j, m)
    return m, _pick(row, j, m)
