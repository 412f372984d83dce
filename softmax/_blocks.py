r"""Run the softmax kernel over the slices of an array, block by block.

The slices are the rows of an (O, M) array. They are processed in blocks of about `BLOCK`
entries, so that the kernel's passes over a block find it in the L2 cache instead of main
memory, and so that float32 input needs a float64 copy of one block only. A row longer than
`BLOCK` is a block of its own. Rows of more than `softmax._column_kernels.SMALL` entries
are computed in the row layout (`softmax._kernels`); shorter ones in the column layout
(`softmax._column_kernels`), which gives the same bits, and which hands the rows that
must be shifted, or that are not finite, back to the row layout.
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


@functools.cache
def residual_kernels():
    """`softmax._residual_kernels`, imported on first use like `kernels`."""
    from softmax import _residual_kernels

    return _residual_kernels


@functools.cache
def long_rows():
    """`softmax._long_rows`, imported on first use like `kernels`."""
    from softmax import _long_rows

    return _long_rows


@functools.cache
def column_kernels():
    """`softmax._column_kernels`, imported on first use like `kernels`."""
    from softmax import _column_kernels

    return _column_kernels


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
    # Overflow, 0/0 and log(0) are expected inside a block: in the exponentials of rows
    # that are redone shifted, and in rows that the non-finite policy sets. One errstate
    # here, not one a block (it costs a microsecond each time).
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if workers == 1:
            blocks(starts)
        else:
            _threads(blocks, starts, workers)


def _threads(blocks, starts, workers):
    """``blocks`` over `starts` shared among `workers` threads."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        # Each thread runs in a copy of the caller's context, which holds np.errstate.
        jobs = [
            pool.submit(contextvars.copy_context().run, blocks, starts[i::workers])
            for i in range(workers)
        ]
        for job in jobs:
            job.result()  # re-raises a thread's exception here


def compute(kernel, x, outs, ins=(), e=None):
    """One block: NumPy's `exp`, the compiled pass `kernel`, and the shifted redo.

    `kernel` is one of the ``finish_*`` passes of `softmax._kernels`, called as
    ``kernel(x, e, *outs, *ins, shifted, mode)``: `outs` are the block's outputs, `ins` its
    flags. `e` (float64, shaped like `x`, not overlapping it) receives the exponentials; a
    scratch block is allocated when it is None. The rows the pass leaves in mode 1 (IMPL-11's
    unshifted form is not safe for them) are redone shifted by their maximum (IMPL-2).
    """
    k_ = kernels()
    if e is None:
        e = np.empty(x.shape)
    mode = np.empty(x.shape[0], np.int8)
    if x.dtype != np.float64:  # float32 is widened: the exponential is float64's
        np.copyto(e, x)
    np.exp(e if x.dtype != np.float64 else x, out=e)
    if kernel(x, e, *outs, *ins, False, mode):  # the count of rows left in mode 1
        redo = np.flatnonzero(mode == k_.SHIFTED)
        xs = x[redo]
        es = np.empty(xs.shape)
        k_.shift_rows(xs, es)
        np.exp(es, out=es)
        k_.correct_rows(xs, es)
        _on_rows(redo, outs, ins, lambda parts, sub: kernel(xs, es, *parts, *sub, True, mode[redo]))


def _on_rows(rows, outs, ins, run):
    """``run(parts, ins)`` on the rows `rows` of a block, then `parts` written back.

    `parts` are new arrays for those rows of `outs`; `ins` are the kernel's flags.
    """
    parts = [np.empty((rows.size, *out.shape[1:]), out.dtype) for out in outs]
    run(parts, ins)
    for out, part in zip(outs, parts, strict=True):
        out[rows] = part


def _writable(out, x):
    """`out` as the scratch for the exponentials, when it can be (float64, not `x`)."""
    if out.dtype == np.float64 and out.flags.c_contiguous and not np.may_share_memory(out, x):
        return out
    return None


def _columns(x):
    """Short rows in the column layout (`softmax._column_kernels`), up to the output.

    Returns ``(m, w, t, e, rest)``: each row's maximum, $w = e_k$, $t$, the transposed
    exponentials, and the rows whose mode is not 0, which the row layout redoes.
    """
    ck = column_kernels()
    rows, n = x.shape
    e = np.empty((n, rows))
    np.copyto(e, x.T)
    m, k, mode = np.empty(rows), np.empty(rows, np.intp), np.empty(rows, np.int8)
    ck.stats(e, m, k, mode)
    np.exp(e, out=e)  # overflows only in rows that the row layout redoes
    w, t = np.empty(rows), np.empty(rows)
    ck.sums(e, k, w, t)
    return m, w, t, e, np.flatnonzero(mode != kernels().UNSHIFTED)


def _parts(x, kernel, outs, ins=(), e=None):
    """Each row's $m$ and $s = t / w$ of the block `x`, and `kernel`'s `outs`, in either
    layout: ``kernel(x, e, *outs, m, s, *ins, shifted, mode)`` in the row layout; the
    column layout computes $m$, $w$, $t$ itself and hands `kernel` only the rows it left.
    Returns ``(m, s, column)``, `column` the transposed $e$ of the column layout (or None).
    """
    rows = x.shape[0]
    m, s = np.empty(rows), np.empty(rows)
    if x.shape[1] > long_rows().LONG:
        _long(x, kernel, outs, ins, e, m, s)
        return m, s, None
    if x.shape[1] > column_kernels().SMALL:
        compute(kernel, x, (*outs, m, s), ins, e)
        return m, s, None
    m_cols, w, t, column, rest = _columns(x)
    m[...] = m_cols
    np.divide(t, w, out=s)  # rows not in mode 0 are redone
    return m, s, (column, w, t, rest)


def _long(x, kernel, outs, ins, e, m, s):
    """Rows longer than a chunk, chunk by chunk (`softmax._long_rows`); the rows that must
    be shifted or hold a non-finite maximum are computed whole (`compute`)."""
    whole = []
    for r in range(x.shape[0]):
        if kernel is kernels().finish_softmax:
            row_e = e[r] if e is not None else np.empty(x.shape[1])
            got = long_rows().row(x[r], row_e, outs[0][r])
        else:
            got = long_rows().row(x[r], None)
        if got is None:
            whole.append(r)
        else:
            m[r], s[r] = got
    _redo(kernel, x, np.array(whole, dtype=np.intp), (*outs, m, s), ins)


def _lp(s):
    r"""$\operatorname{log1p}(s)$ of every row: NumPy's vectorised `log1p`, as accurate as
    libm's (within an ulp) and several times faster; one function for both layouts."""
    return np.log1p(s)  # NaN rows stay NaN


def _redo(kernel, x, rest, outs, ins=()):
    """The rows `rest` of the block `x` again, in the row layout (`compute`)."""
    if rest.size:
        _on_rows(rest, outs, ins, lambda parts, sub: compute(kernel, x[rest], parts, sub))


def finish_softmax(x, outs):
    (out,) = outs
    exact = out.dtype == np.float64
    kernel = kernels().finish_softmax
    m, s, column = _parts(x, kernel, outs, (exact,), _writable(out, x))
    if column is not None:
        e, w, t, rest = column
        column_kernels().divide(e, w, t, out, exact)
        _redo(kernel, x, rest, (out, m, s), (exact,))


def _lse_parts(x, e=None):
    r"""$m$ and $\operatorname{log1p}(s)$ of every row of the block `x` (`e`: a scratch)."""
    kernel = kernels().finish_lse
    m, s, column = _parts(x, kernel, (), (), e)
    if column is not None:
        _redo(kernel, x, column[3], (m, s))
    return m, _lp(s)


def finish_log_softmax(x, outs):
    (out,) = outs
    # out holds the exponentials until the log-softmax overwrites them.
    kernels().log_softmax_rows(x, *_lse_parts(x, _writable(out, x)), out)


def finish_logsumexp(x, outs):
    (out,) = outs
    m, lp = _lse_parts(x)
    np.add(m, lp, out=out, casting="same_kind")  # float32 may round beyond its range


def finish_residual(x, arrays):
    r"""$Q - P$ and the per-sample cross-entropy of finite float64 logits.

    `arrays` is ``(R, loss, labels)`` with integer labels (O,) or probability rows (O, M).
    $Q$, $m$ and $s$ come from `softmax`'s kernel, the rest from `softmax._residual_kernels`.
    """
    out, loss, labels = arrays
    kernel = kernels().finish_softmax
    m, s, column = _parts(x, kernel, (out,), (True,), _writable(out, x))
    if column is not None:
        e, w, t, rest = column
        column_kernels().divide(e, w, t, out, True)
        _redo(kernel, x, rest, (out, m, s), (True,))
    rk = residual_kernels()
    (rk.residual_proba if labels.ndim == 2 else rk.residual_index)(x, m, _lp(s), labels, out, loss)
