"""The registry, the tests and the docs agree both ways (GUIDE rule 10)."""

from __future__ import annotations

import json
import re

import pytest

from derivations import REGISTRY, RETIRED, SECTIONS, claims
from derivations.cli import main
from derivations.plain import plain
from tests.test_claims import CLAIMS


def test_every_claim_has_a_symbolic_and_a_numeric_check():
    for c in claims():
        assert callable(c.written) and callable(c.numeric), c.id
        if c.expect == "holds-under-assumption":
            assert c.assumed is not None, c.id
        if c.expect == "false-as-written":
            assert c.corrected is not None and c.correction, c.id


def test_test_ids_are_exactly_the_claim_ids():
    assert [c.id for c in CLAIMS] == [c.id for c in claims()]
    assert set(REGISTRY) == {c.id for c in CLAIMS}


def test_retired_ids_are_not_live():
    assert not set(RETIRED) & set(REGISTRY)


def test_every_tutorial_section_has_claims():
    assert {c.section for c in claims()} == set(SECTIONS)


def test_ids_are_unique_and_well_formed():
    ids = [c.id for c in claims()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Z]+-\d+", i) for i in ids)


@pytest.mark.claim("SM-1", "SM-3")
def test_json_export_has_the_documented_fields(capsys):
    assert main(["--json", "SM-1", "SM-3"]) == 0
    data = json.loads(capsys.readouterr().out)
    fields = {
        "id",
        "title",
        "section",
        "source",
        "statement",
        "verdict",
        "correction",
        "assumptions",
        "symbolic",
        "numeric",
        "implementation",
        "doc",
    }
    for entry in data:
        assert fields <= set(entry)
        assert entry["verdict"] in ("holds", "holds-under-assumption", "false-as-written")
        assert {"passed", "general", "sizes", "residual"} <= set(entry["symbolic"])
        assert {"passed", "checks"} <= set(entry["numeric"])
    assert [e["verdict"] for e in data] == ["holds", "false-as-written"]


# Hyphenated capitalised words that are not claim ids.
_NOT_IDS = {"BFGS-B", "MNIST-like", "JSON-storable", "UTF-8", "FAMILY-N", "CRC-32", "OS-chosen"}
_ID_LIKE = re.compile(r"\b[A-Z]{2,}-[A-Za-z0-9]+\b")


def _sources():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for folder in ("softmax", "derivations", "benchmarks", "tests", "docs"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".md"} and path.name != "test_consistency.py":
                yield path
    yield root / "README.md"


def test_every_claim_id_cited_in_code_and_docs_is_a_live_claim():
    """A docstring, comment or page that names a claim names one that exists."""
    live = set(REGISTRY)
    stale = {}
    for path in _sources():
        cited = set(_ID_LIKE.findall(path.read_text(encoding="utf-8"))) - _NOT_IDS
        if unknown := sorted(cited - live - set(RETIRED)):
            stale[path.name] = unknown
    assert not stale, stale


def test_every_claim_a_claim_uses_is_registered_and_not_itself():
    """`uses` links claims: each id must be a live claim, and no claim uses itself."""
    bad = {
        claim.id: [u for u in claim.uses if u not in REGISTRY or u == claim.id]
        for claim in REGISTRY.values()
    }
    assert not {k: v for k, v in bad.items() if v}, bad
    assert any(claim.uses for claim in REGISTRY.values())


def test_every_erratum_has_a_chinese_title_and_explanation():
    """The Chinese errata page shows each false-as-written claim in Chinese."""
    missing = [
        claim.id
        for claim in REGISTRY.values()
        if claim.expect == "false-as-written" and not (claim.title_zh and claim.erratum_zh)
    ]
    assert not missing, f"errata without title_zh and erratum_zh: {missing}"
    stray = [c.id for c in REGISTRY.values() if c.title_zh and c.expect != "false-as-written"]
    assert not stray, f"Chinese titles on claims that are not errata: {stray}"


def test_a_title_is_prose_with_tex_formulas_and_reads_as_plain_text():
    for c in claims():
        text = plain(c.title)
        assert not set(text) & set("\\${}"), f"{c.id}: {text!r}"
        assert c.title.count("$") % 2 == 0, c.id
