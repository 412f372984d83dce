"""The LaTeX cross-check (issue 11, item 2): each formula claim's quote, parsed by SymPy's
LaTeX parser, is the statement its as-written proof checks (derivations.latex_check).

The rewrite rules' doctests run with the modules' (``--doctest-modules``). Here: no formula
claim differs, at least half agree, a wrong quote never agrees (so the check can fail), and
a parser's exception, tuple or ambiguous reading is "unparsed", never a pass.
"""

from __future__ import annotations

import dataclasses

import pytest

from derivations import latex_rewrite
from derivations.latex_check import formula_claims, is_formula_claim, latex_check, share
from derivations.registry import REGISTRY

STATUSES = {"agrees", "differs", "unparsed"}


def test_no_formula_claim_differs_from_what_its_as_written_proof_checks():
    differing = {
        c.id: latex_check(c)["detail"]
        for c in formula_claims()
        if latex_check(c)["status"] == "differs"
    }
    assert not differing, differing


def test_at_least_half_of_the_formula_claims_parse_and_agree():
    agreeing, total = share()
    assert agreeing >= total / 2, (
        f"{agreeing} of {total} formula claims agree ({agreeing / total:.0%})"
    )


def test_every_formula_claim_has_a_status_a_backend_when_read_and_a_reason():
    for claim in formula_claims():
        result = latex_check(claim)
        assert result["status"] in STATUSES, (claim.id, result)
        assert (result["backend"] is None) == (result["status"] == "unparsed"), (claim.id, result)
        assert result["detail"], claim.id


def test_claims_of_this_project_and_quotes_of_prose_are_not_formulas():
    others = [c for c in REGISTRY.values() if not is_formula_claim(c)]
    assert any(c.section == "implementation" for c in others)
    assert any(r"\text" in c.source and c.section != "implementation" for c in others)
    assert {latex_check(c)["status"] for c in others} == {"not a formula"}


# A quote changed in one place: a sign flipped, e^{g_i} for g_i and back (the latter is
# GRAD-2's correction: the fix is not the text the claim checks), a digit, an index.
WRONG = [
    ("SM-1", r"e^{g_i}}{", r"g_i}{"),
    ("SM-2", r"P(B)=\frac{e}{", r"P(B)=\frac{e^{-1}}{"),
    ("SM-3", "0.9817", "0.9818"),
    ("ENT-2", "4.7004", "4.7005"),
    ("ML-5", r"=\sum_i^Np_i\log{q_i}", r"=-\sum_i^Np_i\log{q_i}"),
    ("LOSS-2", "-0.22", "-0.23"),
    ("GRAD-1", "w_{ij}x_j", "w_{ji}x_j"),
    ("GRAD-2", r"\frac{g_i}{\sum_k^Mg_k}", r"\frac{e^{g_i}}{\sum_k^Me^{g_k}}"),
    ("GRAD-6", "p_i-q_i", "p_i+q_i"),
    ("GRADM-1", "-q_i)", "-q_{(k)i})"),
]


@pytest.mark.claim(
    "SM-1", "SM-2", "SM-3", "ENT-2", "ML-5", "LOSS-2", "GRAD-1", "GRAD-2", "GRAD-6", "GRADM-1"
)
@pytest.mark.parametrize(("claim_id", "old", "new"), WRONG, ids=[w[0] for w in WRONG])
def test_a_quote_changed_in_one_place_never_agrees(claim_id, old, new):
    claim = REGISTRY[claim_id]
    assert latex_check(claim)["status"] == "agrees"  # the quote as it is does
    assert old in claim.source
    wrong = dataclasses.replace(claim, source=claim.source.replace(old, new, 1))
    result = latex_check(wrong)
    assert result["status"] in {"differs", "unparsed"}, result


@pytest.mark.claim("GRAD-6")
@pytest.mark.parametrize(
    ("parser", "pad", "reason"),
    [(lambda *a, **k: 1 / 0, " ", "ZeroDivisionError"), (lambda *a, **k: (1, 2), "  ", "tuple")],
    ids=["exception", "tuple"],
)
def test_a_parser_exception_or_tuple_is_unparsed_never_a_pass(monkeypatch, parser, pad, reason):
    monkeypatch.setattr(latex_rewrite, "parse_latex", parser)
    # A quote no other test reads (readings and results are cached by the quote's text).
    claim = dataclasses.replace(REGISTRY["GRAD-6"], source=REGISTRY["GRAD-6"].source + pad)
    result = latex_check(claim)
    assert (result["status"], result["backend"]) == ("unparsed", None), result
    assert reason in result["detail"]


def test_an_ambiguous_reading_is_unparsed():
    # Lark reads P(A) as a function value and as the product P·A, and says so.
    with pytest.raises(latex_rewrite.Unparsed, match="ambiguous"):
        latex_rewrite.parse("P(A)", "lark")


def test_a_prefix_that_antlr_could_read_is_not_a_reading():
    # Without strict=True ANTLR returns P(A)=0.9817 for the whole line, silently.
    with pytest.raises(latex_rewrite.Unparsed):
        latex_rewrite.parse(r"P(A)=0.9817,P(B)=0.0180", "antlr")
