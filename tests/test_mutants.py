"""The numeric evidence of a claim can fail (issue 11, item 6): `derivations.mutants`
swaps a production function for a wrong one, and the claim's checks must notice."""

from __future__ import annotations

import pytest

import softmax
from derivations.mutants import EQUIVALENT, detected, survivors, swapped
from derivations.registry import REGISTRY


@pytest.mark.claim("SM-1")
@pytest.mark.parametrize("mutant", ["sign flipped", "transposed", "doubled"])
def test_the_checks_of_sm_1_notice_each_wrong_softmax(mutant):
    found, failed = detected(REGISTRY["SM-1"], softmax.softmax, mutant)
    assert found, mutant
    assert failed  # the names of the checks that failed


@pytest.mark.claim("SM-7")
def test_a_ratio_of_shares_cannot_tell_a_doubled_softmax_so_it_survives():
    # SM-7 is about q_i / q_j, which doubling every q leaves as it is: the survivor is
    # equivalent for this claim, and the tool reports it rather than passing it off.
    assert detected(REGISTRY["SM-7"], softmax.softmax, "doubled") == (False, "")


def test_a_swap_is_undone_after_the_run():
    original = softmax.softmax
    with swapped(original, lambda *a, **k: None):
        assert softmax.softmax is not original
    assert softmax.softmax is original


@pytest.mark.parametrize("claim_id", list(REGISTRY))
def test_a_claims_checks_notice_every_wrong_version_its_statement_can_tell(claim_id):
    left = set(survivors(REGISTRY[claim_id]))
    assert left == set(EQUIVALENT.get(claim_id, {})), f"survivors: {sorted(left)}"
