"""The Markdown the docs hook generates for claim pages (`derivations.pages`)."""

from __future__ import annotations

import pytest

from derivations import claims, evaluate
from derivations.pages import MAX_LATEX, _inline, section_page


def test_each_production_object_is_rendered_once_per_section_page():
    # Seven claims of the definition section check softmax.softmax; its docstring and
    # source appear once, and the later claims link to the first.
    outcomes = [evaluate(c) for c in claims() if c.section == "definition"]
    page = section_page("definition", outcomes)
    first = next(o.claim.id for o in outcomes if "softmax.softmax" in o.claim.names)
    assert page.count("::: softmax.softmax") == 1
    assert page.count(f"shown with [{first}](#{first})") >= 2


@pytest.mark.claim("SUM-5")
def test_latex_too_long_to_typeset_points_to_the_cli_instead():
    assert _inline("x" * MAX_LATEX, "SUM-5") == "$" + "x" * MAX_LATEX + "$"
    long = _inline("x" * (MAX_LATEX + 1), "SUM-5")
    assert "$" not in long and "`python -m derivations show SUM-5`" in long
