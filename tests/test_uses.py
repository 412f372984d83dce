"""Claims linked by what they use (issue 11, item 3): the registry's checks and the
consequences that the verdicts of the claims a claim rests on have for it."""

from __future__ import annotations

import json

import pytest

from derivations.cli import main
from derivations.consequences import consequences, upstream, used_by
from derivations.registry import REGISTRY, check_uses


def test_the_registry_refuses_an_unknown_id_and_a_cycle_in_uses():
    with pytest.raises(ValueError, match="uses unknown claims"):
        check_uses({"A-1": ("B-9",)})
    with pytest.raises(ValueError, match="form a cycle"):
        check_uses({"A-1": ("A-2",), "A-2": ("A-3",), "A-3": ("A-1",)})


def test_uses_and_used_by_are_the_same_edges_read_both_ways():
    edges = {(c.id, u) for c in REGISTRY.values() for u in c.uses}
    assert edges == {(user, used) for used in REGISTRY for user in used_by(used)}


def test_a_claim_rests_on_everything_it_reaches_and_nothing_else():
    for claim in REGISTRY.values():
        reached = upstream(claim.id)
        assert claim.id not in reached
        assert set(claim.uses) <= set(reached)
        assert all(set(REGISTRY[r].uses) <= set(reached) for r in reached)


@pytest.mark.claim("GRAD-7", "GRAD-2", "GRAD-6")
def test_the_negated_gradient_rests_on_the_corrected_softmax_and_inherits_sum_p_one():
    # GRAD-7 uses GRAD-6, which uses the line-by-line derivation from GRAD-2's softmax,
    # false as written (the exponentials are missing); GRAD-6 holds only when Σ p = 1.
    near = consequences("GRAD-7")
    assert "GRAD-2" in near["rests_on_corrections_of"]
    assert any(a["claim"] == "GRAD-6" for a in near["inherited_assumptions"])


@pytest.mark.claim("SM-1", "SM-2", "SM-4")
def test_a_claim_above_only_holding_claims_rests_on_no_correction():
    assert consequences("SM-1")["rests_on_corrections_of"] == []
    assert consequences("SM-4")["rests_on_corrections_of"] == []  # SM-2 holds; SM-3 is beside
    assert "SM-4" in consequences("SM-2")["used_by"]


@pytest.mark.claim("GRAD-7", "GRAD-2")
def test_the_json_export_has_uses_used_by_and_the_corrections_rested_on(capsys):
    assert main(["--json", "GRAD-7"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["uses"] == list(REGISTRY["GRAD-7"].uses)
    assert entry["used_by"] == used_by("GRAD-7")
    assert "GRAD-2" in entry["rests_on_corrections_of"]
