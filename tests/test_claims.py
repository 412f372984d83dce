"""Every registered claim, as a pytest id: `pytest -k GRAD` runs one family.

Each test runs the claim's SymPy proofs and numeric checks and asserts that the computed
verdict equals the recorded expectation, that the deciding proof passed (residual exactly 0)
and that every numeric check passed. A wrong expectation fails here too.
"""

from __future__ import annotations

import pytest

from derivations import claims, evaluate, get
from derivations.selftest import concluding_step, perturbations, survivors

#: Every claim id, in the registry's order: each test below runs once per id, and
#: `test_the_literal_ids_are_the_registry` keeps this list equal to the registry.
IDS = (
    "SM-1",
    "SM-2",
    "SM-3",
    "SM-4",
    "SM-5",
    "SM-6",
    "SM-7",
    "ENT-1",
    "ENT-2",
    "ENT-3",
    "CE-1",
    "CE-2",
    "ML-1",
    "ML-2",
    "ML-3",
    "ML-4",
    "ML-5",
    "ML-6",
    "ML-7",
    "LOSS-1",
    "LOSS-2",
    "LOSS-3",
    "LOSS-4",
    "LOSS-5",
    "LOSS-6",
    "MODEL-1",
    "MODEL-2",
    "MODEL-3",
    "MAT-1",
    "MAT-2",
    "MAT-3",
    "MATL-1",
    "MATL-2",
    "MATL-3",
    "MATL-4",
    "MATL-5",
    "OPT-1",
    "OPT-2",
    "OPT-3",
    "GRAD-1",
    "GRAD-2",
    "GRAD-3",
    "GRAD-4",
    "GRAD-5",
    "GRAD-6",
    "GRAD-7",
    "GRAD-8",
    "GRADM-1",
    "GRADM-2",
    "SUM-1",
    "SUM-2",
    "SUM-3",
    "SUM-4",
    "SUM-5",
    "TRAIN-1",
    "TRAIN-2",
    "TRAIN-3",
    "TRAIN-4",
    "TRAIN-5",
    "IMPL-1",
    "IMPL-2",
    "IMPL-11",
    "IMPL-3",
    "IMPL-4",
    "IMPL-5",
    "IMPL-6",
    "IMPL-14",
    "IMPL-15",
    "IMPL-16",
    "IMPL-17",
    "IMPL-18",
    "IMPL-19",
    "IMPL-12",
    "IMPL-13",
    "IMPL-7",
    "IMPL-8",
    "IMPL-9",
    "IMPL-10",
)
CLAIMS = [get(i) for i in IDS]


@pytest.fixture(scope="module")
def outcomes():
    """One evaluation per claim per session, shared by the tests of this module."""
    return {}


def _outcome(outcomes, claim):
    if claim.id not in outcomes:
        outcomes[claim.id] = evaluate(claim)
    return outcomes[claim.id]


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
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


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
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


def test_the_literal_ids_are_the_registry():
    assert list(IDS) == [c.id for c in claims()]
