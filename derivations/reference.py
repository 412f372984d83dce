r"""Independent high-precision references (mpmath), sharing no code with `softmax`.

Computed at 60 significant digits in the log1p form: $m = \max_i x_i$,
$s = \sum_{i \ne \arg\max} e^{x_i - m}$, $\operatorname{lse} = m + \operatorname{log1p}(s)$.
A naive `log(sum(exp(x)))` at 50 digits is itself wrong once the gap to the maximum exceeds
about 115, since $1 + s$ then rounds to 1 and the $-s$ of $\log q_{\max}$ is lost.
"""

from __future__ import annotations

import mpmath
import numpy as np

DPS = 60


def _row_parts(row):
    xs = [mpmath.mpf(float(v)) for v in row]  # exact: every double is an mpf
    kmax = max(range(len(xs)), key=lambda n: xs[n])
    m = xs[kmax]
    s = mpmath.fsum(mpmath.exp(v - m) for n, v in enumerate(xs) if n != kmax)
    return xs, m, s


def _rows(x):
    """Apply along the last axis of a finite 1-D or 2-D array."""
    arr = np.atleast_2d(np.asarray(x, dtype=np.float64))
    return arr, np.asarray(x).ndim == 1


def softmax(x):
    """Reference softmax along the last axis, as float64 (correctly rounded from 60 digits)."""
    arr, flat = _rows(x)
    out = np.empty_like(arr)
    with mpmath.workdps(DPS):
        for r, row in enumerate(arr):
            xs, m, s = _row_parts(row)
            out[r] = [float(mpmath.exp(v - m) / (1 + s)) for v in xs]
    return out[0] if flat else out


def log_softmax(x):
    """Reference log-softmax along the last axis: $(x_i - m) - \\operatorname{log1p}(s)$."""
    arr, flat = _rows(x)
    out = np.empty_like(arr)
    with mpmath.workdps(DPS):
        for r, row in enumerate(arr):
            xs, m, s = _row_parts(row)
            out[r] = [float((v - m) - mpmath.log1p(s)) for v in xs]
    return out[0] if flat else out


def logsumexp(x):
    """Reference log-sum-exp along the last axis: $m + \\operatorname{log1p}(s)$."""
    arr, flat = _rows(x)
    out = np.empty(arr.shape[0])
    with mpmath.workdps(DPS):
        for r, row in enumerate(arr):
            _xs, m, s = _row_parts(row)
            out[r] = float(m + mpmath.log1p(s))
    return out[0] if flat else out
