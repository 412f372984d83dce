"""What the compiled kernels cost before they run: first calls with a cold and a warm cache.

A fresh interpreter, with ``NUMBA_CACHE_DIR`` set to a new empty temporary directory,
imports softmax and times the first call of each public function on small inputs, one
call at a time: `softmax`, `log_softmax` and `logsumexp` on float64 and float32 of shape
(3, 5) and (3, 5000), then `cross_entropy_loss_and_grad` on small float64 data. A first
call compiles whatever it needs that an earlier call of the same process has not compiled
already, so a kernel shared by two functions is counted at the first. A second fresh
interpreter with the same cache directory makes the same calls: what it pays is loading
the compiled code from disk. Each call is also timed a second time in the same process,
the cost once compiled. Nothing here knows which kernels exist: only public functions are
timed.

The cost of ``import softmax`` is timed in fresh interpreters too (time.perf_counter around
the import statement, inside the process), against ``import numpy``, which it needs anyway.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: Fresh interpreters timing each import, for its median.
IMPORT_RUNS = 5
TIMEOUT_S = 900

FIRST_CALLS = r"""
import json, time

start = time.perf_counter()
import softmax
import_s = time.perf_counter() - start
import numpy as np

rng = np.random.default_rng(0)
calls = []
for name in ("softmax", "log_softmax", "logsumexp"):
    for dtype in ("float64", "float32"):
        for shape in ((3, 5), (3, 5000)):
            x = rng.normal(size=shape).astype(dtype)
            calls.append((f"softmax.{name}", dtype, shape, getattr(softmax, name), (x,)))
W, X = rng.normal(size=(3, 4)), rng.normal(size=(6, 4))
y = np.array([0, 1, 2, 0, 1, 2])
calls.append(
    ("softmax.cross_entropy_loss_and_grad", "float64", X.shape,
     softmax.cross_entropy_loss_and_grad, (W, X, y))
)
rows = []
for name, dtype, shape, fn, args in calls:
    times = []
    for _ in range(2):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    rows.append({"function": name, "dtype": dtype, "shape": list(shape),
                 "first_s": times[0], "second_s": times[1]})
print(json.dumps({"import_s": import_s, "calls": rows}))
"""

IMPORT = r"""
import json, sys, time

start = time.perf_counter()
import {module}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "numba_loaded": "numba" in sys.modules}}))
"""


def _python(code, cache_dir):
    """Run `code` in a fresh interpreter from the repository root; its JSON output."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the timing interpreter failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick=False):
    """First calls with a cold and a warm cache, and the import cost (``quick`` changes
    nothing: there are no repeats to cut, and the import runs are few)."""
    with tempfile.TemporaryDirectory(prefix="softmax-numba-cache-") as tmp:
        cache = pathlib.Path(tmp)
        cold = _python(FIRST_CALLS, cache)
        cache_files = sum(1 for p in cache.rglob("*") if p.is_file())
        warm = _python(FIRST_CALLS, cache)
        imports = {m: _imports(m, cache) for m in ("softmax", "numpy")}
    calls = [
        {
            "function": c["function"],
            "dtype": c["dtype"],
            "shape": c["shape"],
            "cold_s": c["first_s"],
            "warm_s": w["first_s"],
            "hot_s": min(c["second_s"], w["second_s"]),
        }
        for c, w in zip(cold["calls"], warm["calls"], strict=True)
    ]
    return {
        "calls": calls,
        "cold_total_s": sum(c["cold_s"] for c in calls),
        "warm_total_s": sum(c["warm_s"] for c in calls),
        "cache_files": cache_files,
        "import": {
            "median_s": imports["softmax"]["median_s"],
            "runs_s": imports["softmax"]["runs_s"],
            "cold_cache_s": cold["import_s"],
            "numba_loaded": imports["softmax"]["numba_loaded"],
            "baseline": {"command": "import numpy", "median_s": imports["numpy"]["median_s"]},
            "target": "report only: import cost stays small",
        },
    }


def _imports(module, cache):
    runs = [_python(IMPORT.format(module=module), cache) for _ in range(IMPORT_RUNS)]
    return {
        "runs_s": [r["seconds"] for r in runs],
        "median_s": statistics.median(r["seconds"] for r in runs),
        "numba_loaded": any(r["numba_loaded"] for r in runs),
    }
