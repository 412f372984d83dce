"""A random search for the rows where `softmax.softmax` and `log_softmax` err most.

``python -m benchmarks.search [--rows N] [--seed S]``: rows N(0, σ) with σ log-uniform
on 0.1..300 and M uniform on 2..64, each against the 60-digit reference of
`derivations.reference`. Prints the worst rows (float64 ulps) and how many exceed the
4-ulp design target. `tests/test_accuracy.py` records the worst row found.
"""

from __future__ import annotations

import argparse

import numpy as np

import softmax
from derivations.reference import reference_row, ulp_error

TARGET = 4.0


def search(rows, seed):
    """Yield ``(ulps_softmax, ulps_log_softmax, row)`` for `rows` random rows."""
    rng = np.random.default_rng(seed)
    for _ in range(rows):
        sigma = 10.0 ** rng.uniform(-1.0, np.log10(300.0))
        x = rng.normal(0.0, sigma, int(rng.integers(2, 65)))
        q, logq, _ = reference_row(x.tolist())
        eq = ulp_error(softmax.softmax(x), np.array(q, dtype=object), np.float64).max()
        el = ulp_error(softmax.log_softmax(x), np.array(logq, dtype=object), np.float64).max()
        yield float(eq), float(el), x


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    worst = {"softmax": (0.0, None), "log_softmax": (0.0, None)}
    over = {"softmax": 0, "log_softmax": 0}
    for eq, el, x in search(args.rows, args.seed):
        for name, err in (("softmax", eq), ("log_softmax", el)):
            over[name] += err > TARGET
            if err > worst[name][0]:
                worst[name] = (err, x)
    for name, (err, x) in worst.items():
        print(f"{name}: worst {err:.2f} ulp (M = {len(x)}), {over[name]} rows above {TARGET}")
        print(f"  row: {x.tolist()!r}")


if __name__ == "__main__":
    main()
