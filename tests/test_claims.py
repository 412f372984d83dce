"""Every registered claim, as a pytest id: `pytest -k GRAD` runs one family.

Each test runs the claim's SymPy proofs and numeric checks and asserts that the computed
verdict equals the recorded expectation, that the deciding proof passed (residual exactly 0)
and that every numeric check passed. A wrong expectation fails here too.
"""

from __future__ import annotations

import pytest

from derivations import claims, evaluate
from derivations.selftest import concluding_step, perturbations, survivors

CLAIMS = claims()


@pytest.fixture(scope="module")
def outcomes():
    """One evaluation per claim per session, shared by the tests of this module."""
    return {}


def _outcome(outcomes, claim):
    if claim.id not in outcomes:
        outcomes[claim.id] = evaluate(claim)
    return outcomes[claim.id]


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_verdict_as_expected(outcomes, claim):
    o = _outcome(outcomes, claim)
    assert o.error is None, o.error
    assert o.verdict == claim.expect, (
        f"{claim.id}: computed {o.verdict}, recorded {claim.expect}; "
        f"as-written residual {o.written.residual if o.written else None}"
    )
    assert o.deciding.passed, f"{claim.id}: residual {o.deciding.residual}"
    failed = [f"{c.name}: {c.detail}" for c in o.checks if not c.passed]
    assert o.checks and not failed, failed


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_proof_fails_when_perturbed(outcomes, claim):
    """The verifier can fail: a constant, sign or index change breaks the proof."""
    s = concluding_step(_outcome(outcomes, claim).deciding)
    assert s is not None and s.recheck is not None, f"{claim.id}: the proof cannot be perturbed"
    assert list(perturbations(s.target, s.relation)), f"{claim.id}: no perturbation applies"
    assert survivors(s) == [], f"{claim.id}: perturbed statements still pass"


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.expect != "holds"], ids=lambda c: c.id)
def test_claim_not_holding_as_written_shows_its_residual(outcomes, claim):
    """Errata and assumptions are reported with what fails: a non-zero residual or a reason."""
    o = _outcome(outcomes, claim)
    assert not o.written.passed
    res = o.written.residual
    assert res != 0 and str(res) != ""
