r"""Rows longer than `LONG` entries, computed chunk by chunk while each chunk is in cache.

A row of $10^6$ float64 entries is 8 MB: a pass over it reads main memory or L3, and the
row layout's passes (the exponential, the maximum, the sum, the division) would each read
it again. Here the first three run on one chunk of `CHUNK` entries at a time, right after
NumPy's `exp` of that chunk, and give the chunk's maximum $m_c$, an index $k_c$ of it and
the sum $S_c$ of its $e_i$. Then $m = \max_c m_c$, $k$ is the index of the first chunk
holding $m$, and (claim IMPL-12)

$$t = \sum_{i \ne k} e_i = \mathrm{tree}(S_1, \dots, S'_{c}, \dots, S_C),$$

the chunk sums added by the same fold tree (`softmax._tree.tree_sum`), with the chunk of
$k$ summed again without $e_k$. Only the division (softmax) or nothing (log_softmax,
logsumexp) is left for a second pass. A row that must be shifted, or whose maximum is not
finite (claim IMPL-11), goes to the row layout's whole-row path instead.
"""

from __future__ import annotations

import numba
import numpy as np

from softmax._kernels import _OPTIONS, NORMAL_X, _below, _bound, _divide
from softmax._tree import scratch_size, tree_max, tree_sum

#: Entries of a chunk: 256 KiB of float64, so a chunk of x and of e stay in L2.
CHUNK = 1 << 15
#: Rows longer than this go chunk by chunk. A shorter row (x and e together under 2 MiB)
#: stays in L2 through the row layout's passes, which cost less than a Python step a chunk.
LONG = 1 << 17


@numba.njit(**_OPTIONS)
def chunk_stats(x, e, scratch):
    """``(m_c, k_c, S_c)`` of one chunk: its maximum, an index of it, the sum of its `e`."""
    m, k = tree_max(x, scratch)
    return m, k, tree_sum(e, scratch)


@numba.njit(**_OPTIONS)
def chunk_sum_without(e, k, scratch):
    """The sum of the chunk `e` without its entry `k` (set to 0 and put back)."""
    w = e[k]
    e[k] = 0.0
    t = tree_sum(e, scratch)
    e[k] = w
    return w, t


@numba.njit(**_OPTIONS)
def unshifted(x, m):
    """IMPL-11's test for a row of maximum `m`: its e^{x_i} are safe as they are."""
    return m <= _bound(x.shape[0]) and (m >= 0.0 or not _below(x, NORMAL_X))


@numba.njit(**_OPTIONS)
def divide(e, out, scale, exact):
    """``out = e / scale`` of one chunk, as `softmax._kernels._divide` divides a row."""
    _divide(e.reshape(1, -1), 0, scale, out.reshape(1, -1), exact)


def _exp(x, e):
    """NumPy's exponential of a chunk into the float64 `e` (float32 widened first)."""
    if x.dtype != np.float64:
        np.copyto(e, x)
        np.exp(e, out=e)
    else:
        np.exp(x, out=e)


def row(x, e, out=None):
    """``(m, s)`` of the long row `x`, and its softmax into `out` if given; None if the row
    is not unshifted (the caller computes it whole).

    `e` is a float64 row for the exponentials when `out` is given (it may be `out`), else
    None: then one chunk of scratch is reused, and the chunk of $k$ recomputed.
    """
    n = x.shape[0]
    starts = range(0, n, CHUNK)
    scratch = np.empty(scratch_size(CHUNK))
    buffer = np.empty(min(n, CHUNK)) if e is None else None
    stats = np.empty((len(starts), 3))
    for c, start in enumerate(starts):
        chunk = buffer[: min(CHUNK, n - start)] if e is None else e[start : start + CHUNK]
        _exp(x[start : start + CHUNK], chunk)
        stats[c] = chunk_stats(x[start : start + CHUNK], chunk, scratch)
    if np.isnan(stats[:, 0]).any():
        return None
    c = int(np.argmax(stats[:, 0]))
    m = float(stats[c, 0])
    if not (np.isfinite(m) and unshifted(x, m)):
        return None
    start = starts[c]
    chunk = e[start : start + CHUNK] if e is not None else buffer[: min(CHUNK, n - start)]
    if e is None:
        _exp(x[start : start + CHUNK], chunk)
    w, stats[c, 2] = chunk_sum_without(chunk, int(stats[c, 1]), scratch)
    t = tree_sum(np.ascontiguousarray(stats[:, 2]), scratch)
    if out is not None:
        exact = out.dtype == np.float64
        for start in starts:
            divide(e[start : start + CHUNK], out[start : start + CHUNK], w + t, exact)
    return m, t / w
