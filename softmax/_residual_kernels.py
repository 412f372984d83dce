r"""The loss and gradient's pass: $Q - P$ and each sample's cross-entropy, compiled.

The same kernel as `softmax`'s (`softmax._kernels` for long rows, `softmax._column_kernels`
for short ones), with the output $q$ turned in place into $Q - P$ (claim GRAD-6:
$\partial H / \partial g_i = q_i - p_i$) and each sample's loss
$-\sum_i p_i \log q_i$ formed from $\log q_i = (z_i - m) - \operatorname{log1p}(s)$
(IMPL-4), never from $\log q$ as a matrix.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from softmax._kernels import (
    _INLINE,
    _OPTIONS,
    NONFINITE,
    _bound,
    _divide,
    _prepare,
    _scale_and_sum,
    _skip,
)


@numba.njit(**_INLINE)
def _row(x, e, out, r, shifted, mode, bound, stack):
    r"""$q$ of row `r` into `out`; returns ``(m, log1p(t / w))``, NaN when not finite.

    Logits beyond the float range (a non-finite maximum) give a NaN row, which the
    callers turn into a clear error.
    """
    m, k, mode[r] = _prepare(x, r, shifted, bound)
    n = x.shape[1]
    if mode[r] == NONFINITE:
        for i in range(n):
            out[r, i] = np.nan
        return m, np.nan
    if _skip(mode, r, shifted):
        return m, np.nan
    w, t = _scale_and_sum(e, r, k, stack)
    _divide(e, r, w + t, out, True)
    return m, math.log1p(t / w)


@numba.njit(**_OPTIONS)
def finish_residual_index(x, e, out, loss, y, shifted, mode):
    r"""The loss and gradient's pass, integer labels: $Q - P$ into `out` and
    $-\log q_{y} = \operatorname{log1p}(s) - (z_y - m)$ into `loss` (IMPL-4, GRAD-6)."""
    bound, stack = _bound(x.shape[1]), np.empty(64)
    for r in range(x.shape[0]):
        m, lp = _row(x, e, out, r, shifted, mode, bound, stack)
        if _skip(mode, r, shifted):
            continue
        out[r, y[r]] -= 1.0
        loss[r] = lp - (x[r, y[r]] - m)


@numba.njit(**_OPTIONS)
def finish_residual_proba(x, e, out, loss, p, shifted, mode):
    r"""The loss and gradient's pass, probability rows $P$: $Q - P$ into `out` and
    $-\sum_i p_i \log q_i$ into `loss` ($0 \cdot \log q_i = 0$: the logits are finite)."""
    bound, stack = _bound(x.shape[1]), np.empty(64)
    for r in range(x.shape[0]):
        m, lp = _row(x, e, out, r, shifted, mode, bound, stack)
        if _skip(mode, r, shifted):
            continue
        acc = 0.0
        for i in range(x.shape[1]):
            out[r, i] -= p[r, i]
            acc += p[r, i] * (lp - (x[r, i] - m))
        loss[r] = acc


@numba.njit(**_OPTIONS)
def columns_index(x, m, lp, y, out, loss):
    r"""$Q - P$ in place of $Q$ and $-\log q_y = \operatorname{log1p}(s) - (z_y - m)$."""
    for r in range(x.shape[0]):
        out[r, y[r]] -= 1.0
        loss[r] = lp[r] - (x[r, y[r]] - m[r])


@numba.njit(**_OPTIONS)
def columns_proba(x, m, lp, p, out, loss):
    r"""$Q - P$ in place of $Q$ and $-\sum_i p_i \log q_i$, as `softmax._kernels`."""
    for r in range(x.shape[0]):
        acc = 0.0
        for i in range(x.shape[1]):
            out[r, i] -= p[r, i]
            acc += p[r, i] * (lp[r] - (x[r, i] - m[r]))
        loss[r] = acc
