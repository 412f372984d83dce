"""Two-way links between claims, production code and tests (issue 10, GUIDE rule 10).

A claim names its production objects; each of them cites the claim in its docstring, and
no docstring in `softmax` cites a claim that does not name its object. A test that checks
a claim carries the claim's id, in a ``claim`` marker or in its parametrized ids, and
every claim is carried by some test. So ``grep -rn ID`` reaches a claim's declaration,
its production code and its tests.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import softmax
from derivations.claim import dotted
from derivations.registry import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
_ID = re.compile(r"\b[A-Z]+-\d+\b")


def _unwrapped(obj):
    return getattr(obj, "py_func", obj)  # a numba dispatcher's Python function


def _documented():
    """Every module, class, function and method of `softmax`, by its dotted name, with the
    object its docstring belongs to (a method's is its class's)."""
    for info in pkgutil.walk_packages(softmax.__path__, "softmax."):
        module = importlib.import_module(info.name)
        yield info.name, module
        for name, obj in vars(module).items():
            obj = _unwrapped(obj)
            if getattr(obj, "__module__", None) != info.name:
                continue  # imported from elsewhere: checked where it is defined
            if inspect.isclass(obj):
                yield f"{info.name}.{name}", obj
                for attr, member in vars(obj).items():
                    member = getattr(member, "__func__", member)
                    if inspect.isfunction(member):  # a method belongs to its class
                        yield f"{info.name}.{name}.{attr}", obj
            elif inspect.isfunction(obj):
                yield f"{info.name}.{name}", obj


def _owners():
    """id(object) -> the claims that name it as production code."""
    owners = {}
    for claim in REGISTRY.values():
        for obj in claim.implementation:
            owners.setdefault(id(_unwrapped(obj)), set()).add(claim.id)
    return owners


def _resolve(name):
    """The object a dotted name imports as: the longest module prefix, then attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def test_claims_name_their_production_code_by_object_under_its_import_name():
    for claim in REGISTRY.values():
        for obj in claim.implementation:
            assert not isinstance(obj, str), (claim.id, obj)
            assert _resolve(dotted(obj)) is obj, (claim.id, dotted(obj))


def test_a_docstring_cites_only_the_claims_that_name_its_object():
    owners, wrong = _owners(), {}
    for name, obj in _documented():
        doc = inspect.getdoc(_resolve(name)) or ""
        cited = set(_ID.findall(doc)) & set(REGISTRY)
        if stray := cited - owners.get(id(obj), set()):
            wrong[name] = sorted(stray)
    assert not wrong, f"docstrings citing claims that do not name their object: {wrong}"


def test_every_production_object_cites_the_claims_that_name_it():
    missing = {}
    for claim in REGISTRY.values():
        for obj in claim.implementation:
            if claim.id not in _ID.findall(inspect.getdoc(_unwrapped(obj)) or ""):
                missing.setdefault(dotted(obj), []).append(claim.id)
    assert not missing, f"production objects not citing the claims that check them: {missing}"


def _marked(decorators, literals) -> set[str]:
    """Claim ids in ``pytest.mark.claim(...)`` and ``pytest.mark.parametrize(...)``, the
    latter's literal or named by a module-level constant of the test file (`literals`)."""
    ids = set()
    for deco in decorators:
        text = ast.unparse(deco)
        if text.startswith(("pytest.mark.claim(", "pytest.mark.parametrize(")):
            ids |= set(_ID.findall(text))
            for name in ast.walk(deco):
                if isinstance(name, ast.Name):
                    ids |= literals.get(name.id, set())
    return ids


def _tests():
    """(file, test name, ids it carries, ids its body cites) for every test function, and
    (file, "(module docstring)", ids the module carries, ids its docstring cites)."""
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_ids, literals = set(), {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "pytestmark":
                module_ids |= set(_ID.findall(ast.unparse(node.value)))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple | ast.List):
                ids = {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
                literals[ast.unparse(node.targets[0])] = ids & set(REGISTRY)
        docstring = set(_ID.findall(ast.get_docstring(tree) or "")) & set(REGISTRY)
        yield path.name, "(module docstring)", module_ids, docstring
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                carried = module_ids | _marked(node.decorator_list, literals)
                body = "\n".join(ast.unparse(s) for s in node.body)
                yield path.name, node.name, carried, set(_ID.findall(body)) & set(REGISTRY)


def test_a_test_that_names_a_claim_carries_its_id():
    uncarried = {
        f"{file}::{name}": sorted(cited - carried)
        for file, name, carried, cited in _tests()
        if cited - carried
    }
    assert not uncarried, f"tests citing claims without carrying their ids: {uncarried}"


def test_every_claim_is_carried_by_a_test_and_every_carried_id_is_live():
    carried = set().union(*(ids for _, _, ids, _ in _tests()))
    assert not set(REGISTRY) - carried, sorted(set(REGISTRY) - carried)
    assert not carried - set(REGISTRY), sorted(carried - set(REGISTRY))


@pytest.mark.parametrize("claim_id", ["GRAD-6", "IMPL-8"])
def test_one_grep_reaches_the_declaration_production_code_and_tests(claim_id):
    hits = {
        path.relative_to(ROOT).parts[0]
        for folder in ("derivations", "softmax", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(rf"\b{claim_id}\b", path.read_text(encoding="utf-8"))
    }
    assert hits == {"derivations", "softmax", "tests"}
    declared = REGISTRY[claim_id].module.replace(".", "/") + ".py"
    assert f'id="{claim_id}"' in (ROOT / declared).read_text(encoding="utf-8")
