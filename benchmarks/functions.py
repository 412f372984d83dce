"""`softmax.softmax` and `softmax.log_softmax` against SciPy's, and the memory floor.

Shapes O × M = 1e5 × 10, 1e4 × 1e3, 1e3 × 1e5 (the same 1e6 to 1e8 entries as one long
axis or many short ones), float64 and float32, along the last axis. Logits are N(0, 3).
Rows marked ``workers=-1`` share the blocks among every CPU of the machine, against
SciPy's single thread; the unmarked rows use one thread, as SciPy does.
The floor rows time `np.copyto` of the same array into a preallocated one (no function that
reads every entry and writes a result can be faster) and `np.exp` of it in its own dtype
(every softmax evaluates one exponential per entry): both bound what a ratio can reach.
For float32 a third floor times the float64 exponential of every entry, converted block by
block as `softmax` does: the least any function meeting this project's float32 accuracy
target (correct rounding, which float32 arithmetic cannot give) pays with NumPy.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.special

import softmax
from benchmarks import timing

SHAPES = ((100_000, 10), (10_000, 1_000), (1_000, 100_000))
DTYPES = ("float64", "float32")
#: The target of issue 5: at most this fraction of SciPy's time, at every shape.
TARGET = 0.6

_ALL_CPUS = {"workers": -1}
PAIRS = (
    ("softmax.softmax", softmax.softmax, "scipy.special.softmax", scipy.special.softmax),
    (
        "softmax.log_softmax",
        softmax.log_softmax,
        "scipy.special.log_softmax",
        scipy.special.log_softmax,
    ),
    # The same with every CPU (SciPy has one thread; this is said wherever it is shown).
    (
        "softmax.softmax (workers=-1)",
        functools.partial(softmax.softmax, **_ALL_CPUS),
        "scipy.special.softmax",
        scipy.special.softmax,
    ),
    (
        "softmax.log_softmax (workers=-1)",
        functools.partial(softmax.log_softmax, **_ALL_CPUS),
        "scipy.special.log_softmax",
        scipy.special.log_softmax,
    ),
)


def repeats_for(size, quick):
    """Fewer repeats for the 1e8-entry arrays (seconds per call), more for small ones."""
    if quick:
        return 3
    return 5 if size >= 10**8 else 9


def run(quick=False):
    """One row per (function, dtype, shape), plus one floor row per (dtype, shape)."""
    rng = np.random.default_rng(5)
    rows = []
    for dtype in DTYPES:
        for shape in SHAPES:
            x = rng.normal(0.0, 3.0, shape).astype(dtype)
            repeats = repeats_for(x.size, quick)
            peer_times = {}
            for name, ours, peer_name, peer in PAIRS:
                res = timing.compare(
                    lambda f=ours, x=x: f(x, axis=-1),
                    lambda f=peer, x=x: f(x, axis=-1),
                    repeats,
                )
                peer_times[peer_name] = res["peer_s"]
                rows.append(_row(name, peer_name, dtype, shape, repeats, res))
            buf = np.empty_like(x)
            peer_s = peer_times["scipy.special.softmax"]
            # Floors: a copy (reads and writes every entry), and NumPy's exponential in
            # the dtype SciPy uses, which any softmax evaluates once per entry.
            floors = [
                ("np.copyto (memory floor)", lambda b=buf, x=x: np.copyto(b, x)),
                ("np.exp (exponential floor)", lambda b=buf, x=x: np.exp(x, out=b)),
            ]
            if dtype == "float32":
                scratch = np.empty(1 << 16)
                # This project computes float32 input in float64 (its accuracy target is
                # correct rounding), so its floor is the float64 exponential of each block.
                floors.append(
                    (
                        "np.exp in float64 (floor at this accuracy)",
                        lambda x=x, x64=scratch: _exp_in_float64(x, x64),
                    )
                )
            for floor_name, fn in floors:
                floor_s = timing.median_time(fn, repeats)
                floor = {"ours_s": floor_s, "peer_s": peer_s, "ratio": floor_s / peer_s}
                rows.append(
                    _row(floor_name, "scipy.special.softmax", dtype, shape, repeats, floor, None)
                )
            del x, buf
    return rows


def _exp_in_float64(x, x64):
    """The float64 exponential of every entry of `x`, converted one block of `x64` at a time."""
    flat = x.reshape(-1)
    for start in range(0, flat.size, x64.size):
        part = x64[: flat.size - start]
        np.copyto(part, flat[start : start + x64.size])
        np.exp(part, out=part)


def _row(name, peer, dtype, shape, repeats, res, target=TARGET):
    return {
        "function": name,
        "peer": peer,
        "dtype": dtype,
        "shape": list(shape),
        "repeats": repeats,
        **res,
        "target": target,
        "met": None if target is None else bool(res["ratio"] <= target),
    }
