"""The mutation-testing page: the last `make mutants` report (mutants/report.json), rendered.

The report is written by mutants/run.py from mutmut's verdicts and mutants/kernels.py's,
both checked in with the project, so the page shows the runs it was computed from: each
module's counts, the runs with their commits, every survivor that wants a test, and every
mutant listed as equivalent with its reason. Mutants that a stopped run did not reach are
shown as not run, never as found.
"""

from __future__ import annotations

import json
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "mutants" / "report.json"
#: The share of non-equivalent mutants that the tests must find (issue 11).
TARGET = 95.0

_HEAD = [
    "# Mutation testing",
    "",
    "Would the tests notice a wrong production function? `make mutants` changes one "
    "operator, constant or argument of `softmax/` at a time (mutmut's operators; the numba "
    "kernels by `mutants/kernels.py`, which applies the same operators to their source) and "
    "runs the tests that judge that module. A mutant is *found* when a test fails, the run "
    "times out, or numba refuses to compile it. A mutant no test could tell from the "
    "original is listed in `mutants/equivalent.toml` with its reason and left out of the "
    "score; so is a mutant that a stopped run never reached.",
    "",
]


def mutation_page(path: Path = REPORT) -> str:
    """Markdown of the report at `path`, or a warning that there is none."""
    if not path.exists():
        return "\n".join([*_HEAD, "!!! warning", "    `make mutants` has written no report."])
    r = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join(
        [*_HEAD, *_total(r), *_modules(r), *_runs(r), *_survivors(r), *_equivalents(r)]
    )


def _total(r) -> list[str]:
    found = sum(m["found"] for m in r["modules"])
    counted = sum(m["counted"] for m in r["modules"])
    not_run = sum(m["not_run"] for m in r["modules"])
    score = r["score"]  # rounded down by mutants/run.py, so a survivor never shows 100 %
    kind = "success" if score is not None and score >= TARGET else "warning"
    lines = [
        f'!!! {kind} "{found} of {counted} mutants found: {score} % (target {TARGET:g} %)"',
        f"    Report of {r['tool']} and mutants/kernels.py.",
    ]
    if not_run:
        lines[-1] += (
            f" {not_run} mutants are not run yet (a stopped run did not reach them); they "
            "are not in the score."
        )
    return [*lines, ""]


def _modules(r) -> list[str]:
    rows = [
        "## By module",
        "",
        "| module | mutants | not run | found | survived | equivalent | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in r["modules"]:
        score = "–" if m["score"] is None else f"{m['score']} %"
        rows.append(
            f"| `{m['module']}` | {m['generated']} | {m['not_run']} | {m['found']} | "
            f"{m['survived']} | {m['equivalent']} | {score} |"
        )
    return [*rows, ""]


def _runs(r) -> list[str]:
    rows = [
        "## Runs",
        "",
        "Each group of `mutants/plan.toml` runs its own test files; the time is that of its "
        "last finished run, at the commit shown.",
        "",
        "| group | tests | time | commit |",
        "| --- | --- | ---: | --- |",
    ]
    for run in r["runs"]:
        tests = " ".join(f"`{t}`" for t in run["tests"])
        time = "stopped" if run["seconds"] is None else f"{run['seconds']} s"
        rows.append(f"| {run['group']} | {tests} | {time} | {run['commit'] or '–'} |")
    return [*rows, ""]


def _cell(text: str) -> str:
    """`text` in a table cell: its pipes are not column breaks."""
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    """`text` as inline code in a table cell (backticks in it fenced by two). A pipe in a
    code span is code to Python-Markdown's tables, and an escape there would show."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _change(s) -> str:
    return f"{_code(s['before'])} → {_code(s['after'])}"


def _survivors(r) -> list[str]:
    left = [s for s in r["survivors"] if not s["equivalent"]]
    lines = ["## Survivors that want a test", ""]
    if not left:
        return [*lines, "None.", ""]
    lines += ["| mutant | where | change |", "| --- | --- | --- |"]
    lines += [f"| `{s['mutant']}` | {s['where']} | {_change(s)} |" for s in left]
    return [*lines, ""]


def _equivalents(r) -> list[str]:
    same = [s for s in r["survivors"] if s["equivalent"]]
    lines = [
        "## Equivalent mutants",
        "",
        f"{len(same)} survivors change no result that any input can show; each reason is "
        "from `mutants/equivalent.toml`.",
        "",
        "| where | change | reason |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {s['where']} | {_change(s)} | {_cell(s['equivalent'])} |" for s in same]
    return [*lines, ""]
