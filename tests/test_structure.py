"""The shape of the house (issue 10): no import cycle, sections that import only the
toolkit, and modules of at most 300 lines."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from derivations.claim import DECLARED
from derivations.outline import MODULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("softmax", "derivations", "benchmarks")
#: What a section module may import from `derivations`: the claim object and the toolkit.
TOOLKIT = {
    "derivations.claim",
    "derivations.digits",
    "derivations.evidence",
    "derivations.families",
    "derivations.matrices",
    "derivations.numeric",
    "derivations.proof",
    "derivations.properties",
    "derivations.reference",
    "derivations.sources",
    "derivations.sum_order",
    "derivations.symbolic",
    "derivations.symbols",
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULE_PATHS = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports anywhere in its file, inside functions too."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{name}: a relative import"  # the project's are absolute
            # `from a import b` imports module a.b when it is one, else a name of a
            targets = {
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULE_PATHS
                else node.module
                for alias in node.names
            }
        else:
            continue
        out |= {t for t in targets if t in MODULE_PATHS and t != name}
    return out


def _graph() -> dict[str, set[str]]:
    graph = {name: _imports(name, path) for name, path in MODULE_PATHS.items()}
    graph["derivations.registry"] |= set(MODULES)  # it imports the outline's modules by name
    return graph


def test_no_import_cycle_anywhere_function_level_imports_included():
    try:
        TopologicalSorter(_graph()).prepare()
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_a_section_imports_only_the_claim_object_and_the_toolkit():
    graph = _graph()
    for module in MODULES:
        ours = {m for m in graph[module] if m.startswith("derivations")}
        assert ours <= TOOLKIT, f"{module} imports {sorted(ours - TOOLKIT)}"


def test_every_section_module_is_in_the_outline_and_declares_claims():
    on_disk = {m for m in MODULE_PATHS if m.startswith("derivations.sections.")}
    assert on_disk == set(MODULES)
    assert all(DECLARED.get(m) for m in MODULES), [m for m in MODULES if not DECLARED.get(m)]


@pytest.mark.parametrize("name", sorted(MODULE_PATHS))
def test_a_module_has_at_most_300_lines(name):
    lines = MODULE_PATHS[name].read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"{name}: {lines} lines"
