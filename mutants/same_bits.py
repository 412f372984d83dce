"""Evidence for an equivalent mutant of a jitted module: the same bits out, or not.

An entry in equivalent.toml is an argument; this is the experiment beside it. It applies
one change (`before` -> `after`, once in FILE) to a copy of softmax/, then computes in both
copies the public functions (softmax, log_softmax, logsumexp along rows) and `_tree`'s own
tree_max (the value and its index) and tree_sum, on rows that stress them: every length up
to 80 and the lengths around each fold level and the long-row chunking, in float64 and
float32, drawn from signed zeros, huge negatives, -inf, NaN and wide normals. It prints a
hash of each side's results and exits 1 if they differ.

    python mutants/same_bits.py softmax/_tree.py "h = a[i] if a[i] > h else h" \\
        "h = a[i] if a[i] >= h else h"

The sign of a zero maximum is left out of tree_max's value (it is compared as a number,
m + 0.0); it reaches no public result, which the first hash shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BATTERY = r"""
import hashlib, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import softmax
from softmax import _tree

rng = np.random.default_rng(0)
public, tree = hashlib.sha256(), hashlib.sha256()
sizes = [*range(1, 80), 255, 256, 271, 272, 273, 1087, 1088, 1089, 4352, 4353, 5000, 20000]
pools = [[-0.0, 0.0, -1.0, -800.0, -np.inf, -1e-300], [np.nan, -np.inf, 0.0, -0.0, 3.0], None]
for n in sizes:
    for pool in pools:
        for dtype in (np.float64, np.float32):
            x = rng.choice(pool, (3, n)) if pool else rng.normal(0.0, 30.0, (3, n))
            x = x.astype(dtype)
            for f in (softmax.softmax, softmax.log_softmax, softmax.logsumexp):
                public.update(np.asarray(f(x, axis=1)).tobytes())
            for row in x:
                m, k = _tree.tree_max(row, np.empty(_tree.scratch_size(n), dtype))
                s = _tree.tree_sum(row, np.empty(_tree.scratch_size(n), dtype))
                tree.update(np.array([m + 0.0, s]).tobytes() + str(k).encode())
print(public.hexdigest()[:16], tree.hexdigest()[:16])
"""


def results(package_parent, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    run = subprocess.run(
        [sys.executable, "-c", BATTERY, str(package_parent)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip()


def main(path, before, after):
    with tempfile.TemporaryDirectory() as tmp:
        sides = {}
        for side in ("original", "mutant"):
            shutil.copytree(
                ROOT / "softmax",
                Path(tmp, side, "softmax"),
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        target = Path(tmp, "mutant", path)
        text = target.read_text()
        if text.count(before) != 1:
            sys.exit(f"`before` occurs {text.count(before)} times in {path}, not once")
        target.write_text(text.replace(before, after))
        for side in ("original", "mutant"):
            sides[side] = results(Path(tmp, side), Path(tmp, side + "-cache"))
            print(f"{side:8}  public {sides[side].split()[0]}  tree {sides[side].split()[1]}")
    same = sides["original"] == sides["mutant"]
    print("same bits" if same else "the results differ")
    return 0 if same else 1


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
