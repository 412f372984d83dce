"""Mutation testing of the numba-jitted modules of softmax/, which mutmut 3 leaves out.

mutmut 3 never mutates a decorated function, and the trampoline it puts in place of each
function (picking the mutant by an environment variable at call time) is Python that numba
cannot compile. So `_kernels.py`, `_tree.py`, `_column_kernels.py`, `_residual_kernels.py`
and `_long_rows.py` get no mutants from `make mutants` (mutants/run.py). This runner makes
them the way mutmut 2 and cosmic-ray did: mutmut's own visitor, operators and pragmas
(`# pragma: no mutate`) generate the mutants, but each one is applied by rewriting the whole
source file, so numba compiles the mutated source, and the tests run once per mutant.

It runs in a copy of the repository, build/mutmut-kernels/, one mutant at a time; results
are kept in mutants/kernels-results.json (checked in) and a mutant runs again only when its
mutated source or the test selection changed. numba's cache of the copy is kept between mutants,
less the mutated module and the modules that import it (their cached code inlines it).

    python mutants/kernels.py --module softmax/_residual_kernels.py \\
        --tests "tests/test_loss_gradient.py" [--only NAME ...] [--list]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from mutmut.mutation import file_mutation
from mutmut.mutation.mutators import mutation_operators
from mutmut.mutation.pragma_handling import get_ignored_lines
from mutmut.utils.file_utils import change_cwd

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutmut-kernels"
#: Checked in: a mutant of _kernels.py or _tree.py costs a minute or two, so the results are
#: kept with the project and a later run goes on from them.
RESULTS = Path(__file__).resolve().parent / "kernels-results.json"
PRISTINE = WORK / "numba-cache" / "pristine"  # the unmutated sources, compiled
SCRATCH = WORK / "numba-cache" / "mutant"  # a mutant's run: pristine less what it touches


def working_in(folder):
    """Run in the copy `folder` (with its own numba caches) rather than WORK."""
    global WORK, PRISTINE, SCRATCH
    WORK, PRISTINE, SCRATCH = (
        folder,
        folder / "numba-cache" / "pristine",
        folder / "numba-cache" / "mutant",
    )


COPIED = ["softmax", "tests", "derivations", "docs", "benchmarks"]
COPIED_FILES = ["pyproject.toml", "README.md", "mkdocs.yml", "CITATION.cff"]
NUMBA = ["_kernels", "_tree", "_column_kernels", "_residual_kernels", "_long_rows"]
MODULES = [f"softmax/{stem}.py" for stem in NUMBA]
#: Statuses that count as found, as a timeout does in mutants/run.py.
FOUND = {"killed", "killed by numba's compiler", "timeout", "segfault"}
NUMBA_REFUSED = re.compile(r"numba\.core\.errors\.\w+|\b(TypingError|LoweringError|NumbaError)\b")


class _DecoratedToo(file_mutation.MutationVisitor):
    """mutmut's visitor, but a decorated function's body is mutated (its decorators are not).

    mutmut skips decorated functions because of its trampolines, which are not used here;
    the other reasons it skips a function (pragma, never-mutate names) still hold.
    """

    def _skip_node_and_children(self, node):
        skip = super()._skip_node_and_children(node)
        if not (skip and isinstance(node, cst.FunctionDef) and node.decorators):
            return skip
        position = self.get_metadata(PositionProvider, node, None)
        return (
            (position is not None and position.start.line in self._ignored_node_lines)
            or node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES
            or node in self._enum_creation_hooks
        )


@dataclass
class Mutant:
    name: str
    module: str
    line: int
    diff: str
    source: str


def mutants(module):
    """The mutants of `module` (a path relative to the repository), in mutmut's visit order."""
    code = (ROOT / module).read_text()
    wrapper = MetadataWrapper(cst.parse_module(code))
    with change_cwd(ROOT):  # mutmut reads its config (do_not_mutate_patterns) from ./pyproject
        ignored = get_ignored_lines(module, code, wrapper)
    visitor = _DecoratedToo(mutation_operators, ignored)
    tree = wrapper.visit(visitor)
    positions = wrapper.resolve(PositionProvider)
    prefix = module.removesuffix(".py").replace("/", ".")
    counts, out = Counter(), []
    for mutation in visitor.mutations:
        function = mutation.contained_by_top_level_function
        if function is None:
            continue  # module-level code: mutmut makes no mutant of it either
        counts[name := function.name.value] += 1
        source = file_mutation.deep_replace(tree, mutation.original_node, mutation.mutated_node)
        lines = code.splitlines(keepends=True), source.code.splitlines(keepends=True)
        diff = difflib.unified_diff(*lines, f"a/{module}", f"b/{module}", n=0)
        line = positions[mutation.original_node].start.line
        name = f"{prefix}.{name}__k{counts[name]}"
        out.append(Mutant(name, module, line, "".join(diff), source.code))
    return out


def results():
    """{mutant name: {status, seconds, line, diff, module, ...}} of every run so far."""
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def sync():
    """Refresh the copy of the repository in WORK (its numba cache and results stay)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    WORK.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.rmtree(WORK / name, ignore_errors=True)
        shutil.copytree(ROOT / name, WORK / name, ignore=ignore)
    for name in COPIED_FILES:
        shutil.copy2(ROOT / name, WORK / name)
    # numba checks only a function's own file: code cached with an inlined helper of another
    # module goes stale unnoticed when that module changes, so any change starts afresh.
    stamp = hashlib.sha256()
    for stem in NUMBA:  # they import no other module of softmax/
        stamp.update((ROOT / "softmax" / f"{stem}.py").read_bytes())
    stamp_file = PRISTINE.parent / "sources.sha256"
    if not stamp_file.exists() or stamp_file.read_text() != stamp.hexdigest():
        shutil.rmtree(PRISTINE, ignore_errors=True)
        PRISTINE.mkdir(parents=True)
        stamp_file.write_text(stamp.hexdigest())


def touched_by(module):
    """Stems of `module` and of every module of softmax/ that imports it, transitively."""
    imports = {}
    for path in (ROOT / "softmax").glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        imports[path.stem] = {n.removeprefix("softmax.") for n in found}
    touched = {Path(module).stem}
    while more := {m for m, names in imports.items() if names & touched} - touched:
        touched |= more
    return touched


def environment(cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    # The venv has /work/main installed editable: the copy's softmax has to come first.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WORK), env.get("PYTHONPATH")]))
    return env


def pytest(tests, cache, timeout=None):
    """(exit code or None on timeout, output, seconds) of the tests, in WORK."""
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    start = time.monotonic()
    # A session of its own, so that a timeout kills the tests' children as well.
    pipes = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    proc = subprocess.Popen(cmd, cwd=WORK, env=environment(cache), start_new_session=True, **pipes)
    try:
        out, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        code = None
    if code in (4, 5):  # a usage error or no test collected: the selection is wrong
        sys.exit(f"pytest exit code {code} for {' '.join(tests)}:\n{out[-3000:]}")
    return code, out, time.monotonic() - start


def status_of(code, out):
    if code is None:
        return "timeout"
    if code == 0:
        return "survived"
    if code == -signal.SIGSEGV:
        return "segfault"  # boundscheck is off: a mutated index can write out of bounds
    return "killed by numba's compiler" if NUMBA_REFUSED.search(out) else "killed"


def run(module, tests, todo, done):
    """Run the mutants `todo` of `module`, recording each in `done` (and RESULTS) at once."""
    cmd = [sys.executable, "-c", "import softmax; print(softmax.__file__)"]
    env = environment(PRISTINE)
    where = subprocess.run(cmd, cwd=WORK, env=env, capture_output=True, text=True)
    if not Path(where.stdout.strip()).is_relative_to(WORK):
        sys.exit(f"the tests would import softmax from {where.stdout or where.stderr}")
    target, stale = WORK / module, touched_by(module)
    # The clean run is a mutant that changes nothing: it compiles what a mutant recompiles, so
    # its time is a mutant's, and what it compiles is then kept as the unmutated code.
    code, out, clean = pytest(tests, scratch(stale))
    if code:
        sys.exit(f"the tests fail without a mutant:\n{out[-3000:]}")
    # numba's cache folder is named after the source folder (the copy's softmax/); a module
    # of inlined helpers (_tree) has no entry of its own, only in the modules that import it.
    cached = SCRATCH / f"softmax_{hashlib.sha1(str(target.parent).encode()).hexdigest()}"
    if not any(f.name.split(".")[0] in stale for f in cached.glob("*.nbi")):
        sys.exit(f"the tests {' '.join(tests)} never compile {module} (in the copy)")
    shutil.copytree(SCRATCH, PRISTINE, dirs_exist_ok=True)
    limit = max(10 * clean, clean + 120)
    print(f"{module}: clean run {clean:.0f} s, timeout {limit:.0f} s, {len(todo)} to run")
    original = target.read_bytes()
    for i, mutant in enumerate(todo, 1):
        cache = scratch(stale)
        try:
            target.write_text(mutant.source)
            _forget_bytecode(target)  # a same-size rewrite within a second fools .pyc checks
            code, out, seconds = pytest(tests, cache, limit)
        finally:
            target.write_bytes(original)
            _forget_bytecode(target)
        status = status_of(code, out)
        info = dict(line=mutant.line, diff=mutant.diff, module=module)
        done[mutant.name] = dict(status=status, seconds=round(seconds, 1), **info)
        done[mutant.name].update(tests=tests, hash=fingerprint(mutant, tests))
        save(done, entries=[mutant.name])
        print(f"[{i}/{len(todo)}] {mutant.name} (line {mutant.line}): {status}, {seconds:.0f} s")


def scratch(stale):
    """A fresh numba cache for one run: the unmutated code less the modules `stale`."""
    shutil.rmtree(SCRATCH, ignore_errors=True)
    shutil.copytree(
        PRISTINE, SCRATCH, ignore=lambda _, ns: [n for n in ns if n.split(".")[0] in stale]
    )
    return SCRATCH


def _forget_bytecode(path):
    for pyc in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        pyc.unlink()


def fingerprint(mutant, tests):
    return hashlib.sha256("\0".join([mutant.source, *tests]).encode()).hexdigest()


def save(done, entries=(), drop=()):
    """Write `entries` (names) of `done` into RESULTS and remove the names `drop`, keeping
    what other runners wrote there meanwhile; `done` is brought up to date with the file."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS.with_suffix(".lock"), "w") as lock, contextlib.ExitStack() as stack:
        fcntl.flock(lock, fcntl.LOCK_EX)  # runners in other --work folders share RESULTS
        stack.callback(fcntl.flock, lock, fcntl.LOCK_UN)
        mine = {name: done[name] for name in entries}
        done.clear()
        done.update({k: v for k, v in results().items() if k not in drop}, **mine)
        partial = RESULTS.with_suffix(".partial")
        partial.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n")
        partial.replace(RESULTS)  # never a half-written file


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", help="default: every numba module")
    parser.add_argument("--tests", default="", help="pytest arguments, space-separated")
    parser.add_argument("--only", nargs="+", default=[], help="run these mutants only")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument(
        "--work",
        type=Path,
        default=WORK,
        help=f"the copy to run in (default {WORK.relative_to(ROOT)}); a second runner, on "
        "another module, needs a folder of its own",
    )
    args = parser.parse_args()
    working_in(args.work.resolve())
    tests, found = args.tests.split(), {m: mutants(m) for m in args.module or MODULES}
    if not (args.list or tests):
        parser.error("--tests is required to run mutants")
    if unknown := set(args.only) - {m.name for ms in found.values() for m in ms}:
        parser.error(f"no such mutant: {' '.join(sorted(unknown))}")
    done = results()
    for module, ms in found.items():
        if args.list:
            for m in ms:
                change = [ln for ln in m.diff.splitlines()[2:] if not ln.startswith("@@")]
                print(f"{m.name}  line {m.line}  " + " | ".join(x.strip() for x in change))
            print(f"{module}: {len(ms)} mutants")
            continue
        names = {m.name for m in ms}
        # Mutants that no longer exist (the module changed) leave the results.
        save(done, drop={k for k, v in done.items() if v["module"] == module and k not in names})
        # --only runs the named mutants again (mutants/run.py rechecks survivors this way);
        # otherwise a mutant runs when its source or the test selection changed.
        todo = [
            m
            for m in ms
            if m.name in args.only
            or (not args.only and done.get(m.name, {}).get("hash") != fingerprint(m, tests))
        ]
        if todo:
            sync()
            run(module, tests, todo, done)
        summary = Counter(done[n]["status"] if n in done else "not run" for n in names)
        hits = sum(summary[s] for s in FOUND)
        print(f"{module}: {len(ms)} mutants, {hits} found, {dict(sorted(summary.items()))}")
        for name in sorted(n for n in names if done.get(n, {}).get("status") == "survived"):
            print(f"survived: {name}\n{done[name]['diff']}")


if __name__ == "__main__":
    main()
