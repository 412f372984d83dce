r"""Run the shift kernel over the slices of an array, block by block, in the faster layout.

The slices are the rows of an (O, M) array. They are processed in blocks of about
`BLOCK` entries, so that the kernel's few passes over a block find it in the L2 cache
instead of main memory, and so that float32 input needs a float64 copy of one block only.
A block is the rows themselves when M is large. When M is small (at most `SMALL`) it is
copied transposed, (M, rows): every reduction over a slice then runs along contiguous
rows of length "rows", where NumPy's per-slice loops over a handful of entries cost more
than the arithmetic.

Each `finish_*` function turns the kernel's ``(top, m, e, w, t)`` into one output and
applies the non-finite policy of `softmax.functions`.
"""

from __future__ import annotations

import concurrent.futures
import contextvars

import numpy as np

from softmax import _shift

#: Entries per block: 64 Ki float64 are 512 KiB, which with the output block stays in L2.
BLOCK = 1 << 16
#: Slices at most this long are computed in the transposed layout.
SMALL = 16


def run(rows, finish, outs, workers=1):
    """Apply ``finish(x, axis, buf)`` to every block of `rows` and write into `outs`.

    `rows` is an (O, M) float32/float64 array; each of `outs` is shaped (O, M) or (O,)
    and receives the matching result of `finish`, cast to its dtype. With `workers` > 1
    the blocks are shared among that many threads: NumPy releases the GIL inside each
    operation on a block, blocks write disjoint rows, and each slice's result depends on
    that slice alone, so the output is the same to the bit for any `workers`.
    """
    n_rows, n = rows.shape
    transposed = n <= SMALL
    step = max(1, BLOCK // n)
    # The first output may receive e directly when nothing has to be cast or transposed
    # and it does not overlap the input (out may be z itself).
    direct = (
        not transposed
        and outs[0].dtype == np.float64
        and outs[0].ndim == 2
        and not np.may_share_memory(outs[0], rows)
    )

    def blocks(starts):
        for start in starts:
            block = slice(start, min(n_rows, start + step))
            if transposed:
                x = np.empty((n, block.stop - start))
                np.copyto(x, rows[block].T)
                axis = 0
            else:
                x = rows[block].astype(np.float64, copy=False)
                axis = 1
            buf = outs[0][block] if direct else None
            for out, result in zip(outs, finish(x, axis, buf), strict=True):
                if result is not buf:  # else it is in place already
                    _write(out[block], result, axis)

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


def _write(target, result, axis):
    if target.ndim == 1:
        result = result.reshape(-1)
    elif axis == 0:
        target = target.T
    # float32 results beyond the float32 range (log_softmax of a slice spanning more than
    # float32 max) round to -inf, the correctly rounded value: not a warning.
    with np.errstate(over="ignore"):
        np.copyto(target, result, casting="same_kind")


def _softmax(x, axis, buf):
    top, m, e, w, t = _shift.shift(x, axis, buf)
    e[top] = w
    # SM-1: q_i = e^{z_i - m} / (1 + s), here with both sides scaled by w.
    with np.errstate(invalid="ignore"):
        e /= w + t
    return m, e, w, t


def _log1p_s(w, t):
    r"""$\operatorname{log1p}(s)$ with $s = t / w$ (exact when $w = 1$)."""
    with np.errstate(invalid="ignore"):
        return np.log1p(t / w)


def _log_softmax(x, m, log1p_s, out):
    # IMPL-4: log q_i = (z_i - m) - log1p(s).
    with np.errstate(invalid="ignore", over="ignore"):
        return np.subtract(np.subtract(x, m, out=out), log1p_s, out=out)


def finish_softmax(x, axis, buf):
    """$q$, with the non-finite policy."""
    m, e, _w, _t = _softmax(x, axis, buf)
    bad = _shift.nonfinite_rows(m)
    if bad.any():
        fix = np.where(m == np.inf, _shift.posinf_onehot(x, axis), np.nan)
        np.copyto(e, fix, where=np.broadcast_to(bad, e.shape))
    return (e,)


def finish_log_softmax(x, axis, buf):
    r"""$\log q$, with the non-finite policy."""
    _top, m, e, w, t = _shift.shift(x, axis, buf)
    result = _log_softmax(x, m, _log1p_s(w, t), out=e)
    bad = _shift.nonfinite_rows(m)
    if bad.any():
        with np.errstate(divide="ignore"):
            fix = np.where(m == np.inf, np.log(_shift.posinf_onehot(x, axis)), np.nan)
        np.copyto(result, fix, where=np.broadcast_to(bad, result.shape))
    return (result,)


def finish_logsumexp(x, axis, buf):
    r"""$\operatorname{lse} = m + \operatorname{log1p}(s)$, keepdims-shaped."""
    _top, m, _e, w, t = _shift.shift(x, axis, buf)
    with np.errstate(invalid="ignore"):
        result = m + _log1p_s(w, t)
    bad = _shift.nonfinite_rows(m)
    if bad.any():
        # log 0 = -inf for all -inf slices, +inf for any +inf, NaN stays NaN.
        np.copyto(result, m, where=bad)
    return (result,)


def finish_both(x, axis, buf):
    r"""$q$ and $\log q$ of finite rows from one shift (one `exp` instead of two)."""
    m, e, w, t = _softmax(x, axis, buf)
    return e, _log_softmax(x, m, _log1p_s(w, t), out=None)


def finish_parts(x, axis, buf):
    r"""$q$, $m$ and $\operatorname{log1p}(s)$ of finite rows from one shift."""
    m, e, w, t = _softmax(x, axis, buf)
    return e, m, _log1p_s(w, t)
