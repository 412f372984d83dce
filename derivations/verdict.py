"""Run a claim's checks and compute its verdict; nothing here is typed by hand.

The verdict follows from which proofs pass:

* the statement as written passes → `holds`;
* else it passes under an assumption → `holds-under-assumption`;
* else the corrected statement passes → `false-as-written`;
* else `unproven`, which no claim may be expected to be.

A claim is *ok* when every check ran, its computed verdict equals the recorded
expectation, the deciding proof passed and every numeric check passed.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

from derivations.claim import Claim
from derivations.evidence import Check
from derivations.proof import Proof
from derivations.properties import project_checks


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    written: Proof | None
    assumed: Proof | None
    corrected: Proof | None
    checks: tuple[Check, ...]
    error: str | None
    seconds: float

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "error"
        if self.written is not None and self.written.passed:
            return "holds"
        if self.assumed is not None and self.assumed.passed:
            return "holds-under-assumption"
        if self.corrected is not None and self.corrected.passed:
            return "false-as-written"
        return "unproven"

    @property
    def deciding(self) -> Proof | None:
        """The proof that establishes the verdict (or, when none does, the one as written)."""
        return {
            "holds-under-assumption": self.assumed,
            "false-as-written": self.corrected,
        }.get(self.verdict, self.written)

    @property
    def numeric_passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def ok(self) -> bool:
        deciding = self.deciding
        return (
            self.error is None
            and self.verdict == self.claim.expect
            and deciding is not None
            and deciding.passed
            and self.numeric_passed
        )


def evaluate(claim: Claim) -> Outcome:
    """Run every proof and numeric check of `claim`; an exception is recorded, not raised."""
    start = time.perf_counter()
    written = assumed = corrected = None
    checks: tuple[Check, ...] = ()
    error = None
    try:
        written = claim.written()
        assumed = claim.assumed() if claim.assumed else None
        corrected = claim.corrected() if claim.corrected else None
        checks = (*claim.numeric(), *project_checks(claim.properties))
    except Exception:  # a crashing check is reported as such, never as a verdict
        error = traceback.format_exc(limit=4)
    return Outcome(claim, written, assumed, corrected, checks, error, time.perf_counter() - start)
