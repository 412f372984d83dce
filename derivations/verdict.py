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

import sympy as sp

from derivations.claim import Claim
from derivations.evidence import Check
from derivations.proof import Proof, readable_latex
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

    def as_dict(self) -> dict:
        claim, deciding = self.claim, self.deciding
        return {
            "id": claim.id,
            "title": claim.title,
            "section": claim.section,
            "source": claim.source,
            "statement": deciding.statement if deciding else None,
            "verdict": self.verdict,
            "expected": claim.expect,
            "ok": self.ok,
            "correction": claim.correction,
            "assumptions": list(deciding.assumptions) if deciding else [],
            "symbolic": _proof_dict(deciding),
            "as_written": _proof_dict(self.written),
            "numeric": {
                "passed": self.numeric_passed,
                "checks": [check.as_dict() for check in self.checks],
            },
            "implementation": list(claim.names),
            "uses": list(claim.uses),
            "title_zh": claim.title_zh,
            "erratum_zh": claim.erratum_zh,
            "references": list(claim.references),
            "note": claim.note,
            "doc": claim.doc,
            "error": self.error,
        }


def _residual_text(residual) -> str:
    """A residual as LaTeX (bound indices readable), or a message as it is."""
    if not isinstance(residual, sp.Basic):
        return str(residual)
    return readable_latex(residual)[0]


def _proof_dict(proof: Proof | None) -> dict | None:
    if proof is None:
        return None
    return {
        "passed": proof.passed,
        "general": proof.general,
        "sizes": proof.sizes,
        "residual": _residual_text(proof.residual),
        "residual_is_latex": isinstance(proof.residual, sp.Basic),
        "note": proof.note,
        "counterexample": {k: str(v) for k, v in proof.counterexample.items()},
        "steps": [
            {
                "label": s.label,
                "latex": s.latex(),
                "passed": s.passed,
                "residual": _residual_text(s.residual),
                "residual_is_latex": isinstance(s.residual, sp.Basic),
            }
            for s in proof.steps
        ],
    }


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
