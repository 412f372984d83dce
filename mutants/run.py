"""`make mutants`: run mutmut 3 over softmax/ and write mutants/report.md and report.json.

mutmut 3 keeps its mutated tree in ``./mutants/`` of the folder it runs in, which here is the
folder of the checked-in report, so it runs in a copy of the repository under build/mutmut/
(kept between runs: mutmut reuses its results for unchanged functions). Survivors named in
mutants/equivalent.toml are counted apart and left out of the score.

    python mutants/run.py [--modules "softmax/_params.py softmax/_validate.py"]
                          [--tests "tests/test_model.py softmax"] [--report-only]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutmut"
HERE = ROOT / "mutants"
COPIED = ["softmax", "tests", "derivations", "docs", "benchmarks"]
COPIED_FILES = ["pyproject.toml", "README.md", "mkdocs.yml", "CITATION.cff"]


def sync(modules, tests):
    """Refresh the copy of the repository in WORK; its [tool.mutmut] gets MODULES and TESTS."""
    WORK.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPIED:
        shutil.rmtree(WORK / name, ignore_errors=True)
        shutil.copytree(ROOT / name, WORK / name, ignore=ignore)
    for name in COPIED_FILES:
        shutil.copy2(ROOT / name, WORK / name)
    text = (ROOT / "pyproject.toml").read_text()
    config = tomllib.loads(text)["tool"]["mutmut"]
    if modules:
        config["only_mutate"] = modules
    if tests:
        config["pytest_add_cli_args_test_selection"] = [
            *tests,
            "--ignore=tests/test_docs_browser.py",
        ]
    # Drop the [tool.mutmut] table and write it back with the choices of this run.
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[)", "", text)
    lines = ["[tool.mutmut]"] + [f"{k} = {json.dumps(v)}" for k, v in config.items()]
    (WORK / "pyproject.toml").write_text(text + "\n" + "\n".join(lines) + "\n")


def mutmut(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=WORK, **kwargs)


def results():
    """{mutant name: status} over every mutated file, from mutmut's .meta files."""
    from mutmut.stats import status_by_exit_code

    out = {}
    for meta in sorted((WORK / "mutants" / "softmax").glob("*.py.meta")):
        data = json.loads(meta.read_text())
        for key, code in data.get("exit_code_by_key", {}).items():
            out[key] = status_by_exit_code[code]
    return out


def module_of(name):
    # "softmax._params.x_names__mutmut_3" -> "softmax/_params.py"
    return name.split(".x")[0].replace(".", "/") + ".py"


def located(diff, module):
    """file:line of the first changed line of a `mutmut show` diff, read against the source."""
    removed = [
        ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")
    ]
    source = (ROOT / module).read_text().splitlines()
    for same in (str.__eq__, lambda a, b: a.strip() == b.strip()):  # methods come dedented
        for wanted in removed:
            for i, line in enumerate(source, 1):
                if same(line, wanted):
                    return f"{module}:{i}"
    return module


def equivalents():
    path = HERE / "equivalent.toml"
    if not path.exists():
        return {}
    return {e["mutant"]: e["reason"] for e in tomllib.loads(path.read_text()).get("mutant", [])}


def report(modules, seconds):
    status = results()
    if modules:
        status = {k: v for k, v in status.items() if module_of(k) in modules}
    equivalent = equivalents()
    per_module = {}
    for name, st in status.items():
        per_module.setdefault(module_of(name), Counter())[st] += 1
    survivors = []
    for name, st in sorted(status.items()):
        if st not in ("survived", "no tests", "suspicious", "timeout", "segfault"):
            continue
        if st == "timeout":
            continue  # a timeout counts as found (the mutant hangs or slows the tests)
        diff = mutmut("show", name, capture_output=True, text=True).stdout.strip()
        survivors.append(
            dict(
                mutant=name,
                module=module_of(name),
                status=st,
                where=located(diff, module_of(name)),
                diff=diff,
                equivalent=equivalent.get(name),
            )
        )
    rows = []
    for module, c in sorted(per_module.items()):
        eq = sum(1 for s in survivors if s["module"] == module and s["equivalent"])
        found = c["killed"] + c["timeout"] + c["caught by type check"] + c["segfault"]
        total = sum(c.values())
        counted = total - eq - c["skipped"] - c["not checked"]
        rows.append(
            dict(
                module=module,
                generated=total,
                killed=c["killed"],
                survived=c["survived"],
                no_tests=c["no tests"],
                timed_out=c["timeout"],
                other={
                    k: v
                    for k, v in c.items()
                    if k not in ("killed", "survived", "no tests", "timeout")
                },
                equivalent=eq,
                score=round(100 * found / counted, 1) if counted else None,
            )
        )
    data = dict(tool="mutmut 3.8.1", seconds=round(seconds), modules=rows, survivors=survivors)
    (HERE / "report.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    md = [
        "# Mutation testing report",
        "",
        "Written by `make mutants` (mutants/run.py, mutmut 3.8.1); do not edit by hand.",
        f"Wall time of the run: {round(seconds)} s.",
        "",
        "Score: mutants killed (or timed out) as a percentage of the mutants that are not listed",
        "as equivalent in mutants/equivalent.toml. The target is 95 %.",
        "",
        "| module | generated | killed | survived | no tests | timed out | equivalent | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        score = "–" if r["score"] is None else f"{r['score']} %"
        md.append(
            f"| `{r['module']}` | {r['generated']} | {r['killed']} | {r['survived']} | "
            f"{r['no_tests']} | {r['timed_out']} | {r['equivalent']} | {score} |"
        )
    for title, keep in (("Survivors", False), ("Equivalent survivors (not counted)", True)):
        picked = [s for s in survivors if bool(s["equivalent"]) == keep]
        md += ["", f"## {title}", ""]
        if not picked:
            md.append("None.")
        for s in picked:
            md += [f"### `{s['mutant']}` ({s['status']}) at {s['where']}", ""]
            if s["equivalent"]:
                md += [f"Equivalent: {s['equivalent']}", ""]
            md += ["```diff", s["diff"], "```", ""]
    (HERE / "report.md").write_text("\n".join(md).rstrip() + "\n")
    print("\n".join(md[: 10 + len(rows)]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", default=os.environ.get("MODULES", ""))
    parser.add_argument("--tests", default=os.environ.get("TESTS", ""))
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    modules, tests = args.modules.split(), args.tests.split()
    start = time.monotonic()
    if not args.report_only:
        sync(modules, tests)
        # One child at a time: the machine's two cores are shared.
        run = mutmut("run", "--max-children", "1")
        if run.returncode:
            sys.exit(run.returncode)
    report(modules, time.monotonic() - start)


if __name__ == "__main__":
    main()
