"""SciPy's extra arguments: `axis` as a tuple or None, and `logsumexp`'s `b` and `return_sign`.

Each row times this project's function against `scipy.special`'s with the same arguments,
alternated as in the `functions` part and with one BLAS thread. Logits are N(0, 3), float64:

- `softmax` and `log_softmax` with ``axis=(1, 2)`` on shape (1000, 100, 10): 1000 slices of
  1000 entries over two axes;
- `softmax` with ``axis=None`` on shape (1000, 1000): one slice of 1e6 entries;
- `logsumexp` with ``axis=-1``, weights `b` uniform on [-1, 1] and ``return_sign=True`` on
  shape (10000, 1000).

The first two run the compiled kernel, and issue 9's target (≤ 0.5 of SciPy's time) is
theirs too. Weighted `logsumexp` is composed of NumPy operations (`softmax._weighted`): its
row is information, with a null target, like the ``workers=-1`` rows of `functions`.

In the same rounds each row also times our function on the same slices without the new
argument (`plain`): the (O, M) view of the array along ``axis=-1``, or for `b` the
unweighted `logsumexp`. `plain_ratio` (ours over plain) is what the argument costs.
"""

from __future__ import annotations

import numpy as np
import scipy.special

import softmax
from benchmarks import functions, timing

#: Issue 9's target, as in `functions`: at most this fraction of SciPy's time.
TARGET = functions.TARGET


def repeats_for(size, quick):
    """`functions.repeats_for`, but more for the 1e6-entry arrays: a call takes a few
    milliseconds, so repeats cost little, and a median of a few is at the mercy of noise."""
    if size > 10**6:
        return functions.repeats_for(size, quick)
    return 11 if quick else 31


def _cases(rng):
    """(function, arguments, peer, ours, SciPy's, plain call's text, plain call, array, target)."""
    z3 = rng.normal(0.0, 3.0, (1_000, 100, 10))
    z2 = rng.normal(0.0, 3.0, (1_000, 1_000))
    zb = rng.normal(0.0, 3.0, (10_000, 1_000))
    b = rng.uniform(-1.0, 1.0, zb.shape)
    rows3, flat2 = z3.reshape(1_000, 1_000), z2.reshape(1, -1)
    out = []
    for name in ("softmax", "log_softmax"):
        ours, peer = getattr(softmax, name), getattr(scipy.special, name)
        out.append(
            (
                f"softmax.{name}",
                "axis=(1, 2)",
                f"scipy.special.{name}",
                lambda ours=ours: ours(z3, axis=(1, 2)),
                lambda peer=peer: peer(z3, axis=(1, 2)),
                f"softmax.{name}(z.reshape(1000, 1000), axis=-1)",
                lambda ours=ours: ours(rows3, axis=-1),
                z3,
                TARGET,
            )
        )
    out.append(
        (
            "softmax.softmax",
            "axis=None",
            "scipy.special.softmax",
            lambda: softmax.softmax(z2, axis=None),
            lambda: scipy.special.softmax(z2, axis=None),
            "softmax.softmax(z.reshape(1, -1), axis=-1)",
            lambda: softmax.softmax(flat2, axis=-1),
            z2,
            TARGET,
        )
    )
    out.append(
        (
            "softmax.logsumexp",
            "axis=-1, b=b, return_sign=True",
            "scipy.special.logsumexp",
            lambda: softmax.logsumexp(zb, axis=-1, b=b, return_sign=True),
            lambda: scipy.special.logsumexp(zb, axis=-1, b=b, return_sign=True),
            "softmax.logsumexp(z, axis=-1)",
            lambda: softmax.logsumexp(zb, axis=-1),
            zb,
            None,  # a NumPy composition: information
        )
    )
    return out


def run(quick=False):
    """One row per case: ours, SciPy's and our plain call, alternated, with one BLAS thread."""
    with functions.one_thread():
        rows = []
        for case in _cases(np.random.default_rng(14)):
            name, arguments, peer_name, ours, peer, plain_name, plain, x, target = case
            repeats = repeats_for(x.size, quick)
            res = timing.compare(ours, peer, repeats, others={"plain": plain})
            row = functions._row(name, peer_name, x.dtype.name, x.shape, repeats, res, target)
            rows.append(
                {
                    "function": name,
                    "arguments": arguments,
                    **row,
                    "plain": plain_name,
                    "plain_s": res["plain_s"],
                    "plain_ratio": res["ours_s"] / res["plain_s"],
                }
            )
        return rows
