"""How every figure is measured: interleaved medians, tracemalloc peaks, the machine.

A figure is a ratio of two times taken in the same run, so that the machine's speed
cancels. The two callables are timed alternately (ours, peer, peer, ours, ...) after a
warm-up call of each, so that a slow patch of the machine (the other core busy, a
frequency change) falls on both; the statistic is the median of the repeats.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import tracemalloc
from importlib import metadata


def once(fn):
    """Wall time of one call of `fn`, in seconds (`time.perf_counter`)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(ours, peer, repeats, warmup=1, *, others=None):
    """Median seconds of `ours` and of `peer`, timed alternately, and their ratio.

    `others` (name -> callable) are more peers timed in the same rounds, so that every
    ratio of a row shares one median of `ours`; each adds ``"{name}_s"`` to the result.
    Each round calls everything once, in forward order on even rounds and reversed on odd.
    """
    fns = [ours, peer, *(others or {}).values()]
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for i in range(repeats):
        order = range(len(fns)) if i % 2 == 0 else reversed(range(len(fns)))
        for which in order:
            times[which].append(once(fns[which]))
    ours_s, peer_s, *more = (statistics.median(t) for t in times)
    res = {"ours_s": ours_s, "peer_s": peer_s, "ratio": ours_s / peer_s}
    res.update({f"{name}_s": s for name, s in zip(others or {}, more, strict=True)})
    return res


def median_time(fn, repeats, warmup=1):
    """Median seconds of `repeats` calls of `fn` after `warmup` calls."""
    for _ in range(warmup):
        fn()
    return statistics.median(once(fn) for _ in range(repeats))


def peak_bytes(fn):
    """Peak of the memory traced while `fn` runs (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _blas_threads():
    """BLAS threads as NumPy's OpenBLAS reports them (threadpoolctl comes with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts) if counts else None


def _cpu_model():
    """The CPU's model name (Linux's /proc/cpuinfo), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment():
    """What the numbers depend on: the CPU, versions, CPU count, BLAS core type."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        # Left as the machine has it (unset or not); the numbers are with this value.
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "blas_threads": _blas_threads(),
        "packages": {
            name: _version(name)
            for name in (
                "numpy",
                "scipy",
                "scikit-learn",
                "numba",
                "threadpoolctl",
                "torch",
                "jax",
                "dask",
                "distributed",
                "softmax-verified",
            )
        },
    }
