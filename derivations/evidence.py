"""Numeric evidence: checks of the production code against independent references.

Every check states its reference and tolerance in its detail string, so the table and the
docs show how the expected value was produced and how close is close enough.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    def __post_init__(self):
        # A NumPy comparison gives np.bool_, which the JSON export cannot write.
        object.__setattr__(self, "passed", bool(self.passed))

    def as_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def close(name, got, want, *, rtol, atol=0.0, reference="") -> Check:
    """`got` matches `want` elementwise within `atol + rtol * |want|`."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return Check(name, False, f"shape {got.shape} != expected {want.shape}")
    err = np.abs(got - want)
    bound = atol + rtol * np.abs(want)
    ok = bool(np.all(err <= bound)) and bool(np.all(np.isfinite(got)))
    worst = float(np.max(err)) if err.size else 0.0
    ref = f" vs {reference}" if reference else ""
    tol = f"rtol {float(np.max(rtol)):g}, atol {float(np.max(atol)):g}"
    return Check(name, ok, f"max |Δ| = {worst:.3g}{ref} ({tol})")


def differs(name, got, written, *, atol, reference="") -> Check:
    """The tutorial's written value is refuted: it misses the computed one by more than `atol`."""
    got = np.asarray(got, dtype=np.float64)
    written = np.asarray(written, dtype=np.float64)
    gap = float(np.max(np.abs(got - written)))
    ref = f" ({reference})" if reference else ""
    return Check(
        name,
        bool(gap > atol),
        f"written value misses the computed one{ref} by {gap:.3g} (> {atol:g} refutes it)",
    )


def holds(name, condition, detail) -> Check:
    """A property evaluated by the run (monotone, bounded, exact equality…)."""
    return Check(name, bool(condition), detail)
