"""Part ``dask_fit``: `SoftmaxRegression.fit` on a Dask array larger than a worker's memory.

A `distributed.LocalCluster` of 2 worker processes of one thread, each with a memory limit
of 1 GiB, is started from Python. X (O × N, N = 32, chunks of 64 MiB, 2 GiB in all) is
drawn on the workers and persisted there: each worker holds 1 GiB of it, so it spills to
disk what exceeds its memory target, and every pass over X reads spilled chunks back (and
spills others). X is standard normal with its columns scaled by `SCALES`; the labels
(M = 3) are the arg max of the unscaled first 3 columns plus N(0, 1) noise, computed on the
workers. `SoftmaxRegression(solver="lbfgs", max_iter=20, tol=0)` is fitted once; the time
per iteration is the fit's wall time over its iterations (the fit's own first pass over X,
which checks the labels and finiteness, included).

Each worker's peak memory is its resident set size (psutil, sampled every 20 ms from this
process) during the fit, against its limit; its lifetime peak (getrusage's ``ru_maxrss``)
and the bytes it wrote to and read from disk during the fit are reported too.

Then, in this process, the same fit on the first chunks of the same data, gathered into
NumPy: the largest whole number of chunks whose in-memory fit, which holds X and X with a
column of ones (``(2 + 1/N) |X|``), stays within a worker's memory target (0.6 of its
limit): 256 MiB here. ``--quick``: 896 MiB of X in chunks of 16 MiB, limits of 768 MiB
(a worker with softmax loaded takes about 200 MiB before any data: with 512 MiB it paused
often and was once restarted), 3 iterations.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import tempfile
import threading
import time
import warnings

import numpy as np

from benchmarks import timing

MiB = 2**20
FULL = {"limit": 1024 * MiB, "x_bytes": 2048 * MiB, "chunk_bytes": 64 * MiB, "max_iter": 20}
QUICK = {"limit": 768 * MiB, "x_bytes": 896 * MiB, "chunk_bytes": 16 * MiB, "max_iter": 3}
N, M, WORKERS, SEED = 32, 3, 2, 13
#: Column scales from 0.1 to 10, as features in different units: without them L-BFGS meets
#: its relative-decrease test (64 eps) after about 12 iterations, before the budget of 20.
SCALES = np.geomspace(0.1, 10.0, N)
#: Messages of the workers' memory monitor that the part counts (they are logged, not raised).
LOGGED = ("Unmanaged memory use is high", "Pausing worker", "Resuming worker")


def run(quick=False):
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import psutil  # noqa: F401  (a dependency of distributed)
    except ImportError as error:
        return {"skipped": f"dask or distributed not installed ({error.name})"}
    size = QUICK if quick else FULL
    collect, logger = _Collect(), logging.getLogger("distributed")
    logger.addHandler(collect)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result, subset = _on_cluster(size)
            result["in_memory"] = _in_memory(*subset, size, repeats=1 if quick else 3)
    finally:
        logger.removeHandler(collect)
    result["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    result["logged_here"] = collect.lines
    return result


def _model(max_iter):
    from softmax import SoftmaxRegression

    return SoftmaxRegression(solver="lbfgs", max_iter=max_iter, tol=0.0)


def _data(O, chunk_rows):
    """X = Z diag(SCALES), y = argmax(Z[:, :M] + noise), Z and noise ~ N(0, 1), lazily."""
    import dask.array as da

    rng = da.random.default_rng(SEED)
    Z = rng.normal(size=(O, N), chunks=(chunk_rows, N))
    noise = rng.normal(size=(O, M), chunks=(chunk_rows, M))
    return Z * SCALES, da.argmax(Z[:, :M] + noise, axis=1)


def _on_cluster(size):
    import dask
    import distributed

    chunk_rows = size["chunk_bytes"] // (8 * N)
    O = size["x_bytes"] // (8 * N)
    limit = size["limit"]
    with (
        tempfile.TemporaryDirectory(prefix="bench-dask-") as scratch,
        distributed.LocalCluster(
            n_workers=WORKERS,
            threads_per_worker=1,
            processes=True,
            memory_limit=limit,
            local_directory=scratch,
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.register_plugin(_quiet(), name="quiet")
        pids = client.run(os.getpid)
        start = time.perf_counter()
        X, y = dask.persist(*_data(O, chunk_rows))
        distributed.wait([X, y])
        build_s = time.perf_counter() - start
        before = client.run(_worker_counters)
        model = _model(size["max_iter"])
        with _Sampler({addr: c["pid"] for addr, c in before.items()}) as sampler:
            seconds = timing.once(lambda: model.fit(X, y))
        after = client.run(_worker_counters)
        workers = [
            _worker_row(before[addr], after.get(addr), sampler.peak[addr], limit)
            for addr in sorted(before)
        ]
        logged = _logged(client)
        restarted = set(client.run(os.getpid).values()) != set(pids.values())
        k = int(0.6 * limit // ((2 + 1 / N) * size["chunk_bytes"]))  # chunks for in memory
        subset = dask.compute(X[: k * chunk_rows], y[: k * chunk_rows])
    result = {
        "skipped": None,
        "dataset": (
            f"Synthetic, seed {SEED}, drawn on the workers: Z and noise ~ N(0, 1), "
            f"X = Z with its columns scaled by geomspace(0.1, 10, {N}), "
            f"y = argmax(Z[:, :{M}] + noise)"
        ),
        "model": f'SoftmaxRegression(solver="lbfgs", max_iter={size["max_iter"]}, tol=0.0)',
        "cluster": (
            f"distributed.LocalCluster(n_workers={WORKERS}, threads_per_worker=1, "
            f'processes=True, memory_limit="{limit // MiB}MiB")'
        ),
        "memory_thresholds": dask.config.get("distributed.worker.memory"),
        "O": O,
        "N": N,
        "M": M,
        "chunk_rows": chunk_rows,
        "x_bytes": O * N * 8,
        "memory_limit_bytes": limit,
        "build_s": build_s,
        "seconds": seconds,
        "iterations": int(model.n_iter_),
        "per_iteration_s": seconds / model.n_iter_,
        "workers": workers,
        "memory_method": (
            "peak_rss_bytes: resident set size of each worker process during the fit, "
            "psutil sampled every 20 ms from the benchmark process; lifetime_max_rss_bytes: "
            "getrusage ru_maxrss of the worker after the fit (data building included)"
        ),
        "restarted": restarted,  # any worker, at any time from the start of the cluster
        "worker_log": logged,
    }
    return result, subset


def _quiet():
    """A worker plugin (a restarted worker gets it too): the workers' memory warnings stay in
    their logs, counted after the fit, and off stderr."""
    from distributed import WorkerPlugin

    class Quiet(WorkerPlugin):
        def setup(self, worker):
            for handler in logging.getLogger("distributed").handlers:
                if isinstance(handler, logging.StreamHandler):
                    handler.setLevel(logging.ERROR)

    return Quiet()


class _Collect(logging.Handler):
    """Warnings logged by distributed in this process (scheduler, nannies), first lines."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage().split("\n")[0][:160])


def _worker_counters(dask_worker=None):
    """On a worker: its pid, lifetime peak RSS and its cumulative disk traffic of spilling."""
    metrics = getattr(dask_worker.data, "cumulative_metrics", {})
    return {
        "pid": os.getpid(),
        "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "written": int(metrics.get(("disk-write", "bytes"), 0)),
        "read": int(metrics.get(("disk-read", "bytes"), 0)),
    }


def _worker_row(before, after, peak, limit):
    if after is None:  # the worker is gone: a new one has another address
        return {"restarted": True, "limit_bytes": limit, "peak_rss_bytes": peak}
    return {
        "restarted": after["pid"] != before["pid"],
        "limit_bytes": limit,
        "peak_rss_bytes": peak,
        "peak_fraction": peak / limit,
        "lifetime_max_rss_bytes": after["max_rss"],
        "disk_written_bytes": after["written"] - before["written"],
        "disk_read_bytes": after["read"] - before["read"],
    }


def _logged(client):
    """How often each of `LOGGED` appears in the workers' logs (all of the run)."""
    counts = dict.fromkeys(LOGGED, 0)
    for lines in client.get_worker_logs().values():
        for _level, message in lines:
            for key in LOGGED:
                counts[key] += key in message
    return counts


class _Sampler:
    """Peak RSS of processes by pid, sampled every 20 ms in a thread while in the block."""

    def __init__(self, pids):
        import psutil

        self.procs = {key: psutil.Process(pid) for key, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while True:
            for key, proc in self.procs.items():
                with contextlib.suppress(Exception):  # a worker that died is not sampled
                    self.peak[key] = max(self.peak[key], proc.memory_info().rss)
            if self._stop.wait(0.02):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _in_memory(X, y, size, repeats):
    """The same fit on NumPy arrays in this process: median of `repeats` after a warm-up."""
    model = _model(size["max_iter"])
    seconds = timing.median_time(lambda: model.fit(X, y), repeats)
    return {
        "O": int(X.shape[0]),
        "x_bytes": int(X.nbytes),
        "rule": (
            "the largest whole number of chunks with (2 + 1/N) |X| (X and X with a column of "
            "ones) within 0.6 of a worker's memory limit"
        ),
        "repeats": repeats,
        "seconds": seconds,
        "iterations": int(model.n_iter_),
        "per_iteration_s": seconds / model.n_iter_,
        "peak_traced_bytes": timing.peak_bytes(lambda: model.fit(X, y)),
    }
