"""The mutation-testing page renders mutants/report.json (`derivations.pages_mutation`)."""

from __future__ import annotations

import json
import re

from derivations.pages_mutation import REPORT, mutation_page


def _module(name, generated, not_run, found, survived, equivalent):
    counted = generated - not_run - equivalent
    score = round(100 * found / counted, 1) if counted else None
    return dict(
        module=name,
        generated=generated,
        not_run=not_run,
        found=found,
        survived=survived,
        equivalent=equivalent,
        counted=counted,
        score=score,
    )


def _survivor(mutant, before, after, equivalent=None):
    return dict(
        mutant=mutant, where="softmax/a.py:3", before=before, after=after, equivalent=equivalent
    )


REPORT_OF_TWO = {
    "tool": "mutmut 3.8.1",
    "score": 94.9,
    "runs": [{"group": "g", "tests": ["tests/test_a.py"], "seconds": None, "commit": None}],
    "modules": [
        _module("softmax/a.py", 50, 10, 36, 2, 1),
        _module("softmax/b.py", 20, 0, 20, 0, 0),
    ],
    "survivors": [
        _survivor("softmax.a.x_f__mutmut_1", "y = a | b", "y = a & b"),
        _survivor("softmax.a.x_f__mutmut_2", "k = 1", "k = 2", equivalent="k is unused | dead"),
    ],
}


def test_the_headline_is_found_over_counted_and_says_what_was_not_run(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(REPORT_OF_TWO))
    page = mutation_page(path)
    # 36 + 20 found of (50 - 10 - 1) + 20 counted: 94.9 %, under the 95 % target.
    assert '!!! warning "56 of 59 mutants found: 94.9 % (target 95 %)"' in page
    assert "10 mutants are not run yet" in page
    assert "| `softmax/a.py` | 50 | 10 | 36 | 2 | 1 | 92.3 % |" in page
    assert "| g | `tests/test_a.py` | stopped | – |" in page


def test_survivors_and_equivalents_are_listed_apart_with_pipes_escaped(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(REPORT_OF_TWO))
    page = mutation_page(path)
    wanted = page[page.index("## Survivors that want a test") : page.index("## Equivalent")]
    assert "softmax.a.x_f__mutmut_1" in wanted and "mutmut_2" not in wanted
    assert "`y = a | b` → `y = a & b`" in wanted  # a code span's pipe is not a column break
    assert r"| `k = 1` → `k = 2` | k is unused \| dead |" in page


def test_a_missing_report_is_said_so(tmp_path):
    assert "`make mutants` has written no report." in mutation_page(tmp_path / "none.json")


def test_the_checked_in_report_is_rendered_with_its_own_totals():
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    found = sum(m["found"] for m in report["modules"])
    counted = sum(m["counted"] for m in report["modules"])
    headline = re.search(r'"(\d+) of (\d+) mutants found: ([\d.]+) %', mutation_page())
    assert headline.groups()[:2] == (str(found), str(counted))
    # The score is rounded down to 0.1 %: never above found / counted.
    assert (
        float(headline.group(3)) == report["score"] <= 100 * found / counted < report["score"] + 0.1
    )
