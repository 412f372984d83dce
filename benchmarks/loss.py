r"""Cross-entropy and its gradient: the production path against the tutorial's literal forms.

Production: `softmax.cross_entropy_loss_and_grad(W, X, y)`, the call a training loop makes
(one forward pass for both), $O(OM)$ memory. Literal (`softmax.notation`):
$G = e^{XW^\mathsf{T}}$, $S = GE_1$, $Q = G/S$, $L = \frac{1}{O}[P\log Q^\mathsf{T}]^D E_2$
and $D = (P - Q)^\mathsf{T}X$, whose loss builds an $O \times O$ matrix: $O(O^2)$ memory
and $O(O^2 M)$ time.

Both run for growing $O$ with $M = 10$ classes and $N = 20$ features until the next size
would pass a memory cap (estimated before running, from $8O^2$ bytes for the literal
path) or the last size took longer than a time cap. Peak memory is measured with
tracemalloc, which counts NumPy's allocations.
"""

from __future__ import annotations

import functools

import numpy as np

import softmax
from benchmarks import timing
from softmax import notation

M, N = 10, 20
SIZES = (100, 1_000, 10_000, 100_000, 1_000_000)
#: Sizes whose estimated peak passes this are not run.
MEMORY_CAP = 2 * 2**30
#: A path stops growing once one call takes longer than this.
TIME_CAP_S = 20.0
#: Issue 5: production loss and gradient at O = 1e6, M = 10 in under a second.
TARGET_O, TARGET_S = 1_000_000, 1.0


def problem(O, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(O, N))
    X[:, 0] = 1.0  # x_0 = 1, the bias feature
    W = rng.normal(scale=0.3, size=(M, N))
    y = rng.integers(0, M, O)
    return W, X, y


def production(W, X, y):
    return softmax.cross_entropy_loss_and_grad(W, X, y)


def literal(W, X, y):
    P = np.eye(M)[y]
    Q = notation.Q(G := notation.G(X, W), notation.S(G))
    return -notation.L(P, Q), -notation.D(P, Q, X) / X.shape[0]


PATHS = {
    "production": (production, lambda O: 8 * O * (4 * M + N)),
    "literal": (literal, lambda O: 8 * O * O),
}


def run(quick=False):
    """One row per (path, O): seconds, peak bytes, or why the size was not run."""
    rows = []
    repeats = 3 if quick else 5
    for path, (fn, estimate) in PATHS.items():
        stopped = None
        for O in SIZES:
            row = {"path": path, "O": O, "M": M, "N": N}
            if stopped is None and estimate(O) > MEMORY_CAP:
                stopped = f"estimated peak {estimate(O) / 2**30:.1f} GiB > cap"
            if stopped:
                rows.append({**row, "seconds": None, "peak_bytes": None, "skipped": stopped})
                continue
            call = functools.partial(fn, *problem(O))
            seconds = timing.median_time(call, repeats)
            peak = timing.peak_bytes(call)
            rows.append({**row, "seconds": seconds, "peak_bytes": peak, "skipped": None})
            if seconds > TIME_CAP_S:
                stopped = f"previous size took {seconds:.1f} s > {TIME_CAP_S:.0f} s cap"
    return rows


def agreement(O=1_000):
    """Largest difference between the two paths' loss and gradient (they compute one thing)."""
    W, X, y = problem(O, seed=1)
    (l1, g1), (l2, g2) = production(W, X, y), literal(W, X, y)
    return {
        "O": O,
        "loss_abs_diff": float(abs(l1 - l2)),
        "grad_max_abs_diff": float(np.abs(g1 - g2).max()),
    }


def target(rows):
    """Whether the production path met the issue's O = 1e6 target."""
    hit = [r for r in rows if r["path"] == "production" and r["O"] == TARGET_O]
    seconds = hit[0]["seconds"] if hit else None
    return {
        "O": TARGET_O,
        "M": M,
        "seconds": seconds,
        "target_s": TARGET_S,
        "met": None if seconds is None else bool(seconds < TARGET_S),
    }
