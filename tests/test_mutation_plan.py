"""`make mutants` covers softmax/: mutants/plan.toml puts every module in exactly one group,
the numba modules in the groups of mutants/kernels.py (which pyproject keeps from mutmut),
and mutants/equivalent.toml gives each equivalent mutant a reason once."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = tomllib.loads((ROOT / "mutants" / "plan.toml").read_text())
EQUIVALENT = tomllib.loads((ROOT / "mutants" / "equivalent.toml").read_text())["mutant"]
MUTMUT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]


def _modules(kind):
    return [m for group in PLAN[kind] for m in group["modules"]]


def test_every_module_of_the_package_is_in_exactly_one_group():
    package = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "softmax").glob("*.py"))
    planned = _modules("group") + _modules("kernels")
    assert sorted(planned) == package


def test_the_numba_modules_are_mutated_by_the_kernel_runner_not_by_mutmut():
    assert sorted(_modules("kernels")) == sorted(MUTMUT["do_not_mutate"])
    source = {m: (ROOT / m).read_text() for m in _modules("group") + _modules("kernels")}
    assert all("numba.njit" in source[m] for m in _modules("kernels"))
    assert not any("numba.njit" in source[m] for m in _modules("group"))


def test_every_group_runs_tests_that_exist():
    for group in PLAN["group"] + PLAN["kernels"]:
        assert group["tests"], group["name"]
        paths = [t.split("::")[0] for t in group["tests"] if not t.startswith("--")]
        assert all((ROOT / t).exists() for t in paths), group["name"]


def test_each_equivalent_mutant_is_listed_once_with_a_reason():
    keys = [(e["function"], e["before"], e["after"]) for e in EQUIVALENT]
    assert len(keys) == len(set(keys))
    assert all(e["reason"].strip() and e["before"] != e["after"] for e in EQUIVALENT)


def test_every_equivalent_entry_names_a_survivor_of_the_checked_in_report():
    """An entry whose mutant is now killed, or whose line changed, claims an equivalence
    that nothing shows any more: the report lists such entries, and there must be none."""
    report = json.loads((ROOT / "mutants" / "report.json").read_text())
    named = {(s["function"], s["before"], s["after"]) for s in report["survivors"]}
    stale = [e for e in EQUIVALENT if (e["function"], e["before"], e["after"]) not in named]
    assert stale == []
    assert report["unmatched_equivalents"] == []
