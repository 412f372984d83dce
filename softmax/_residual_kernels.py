r"""The loss and gradient's last pass: $Q - P$ in place of $Q$, and each sample's loss.

$Q$, each row's maximum $m$ and $\operatorname{log1p}(s)$ come from the kernel of
`softmax` (`softmax._blocks.finish_residual`); $Q - P$ is claim IMPL-8
($\partial H / \partial g_i = q_i - p_i$), and the loss $-\sum_i p_i \log q_i$ is formed
from $\log q_i = (z_i - m) - \operatorname{log1p}(s)$ (IMPL-4) with the same operations on
the same values as `log_softmax`, never from $\log q$ as a matrix.
"""

from __future__ import annotations

import numba

from softmax._kernels import _OPTIONS


@numba.njit(**_OPTIONS)
def residual_index(x, m, lp, y, out, loss):
    r"""$Q - P$ in place of $Q$ and $-\log q_y = \operatorname{log1p}(s) - (z_y - m)$."""
    for r in range(x.shape[0]):
        out[r, y[r]] -= 1.0
        loss[r] = lp[r] - (x[r, y[r]] - m[r])


@numba.njit(**_OPTIONS)
def residual_proba(x, m, lp, p, out, loss):
    r"""$Q - P$ in place of $Q$ and $-\sum_i p_i \log q_i$ ($0 \cdot \log q_i = 0$: the
    logits are finite)."""
    for r in range(x.shape[0]):
        acc = 0.0
        for i in range(x.shape[1]):
            out[r, i] -= p[r, i]
            acc += p[r, i] * (lp[r] - (x[r, i] - m[r]))
        loss[r] = acc
