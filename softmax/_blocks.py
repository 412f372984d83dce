r"""Run the softmax kernel over the slices of an array, block by block.

The slices are the rows of an (O, M) array. They are processed in blocks of about `BLOCK`
entries, so that the kernel's passes (`softmax._kernels`) over a block find it in the L2
cache instead of main memory, and so that float32 input needs a float64 copy of one block
only. A row longer than `BLOCK` is a block of its own.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import functools

import numpy as np

#: Entries per block: 32 Ki float64 are 256 KiB; with the scratch and output blocks, the
#: working set stays in a 2 MiB L2.
BLOCK = 1 << 15


@functools.cache
def kernels():
    """`softmax._kernels`, imported (and so numba) on the first computation, not at import."""
    from softmax import _kernels

    return _kernels


def run(rows, finish, outs, workers=1):
    """Apply ``finish(x, outs_block)`` to every block of `rows`.

    `rows` is an (O, M) float32/float64 array; each of `outs` is an array of O rows (the
    outputs, or row-aligned inputs such as labels), and `finish` gets the block of each.
    With `workers` > 1 the blocks are shared among that many threads: the compiled
    passes and NumPy's `exp` release the GIL, blocks write disjoint rows, and each row's
    result depends on that row alone, so the output is the same to the bit for any
    `workers`.
    """
    n_rows, n = rows.shape
    step = max(1, BLOCK // n)

    def blocks(starts):
        for start in starts:
            block = slice(start, min(n_rows, start + step))
            finish(np.ascontiguousarray(rows[block]), tuple(out[block] for out in outs))

    starts = range(0, n_rows, step)
    workers = min(workers, len(starts))
    if workers == 1:
        blocks(starts)
        return
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        # Each thread runs in a copy of the caller's context, which holds np.errstate.
        jobs = [
            pool.submit(contextvars.copy_context().run, blocks, starts[i::workers])
            for i in range(workers)
        ]
        for job in jobs:
            job.result()  # re-raises a thread's exception here


def passes(x, e=None):
    """Passes 1 and 2 of `softmax._kernels` over the block `x`: ``(m, k, mode, e)``.

    `e` (float64, shaped like `x`, not overlapping it) receives the exponentials; a
    scratch block is allocated when it is None.
    """
    k_ = kernels()
    rows = x.shape[0]
    if e is None:
        e = np.empty(x.shape)
    m, k, mode = np.empty(rows), np.empty(rows, np.intp), np.empty(rows, np.int8)
    widen = x.dtype != np.float64
    k_.row_stats(x, e, widen, m, k, mode)
    # Overflow and NaN in rows that pass 3 redoes or sets by the non-finite policy.
    with np.errstate(over="ignore", invalid="ignore"):
        np.exp(e if widen else x, out=e)
        if (mode == k_.SHIFTED).any():
            k_.shift_rows(x, m, mode, e)
            shifted = np.flatnonzero(mode == k_.SHIFTED)
            e[shifted] = np.exp(e[shifted])
            k_.correct_rows(x, m, mode, e)
    return m, k, mode, e


def _writable(out, x):
    """`out` as the scratch for the exponentials, when it can be (float64, not `x`)."""
    if out.dtype == np.float64 and out.flags.c_contiguous and not np.may_share_memory(out, x):
        return out
    return None


_NO_LP = np.empty(0)


def finish_softmax(x, outs):
    (out,) = outs
    m, k, mode, e = passes(x, _writable(out, x))
    kernels().finish_softmax(x, m, k, mode, e, out, _NO_LP, out.dtype == np.float64)


def finish_log_softmax(x, outs):
    (out,) = outs
    m, k, mode, e = passes(x)
    kernels().finish_log_softmax(x, m, k, mode, e, out)


def finish_logsumexp(x, outs):
    (out,) = outs
    m, k, mode, e = passes(x)
    kernels().finish_logsumexp(x, m, k, mode, e, out)


def finish_parts(x, outs):
    r"""$q$, $m$ and $\operatorname{log1p}(t / w)$ of finite float64 rows, from one pass."""
    q, m_out, lp = outs
    m, k, mode, e = passes(x, _writable(q, x))
    kernels().finish_softmax(x, m, k, mode, e, q, lp, True)
    m_out[...] = m


def finish_residual(x, arrays):
    r"""$Q - P$ and the per-sample cross-entropy of finite float64 logits, from one pass.

    `arrays` is ``(R, loss, labels)`` with integer labels (O,) or probability rows (O, M).
    """
    out, loss, labels = arrays
    m, k, mode, e = passes(x, _writable(out, x))
    finish = kernels().finish_residual_index
    if labels.ndim == 2:
        finish = kernels().finish_residual_proba
    finish(x, m, k, mode, e, out, loss, labels)
