"""Adversarial input families for the accuracy checks, each seeded and reproducible.

Random N(0, 3); magnitudes spread 1e-3..1e3; an offset of 1e4; values within a few ulp of
the float maximum (with signs, so that some shifts overflow); about 30% -inf entries;
all-equal rows; two classes with gaps 1e-3..1e3; one long row of 1e4 entries (the accuracy
report of the benchmarks goes to 1e5). Used by the registry (`derivations.conform`) and by
`tests/test_accuracy.py`.
"""

from __future__ import annotations

import numpy as np


def _near_max(dtype, rng, shape=(32, 64)):
    """Entries ±(max − k ulp), k in 0..4, mostly positive: ties and astronomically wide
    gaps, where the shift of a negative entry overflows to −inf."""
    top = np.finfo(dtype).max
    x = np.full(shape, top, dtype=dtype)
    steps = rng.integers(0, 5, shape)
    for _ in range(4):
        lower = np.nextafter(x, dtype(0))
        x = np.where(steps > 0, lower, x)
        steps = steps - 1
    sign = np.where(rng.random(shape) < 0.8, 1, -1).astype(dtype)
    x = x * sign
    x[:, 0] = np.abs(x[:, 0])  # every row has a positive, near-max maximum
    return x


def _minus_inf(dtype, rng, shape=(32, 64)):
    """N(0, 3) with about 30% −inf entries (one entry per row kept finite)."""
    x = rng.normal(0.0, 3.0, shape)
    x[rng.random(shape) < 0.3] = -np.inf
    rows = np.arange(shape[0])
    x[rows, rng.integers(0, shape[1], shape[0])] = rng.normal(0.0, 3.0, shape[0])
    return x.astype(dtype)


def _all_equal(dtype, rng, shape=(32, 48)):
    """Constant rows c·1, c = N(0, 3)·10^k with k in −3..3 (q = 1/48, inexact in binary)."""
    c = rng.normal(0.0, 3.0, (shape[0], 1)) * 10.0 ** rng.integers(-3, 4, (shape[0], 1))
    return np.repeat(c, shape[1], axis=1).astype(dtype)


def _two_entries(dtype, rng, rows=256):
    """M = 2: [a, a − g] in random order, a ~ N(0, 3), gap g log-uniform on 1e-3..1e3."""
    a = rng.normal(0.0, 3.0, rows)
    gap = 10.0 ** rng.uniform(-3.0, 3.0, rows)
    x = np.stack([a, a - gap], axis=1)
    flip = rng.random(rows) < 0.5
    x[flip] = x[flip, ::-1]
    return x.astype(dtype)


FAMILIES = {
    "normal_sigma3": lambda dt, rng: rng.normal(0.0, 3.0, (32, 64)).astype(dt),
    "magnitudes_1e-3_to_1e3": lambda dt, rng: (
        rng.choice([-1.0, 1.0], (32, 64)) * 10.0 ** rng.uniform(-3.0, 3.0, (32, 64))
    ).astype(dt),
    "offset_1e4": lambda dt, rng: (rng.normal(0.0, 3.0, (32, 64)) + 1e4).astype(dt),
    "near_dtype_max": _near_max,
    "30pct_minus_inf": _minus_inf,
    "all_equal_rows": _all_equal,
    "two_entries_gaps_1e-3_to_1e3": _two_entries,
    "long_row_1e4": lambda dt, rng: rng.normal(0.0, 3.0, (1, 10_000)).astype(dt),
}


def generate(family, dtype):
    """The family's array in `dtype`, from a fixed seed per family."""
    rng = np.random.default_rng(20_240_601 + list(FAMILIES).index(family))
    x = FAMILIES[family](dtype, rng)
    assert x.dtype == dtype
    return x
