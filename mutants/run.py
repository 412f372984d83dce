"""`make mutants`: run mutmut 3 over softmax/ and write mutants/report.md and report.json.

mutants/plan.toml splits softmax/ into groups, each a set of modules and the tests that judge
them. mutmut 3 keeps its mutated tree in ``./mutants/`` of the folder it runs in (which here
is the folder of the checked-in report) and one test selection per folder, so each group runs
in its own copy of the repository, build/mutmut/<group>/, kept between runs: mutmut reuses
its results for unchanged functions. Survivors named in mutants/equivalent.toml are counted
apart and left out of the score.

    python mutants/run.py [--groups "inputs model"] [--report-only]
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib
from collections import Counter
from pathlib import Path

import kernels  # mutants/kernels.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "mutmut"
HERE = ROOT / "mutants"
#: Checked in, one file per group: mutmut's verdicts (its .meta files) with the survivors'
#: diffs and the run's wall time, so that a fresh clone goes on from them and reports them.
SAVED = HERE / "results"
COPIED = ["softmax", "tests", "derivations", "docs", "benchmarks"]
COPIED_FILES = ["pyproject.toml", "README.md", "mkdocs.yml", "CITATION.cff"]


def plan():
    """The [[group]] and [[kernels]] tables of mutants/plan.toml, by name."""
    tables = tomllib.loads((HERE / "plan.toml").read_text())
    groups = [*tables["group"], *({**k, "kernels": True} for k in tables["kernels"])]
    return {g["name"]: g for g in groups}


def sync(group):
    """Refresh the group's copy of the repository; its [tool.mutmut] gets the group's choices."""
    work = BUILD / group["name"]
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPIED:
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(ROOT / name, work / name, ignore=ignore)
    for name in COPIED_FILES:
        shutil.copy2(ROOT / name, work / name)
    text = (ROOT / "pyproject.toml").read_text()
    config = tomllib.loads(text)["tool"]["mutmut"]
    config["only_mutate"] = group["modules"]
    config["pytest_add_cli_args_test_selection"] = group["tests"]
    config.update(group.get("mutmut", {}))  # the group's own settings, e.g. its timeout
    # Drop the [tool.mutmut] table and write it back with the choices of this run.
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[)", "", text)
    lines = ["[tool.mutmut]"] + [f"{k} = {json.dumps(v)}" for k, v in config.items()]
    (work / "pyproject.toml").write_text(text + "\n" + "\n".join(lines) + "\n")


def mutmut(group, *args, **kwargs):
    cwd = BUILD / group["name"]
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=cwd, **kwargs)


def results(group):
    """{mutant name: status} of the group's modules, from mutmut's .meta files."""
    if group.get("kernels"):
        # Every mutant of the modules; one whose source or tests changed since its result
        # (or that was never run) is not checked.
        done, out = kernels.results(), {}
        for module in group["modules"]:
            for m in kernels.mutants(module):
                entry = done.get(m.name, {})
                fresh = entry.get("hash") == kernels.fingerprint(m, group["tests"])
                out[m.name] = entry["status"] if fresh else "not checked"
        return out
    from mutmut.stats import status_by_exit_code

    saved = load(group)
    return {
        key: status_by_exit_code[code]
        for meta in saved.get("modules", {}).values()
        for key, code in meta["exit_code_by_key"].items()
    }


def load(group):
    path = SAVED / f"{group['name']}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save(group, **timing):
    """Copy mutmut's verdicts of the group's modules into mutants/results/<group>.json.

    A verdict stands while its function is unchanged, as in mutmut itself (which keeps it by
    the function's hash); survivors are run again against the current tests after each run.
    The survivors' diffs are kept too, since the mutated tree they are read from is not.
    """
    from mutmut.stats import status_by_exit_code

    work, saved = BUILD / group["name"], load(group)
    modules = {}
    for module in group["modules"]:
        meta = work / "mutants" / (module + ".meta")
        if meta.exists() and (work / "mutants" / module).exists():
            data = json.loads(meta.read_text())
            keep = ("hash_by_function_name", "exit_code_by_key")
            modules[module] = {k: data[k] for k in keep}
    if not modules:
        return  # nothing ran here: the checked-in verdicts stand
    diffs = {
        key: mutmut_diff(group, key)
        for meta in modules.values()
        for key, code in meta["exit_code_by_key"].items()
        if status_by_exit_code[code] not in (*FOUND, *UNCOUNTED)
    }
    if modules != saved.get("modules"):  # a run's time is known only where it finished
        saved.pop("seconds", None), saved.pop("commit", None)
    saved.update(modules=modules, diffs=diffs, **timing)
    SAVED.mkdir(exist_ok=True)
    text = json.dumps(saved, indent=1, sort_keys=True, ensure_ascii=False)
    (SAVED / f"{group['name']}.json").write_text(text + "\n")


def restore(group):
    """Write the checked-in verdicts back as mutmut's .meta files where it has none, so that
    mutmut runs only the mutants of changed functions and those never run."""
    for module, meta in load(group).get("modules", {}).items():
        path = BUILD / group["name"] / "mutants" / (module + ".meta")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            empty = dict(durations_by_key={}, estimated_durations_by_key={})
            path.write_text(json.dumps({**meta, **empty}, indent=1))


def percent(found, counted):
    """found / counted in %, rounded down to 0.1: one survivor never shows as 100 %."""
    return math.floor(1000 * found / counted) / 10 if counted else None


def module_of(name):
    # "softmax._params.x_names__mutmut_3", "softmax._tree.tree_sum__k4" -> "softmax/<m>.py"
    return "/".join(name.split(".")[:2]) + ".py"


@functools.cache
def _functions(path):
    """{name: source} of every function and method in a file of mutmut's mutated tree."""
    text = path.read_text()
    nodes = ast.walk(ast.parse(text))
    return {
        n.name: textwrap.dedent(ast.get_source_segment(text, n, padded=True))
        for n in nodes
        if isinstance(n, ast.FunctionDef)
    }


def mutmut_diff(group, name):
    """What `mutmut show` prints for a mutant, read from mutmut's mutated tree: the diff of
    the function's original copy against the mutant, both under the function's own name
    (a subprocess per survivor took seconds each on a busy machine)."""
    module = module_of(name)
    functions = _functions(BUILD / group["name"] / "mutants" / module)
    mangled = name.rsplit(".", 1)[1]
    base = mangled.rsplit("__mutmut_", 1)[0]
    plain = base.split("ǁ")[-1] if "ǁ" in base else base.removeprefix("x_")

    def named(text):
        return re.sub(rf"\b{re.escape(base)}__mutmut_\w+", plain, text).splitlines()

    orig, mutant = named(functions[base + "__mutmut_orig"]), named(functions[mangled])
    lines = difflib.unified_diff(orig, mutant, module, module, lineterm="")
    return "\n".join([f"# {name}", *lines])


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


def change(diff):
    """The lines a mutant removes and adds, stripped: what identifies it across renumbering."""
    body = [ln for ln in diff.splitlines() if not ln.startswith(("---", "+++"))]
    before = "\n".join(ln[1:].strip() for ln in body if ln.startswith("-"))
    after = "\n".join(ln[1:].strip() for ln in body if ln.startswith("+"))
    return before, after


def function_of(name):
    # "softmax._params.x_names__mutmut_3" -> "softmax._params.x_names" (and "__k<n>" likewise)
    return re.sub(r"__(mutmut_|k)\d+$", "", name)


def equivalents():
    """{(function, before, after): reason} of mutants/equivalent.toml.

    mutmut numbers a function's mutants afresh when the function changes, so an entry names
    its mutant by the function and the change, not by the number.
    """
    path = HERE / "equivalent.toml"
    entries = tomllib.loads(path.read_text()).get("mutant", []) if path.exists() else []
    return {(e["function"], e["before"], e["after"]): e["reason"] for e in entries}


def survivor(group, name, status, equivalent):
    """A survivor's record: where it is, its diff, and its reason if it is equivalent."""
    module = module_of(name)
    if group.get("kernels"):
        entry = kernels.results()[name]
        diff, where = entry["diff"].strip(), f"{module}:{entry['line']}"
    else:
        diff = load(group)["diffs"][name]
        where = located(diff, module)
    before, after, function = *change(diff), function_of(name)
    return dict(
        mutant=name,
        function=function,
        module=module,
        group=group["name"],
        status=status,
        where=where,
        before=before,
        after=after,
        diff=diff,
        equivalent=equivalent.get((function, before, after)),
    )


def unmatched(survivors):
    """The entries of equivalent.toml that name no survivor: their mutant is killed now, or
    its line changed, so the entry is out of date (tests/test_mutation_plan.py checks the
    checked-in report has none)."""
    named = {(s["function"], s["before"], s["after"]) for s in survivors}
    stale = [key for key in equivalents() if key not in named]
    return [dict(function=f, before=b, after=a) for f, b, a in stale]


#: mutmut's statuses that count as found: a timeout means the mutant hangs or slows the tests.
FOUND = ("killed", "timeout", "caught by type check", "segfault", "killed by numba's compiler")
#: Statuses that count as neither found nor missed.
UNCOUNTED = ("skipped", "not checked")


#: The statuses with a column of their own in the report.
SHOWN = ("killed", "survived", "no tests", "timeout")


def rows_of(status, survivors):
    """One row per module: the counts of each status and the score."""
    per_module = {}
    for name, st in status.items():
        per_module.setdefault(module_of(name), Counter())[st] += 1
    rows = []
    for module, c in sorted(per_module.items()):
        eq = sum(1 for s in survivors if s["module"] == module and s["equivalent"])
        found = sum(c[k] for k in FOUND)
        counted = sum(c.values()) - eq - sum(c[k] for k in UNCOUNTED)
        rows.append(
            dict(
                module=module,
                generated=sum(c.values()),
                found=found,
                killed=c["killed"],
                survived=c["survived"],
                no_tests=c["no tests"],
                timed_out=c["timeout"],
                not_run=sum(c[k] for k in UNCOUNTED),
                other={k: v for k, v in c.items() if k not in SHOWN},
                equivalent=eq,
                counted=counted,
                score=percent(found, counted),
            )
        )
    return rows


def collect(groups):
    """Every group's statuses and survivors, and the kernels' (mutants/kernels.py)."""
    equivalent = equivalents()
    status, survivors, runs = {}, [], []
    for group in groups:
        if not group.get("kernels"):
            save(group)  # what a stopped run got through counts too
        done = results(group)
        if not done:  # never run here: its modules have no row, so the group says so
            runs.append(dict(group=group["name"], tests=group["tests"], seconds=None, commit=None))
            continue
        status.update(done)
        if group.get("kernels"):  # the time of its mutants' runs, from kernels.py's results
            entries = kernels.results()
            seconds = round(sum(entries[n]["seconds"] for n in done if n in entries)) or None
            commit = None
        else:
            timed = load(group)
            seconds, commit = timed.get("seconds"), timed.get("commit")
        runs.append(dict(group=group["name"], tests=group["tests"], seconds=seconds, commit=commit))
        for name, st in sorted(done.items()):
            if st not in FOUND and st not in UNCOUNTED:
                survivors.append(survivor(group, name, st, equivalent))
    return status, survivors, runs


def report(groups):
    status, survivors, runs = collect(groups)
    rows = rows_of(status, survivors)
    found, counted = sum(r["found"] for r in rows), sum(r["counted"] for r in rows)
    total = percent(found, counted)
    stale = unmatched(survivors)
    data = dict(
        tool="mutmut 3.8.1",
        score=total,
        runs=runs,
        modules=rows,
        survivors=survivors,
        unmatched_equivalents=stale,
    )
    (HERE / "report.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    md = [
        "# Mutation testing report",
        "",
        "Written by `make mutants` (mutants/run.py, mutmut 3.8.1); do not edit by hand.",
        "",
        "Score: mutants found (killed, timed out, or refused by numba's compiler) as a percentage",
        "of the mutants that were run and are not listed as equivalent in",
        'mutants/equivalent.toml. The target is 95 %. "not run": mutants a run did not reach',
        "(it was stopped, or mutmut skipped them); they are left out of the score.",
        "",
        f"**All modules: {found} of {counted} found, {total} %.**",
        "",
        "| group | tests | wall time | at commit |",
        "| --- | --- | ---: | --- |",
    ]
    for r in runs:
        seconds = "– (stopped or never run)" if r["seconds"] is None else f"{r['seconds']} s"
        md.append(f"| {r['group']} | {' '.join(r['tests'])} | {seconds} | {r['commit'] or '–'} |")
    md += [
        "",
        "| module | generated | not run | found | survived | no tests | equivalent | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        score = "–" if r["score"] is None else f"{r['score']} %"
        md.append(
            f"| `{r['module']}` | {r['generated']} | {r['not_run']} | {r['found']} | "
            f"{r['survived']} | {r['no_tests']} | {r['equivalent']} | {score} |"
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
    md += ["", "## Entries of equivalent.toml that name no survivor (to remove)", ""]
    md += [f"- `{e['function']}`: `{e['before']}` -> `{e['after']}`" for e in stale] or ["None."]
    (HERE / "report.md").write_text("\n".join(md).rstrip() + "\n")
    print("\n".join(md[: md.index("## Survivors")]))
    if stale:
        print(f"{len(stale)} entries of equivalent.toml name no survivor; see report.md")


def run(group):
    """Run the group's mutants, then its survivors again; record the wall time."""
    start = time.monotonic()
    (BUILD / group["name"]).mkdir(parents=True, exist_ok=True)
    if group.get("kernels"):
        # mutants/kernels.py: mutmut's operators applied to the numba modules' source files.
        tests = ["--tests", " ".join(group["tests"])]
        modules = [arg for m in group["modules"] for arg in ("--module", m)]
        if subprocess.run([sys.executable, HERE / "kernels.py", *modules, *tests]).returncode:
            sys.exit(f"mutants/kernels.py failed in group {group['name']}")
        rerun = [sys.executable, HERE / "kernels.py", *modules, *tests, "--only"]
    else:
        sync(group)
        restore(group)
        # One child at a time: the machine's two cores are shared.
        if mutmut(group, "run", "--max-children", "1").returncode:
            sys.exit(f"mutmut failed in group {group['name']}")
        rerun = [sys.executable, "-m", "mutmut", "run", "--max-children", "1"]
    # A survivor's verdict is kept until its function changes; the tests may have changed
    # since, so the survivors are run again against the tests as they are now.
    equivalent = equivalents()
    survived = [k for k, v in results(group).items() if v == "survived"]
    again = [k for k in survived if not survivor(group, k, "survived", equivalent)["equivalent"]]
    if again and not group.get("kernels"):
        sync(group)  # tests written during a long run count too
    if again and subprocess.run([*rerun, *again], cwd=BUILD / group["name"]).returncode:
        sys.exit(f"rerunning the survivors of group {group['name']} failed")
    head = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(head, cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if group.get("kernels"):
        return  # mutants/kernels.py keeps its own results, each with its time
    save(group, seconds=round(time.monotonic() - start), commit=commit)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", default=os.environ.get("GROUPS", ""))
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    groups = plan()
    unknown = set(args.groups.split()) - set(groups)
    if unknown:
        sys.exit(f"--groups: no such group {sorted(unknown)}; plan.toml has {sorted(groups)}")
    if not args.report_only:
        for name in args.groups.split() or groups:
            run(groups[name])
    report(list(groups.values()))


if __name__ == "__main__":
    main()
