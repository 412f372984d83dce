"""Adversarial input families for accuracy checks, each seeded and reproducible.

The families of the accuracy report: random N(0, 3); magnitudes spread 1e-3..1e3; an offset
of 1e4; values near the float maximum; 30% -inf entries; all-equal rows; two classes with
gaps 1e-3..1e3; one long row (1e4 entries here; the accuracy report goes to 1e5).
"""

from __future__ import annotations

import numpy as np


def _rng(seed):
    return np.random.default_rng(seed)


def normal(dtype, rows=40, m=16):
    return _rng(10).normal(0.0, 3.0, (rows, m)).astype(dtype)


def spread(dtype, rows=40, m=16):
    rng = _rng(11)
    mags = 10.0 ** rng.uniform(-3, 3, (rows, m))
    return (mags * rng.choice([-1.0, 1.0], (rows, m))).astype(dtype)


def offset(dtype, rows=40, m=16):
    return (_rng(12).normal(0.0, 3.0, (rows, m)) + 1e4).astype(dtype)


def near_max(dtype, rows=40, m=16):
    top = np.finfo(dtype).max
    # Within about 40 units of the largest float: the gaps are representable, exp is not.
    eps = np.finfo(dtype).eps
    steps = _rng(13).integers(0, 40, (rows, m))
    return (top * (1 - eps * steps.astype(np.float64))).astype(dtype)


def neg_inf(dtype, rows=40, m=16):
    x = _rng(14).normal(0.0, 3.0, (rows, m))
    mask = _rng(15).random((rows, m)) < 0.3
    mask[:, 0] = False  # keep every row with a finite entry; all -inf rows have their own policy
    x[mask] = -np.inf
    return x.astype(dtype)


def all_equal(dtype, rows=40, m=16):
    return np.repeat(_rng(16).normal(0.0, 100.0, (rows, 1)), m, axis=1).astype(dtype)


def two_class_gaps(dtype, rows=61, m=2):
    gaps = np.logspace(-3, 3, rows)
    return np.stack([np.zeros(rows), -gaps], axis=1).astype(dtype)


def long_row(dtype, rows=1, m=10_000):
    return _rng(17).normal(0.0, 3.0, (rows, m)).astype(dtype)


FAMILIES = {
    "normal": normal,
    "spread": spread,
    "offset": offset,
    "near-max": near_max,
    "neg-inf": neg_inf,
    "all-equal": all_equal,
    "two-class-gaps": two_class_gaps,
    "long-row": long_row,
}


def ulp_error(computed, exact, dtype):
    """|computed - exact| in units of the last place of `exact` in `dtype`.

    `exact` is the correctly rounded reference (float64 from 60 digits, then cast to
    `dtype`). Equal values, including equal infinities, count 0; unequal non-finite values
    count inf. At 0 the unit is the smallest subnormal.
    """
    computed = np.asarray(computed, dtype=np.float64)
    exact_t = np.asarray(exact).astype(dtype)
    same = (computed == exact_t.astype(np.float64)) | (np.isnan(computed) & np.isnan(exact_t))
    with np.errstate(invalid="ignore", over="ignore"):
        # spacing(finfo.max) overflows to inf: such an error counts 0 ulp unless unequal.
        unit = np.spacing(np.abs(exact_t)).astype(np.float64)
        err = np.abs(computed - exact_t.astype(np.float64)) / unit
    return np.where(same, 0.0, np.where(np.isfinite(err), err, np.inf))
