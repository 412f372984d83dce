"""One view of an evaluated claim: what every renderer shows, computed once here.

`view(outcome)` is the claim's JSON export and what the CLI (`cli.table`, `cli.show`), the
claim pages, the errata pages and the verdict table render: its verdict, the scope and the
steps of its proofs with their residuals, its numeric evidence and its assumptions.
`scope`, `symbolic_cell` and `numeric_cell` are the words for a proof's reach and for the
evidence, shared by all of them.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from derivations.consequences import consequences
from derivations.latex_check import latex_check
from derivations.plain import plain
from derivations.proof import Proof, readable_latex
from derivations.verdict import Outcome

MARK = {True: "✓", False: "✗"}


def view(outcome: Outcome, known: Mapping[str, Outcome] | None = None) -> dict:
    """The evaluated claim as plain data: the JSON export of ``python -m derivations --json``.

    `known` holds the outcomes of this run, which the consequences of its `uses` read
    (`derivations.consequences`); a claim it rests on that is not there is evaluated.
    """
    near = consequences(outcome.claim.id, known)
    claim, deciding = outcome.claim, outcome.deciding
    return {
        "id": claim.id,
        "title": plain(claim.title),
        "title_tex": claim.title,
        "section": claim.section,
        "source": claim.source,
        "statement": deciding.statement if deciding else None,
        "latex_check": latex_check(claim),
        "verdict": outcome.verdict,
        "expected": claim.expect,
        "ok": outcome.ok,
        "correction": claim.correction,
        "assumptions": list(deciding.assumptions) if deciding else [],
        "symbolic": _proof_dict(deciding),
        "as_written": _proof_dict(outcome.written),
        "numeric": {
            "passed": outcome.numeric_passed,
            "checks": [check.as_dict() for check in outcome.checks],
        },
        "implementation": list(claim.names),
        "uses": near["uses"],
        "used_by": near["used_by"],
        "rests_on_corrections_of": near["rests_on_corrections_of"],
        "inherited_assumptions": near["inherited_assumptions"],
        "title_zh": claim.title_zh,
        "erratum_zh": claim.erratum_zh,
        "references": list(claim.references),
        "note": claim.note,
        "doc": claim.doc,
        "error": outcome.error,
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


def scope(proof: dict) -> str:
    """How far a proof reaches: all sizes, or the sizes it was checked at."""
    return "for symbolic sizes" if proof["general"] else f"exactly for {proof['sizes']}"


def symbolic_cell(d: dict) -> str:
    """The symbolic column of a verdict table: the deciding proof's reach, or why none."""
    proof = d["symbolic"]
    if d["error"] or proof is None:
        return "error"
    if not proof["passed"]:
        return "failed"
    return "general" if proof["general"] else (proof["sizes"] or "sizes")


def numeric_cell(d: dict) -> str:
    """The numeric column: how many numeric checks passed, of how many."""
    checks = d["numeric"]["checks"]
    return f"{sum(c['passed'] for c in checks)}/{len(checks)}"
