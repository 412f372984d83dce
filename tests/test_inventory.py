r"""The inventory of the tutorial's formulas, `derivations/formulas.toml` (issue 11).

What the tests hold it to:

* A claim of a tutorial section quotes inventory formulas verbatim (the rule is `quoted`),
  or it is one of `EXCEPTIONS`, which says why; an exception that the rule accepts fails.
* Every entry is covered by a claim (`derivations.formulas.covering`) or says why not in
  `not_a_claim`, never both.
* Entries are numbered 1, 2, … and their sections follow the outline's order.
* Where the tutorial is present, every entry occurs in it, in the inventory's order, and
  the extraction rule (`derivations.formulas.extract`) finds in it no formula that the
  inventory lacks (`derivations.formulas.unlisted`). Elsewhere these tests skip: the
  tutorial is not in the repository (only its formulas may be quoted here).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from derivations.cli import main
from derivations.formulas import (
    NOT_FORMULAS,
    TUTORIAL_SECTIONS,
    as_dicts,
    covering,
    entries,
    extract,
    squash,
    unlisted,
)
from derivations.outline import SECTIONS
from derivations.registry import REGISTRY, claims

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = "softmax-tutorial.zh.txt"
#: Where the tutorial may be: beside the repository (as in CI), or on the project's machine.
SEEDS = (ROOT.parent / "shared" / "seed", Path("/work/shared/seed"))

#: How a claim joins several of the tutorial's formulas in one display: a comma and a
#: LaTeX space.
SEPARATOR = r",\ "

SENTENCE = "quotes a sentence of the prose, not a formula"
#: Claims of tutorial sections whose source is not made of inventory formulas: id -> why.
EXCEPTIONS = {
    "SM-5": SENTENCE,
    "SM-6": SENTENCE,
    "SM-7": "quotes a sentence of the prose, abridged",
    "ENT-3": r"the last link of the chain log_226=4.7004\approx5, with the sentence after it",
    "CE-2": SENTENCE,
    "ML-2": "quotes a sentence of the prose that names the symbol p_i",
    "ML-6": SENTENCE,
    "LOSS-4": SENTENCE,
    "LOSS-5": "quotes a sentence of the prose that names the symbols q_1 and q_2",
    "LOSS-6": SENTENCE,
    "MATL-2": "quotes the sentence of the prose that defines the notation A^D",
    "MATL-5": SENTENCE,
    "OPT-1": r"the formula Loss=-\frac{1}{o}\sum\sum p\ln q, with words of the next sentence",
    "GRAD-8": SENTENCE,
    "SUM-1": "quotes the summary's definitions of X, W, P and Q: sentences with shapes",
    "SUM-2": "quotes the summary's definition of E_1 and E_2: a sentence with shapes",
    "TRAIN-1": "paraphrases two comments of the tutorial's code",
    "TRAIN-2": "paraphrases a line of the tutorial's code",
    "TRAIN-3": SENTENCE,
    "TRAIN-4": SENTENCE,
    "TRAIN-5": SENTENCE,
}

TUTORIAL_CLAIMS = [c for c in claims() if c.section in TUTORIAL_SECTIONS]


def quoted(source: str) -> list[int] | None:
    r"""The numbers of the entries that `source` quotes verbatim, or None if it quotes none.

    Whitespace removed (`squash`), the source is one entry; or entries that follow one
    another in the inventory, joined by `SEPARATOR` (SM-2 joins three); or a part of
    exactly one entry (one link of a chain, one row of an array: the other way round of
    `covering`). A ``\text{…}`` sentence is none of these.
    """
    latex = [squash(f.latex) for f in entries()]
    pieces = [squash(piece) for piece in source.split(SEPARATOR)]
    for start in range(len(latex) - len(pieces) + 1):
        if latex[start : start + len(pieces)] == pieces:
            return list(range(start + 1, start + len(pieces) + 1))
    parts = [n for n, whole in enumerate(latex, 1) if squash(source) in whole]
    return parts if len(parts) == 1 else None


@pytest.fixture(scope="module")
def tutorial() -> str:
    for folder in SEEDS:
        if (folder / TUTORIAL).is_file():
            return (folder / TUTORIAL).read_text(encoding="utf-8")
    pytest.skip(f"the tutorial is not at ../shared/seed: no {TUTORIAL} in {SEEDS[0]} or {SEEDS[1]}")


@pytest.mark.parametrize("claim", TUTORIAL_CLAIMS, ids=lambda c: c.id)
def test_a_tutorial_claims_source_is_inventory_formulas_verbatim_or_an_explained_exception(claim):
    found = quoted(claim.source)
    if claim.id in EXCEPTIONS:
        assert found is None, f"{claim.id} quotes entries {found}: it is no exception"
        return
    assert found, f"{claim.id}'s source is no inventory formula: {claim.source}"
    sections = {entries()[n - 1].section for n in found}
    assert sections == {claim.section}, f"{claim.id} quotes formulas of {sorted(sections)}"
    assert all(claim.id in covering(entries()[n - 1]) for n in found)


def test_every_exception_is_a_live_claim_of_a_tutorial_section_with_a_reason():
    tutorial_ids = {c.id for c in TUTORIAL_CLAIMS}
    assert set(EXCEPTIONS) <= tutorial_ids, sorted(set(EXCEPTIONS) - tutorial_ids)
    assert all(why.strip() for why in EXCEPTIONS.values())


def test_every_entry_is_covered_by_a_claim_or_says_why_not_and_never_both():
    for f in entries():
        covered = covering(f)
        assert bool(covered) != bool(f.not_a_claim), (f.n, covered, f.not_a_claim)


def test_a_reason_that_names_a_claim_names_a_live_one():
    for f in entries():
        named = re.findall(r"\b[A-Z]+-\d+\b", f.not_a_claim or "")
        assert set(named) <= set(REGISTRY), (f.n, f.not_a_claim)


def test_entries_are_numbered_in_order_and_their_sections_follow_the_outline():
    found = entries()
    assert [f.n for f in found] == list(range(1, len(found) + 1))
    assert all(f.section in TUTORIAL_SECTIONS for f in found), "implementation is not a section"
    order = [list(SECTIONS).index(f.section) for f in found]
    assert order == sorted(order)


def test_as_dicts_gives_each_entry_with_its_claims():
    rows = as_dicts()
    assert [r["n"] for r in rows] == [f.n for f in entries()]
    assert all(r.keys() == {"n", "section", "latex", "claims", "not_a_claim"} for r in rows)
    assert all(r["claims"] == list(covering(f)) for r, f in zip(rows, entries(), strict=True))


def test_every_entry_occurs_in_the_tutorial_in_the_inventorys_order(tutorial):
    text, at = squash(tutorial), -1
    for f in entries():
        found = text.find(squash(f.latex), at + 1)
        assert found >= 0, f"entry {f.n} is not in the tutorial after entry {f.n - 1}: {f.latex}"
        at = found


def test_the_extraction_rule_finds_no_formula_that_the_inventory_lacks(tutorial):
    assert unlisted(tutorial) == []


def test_every_excused_candidate_is_one_the_extraction_rule_finds(tutorial):
    found = {squash(candidate) for candidate in extract(tutorial)}
    assert not set(NOT_FORMULAS) - found, sorted(set(NOT_FORMULAS) - found)


def test_the_inventory_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "formulas.toml" in config["tool"]["setuptools"]["package-data"]["derivations"]


def test_the_formulas_command_lists_every_entry_and_its_json_is_as_dicts(capsys):
    assert main(["formulas"]) == 0
    out = capsys.readouterr().out
    assert f"{len(entries())} formulas of the tutorial" in out
    assert main(["formulas", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == as_dicts()
