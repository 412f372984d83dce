"""Conformance: the numeric properties of one kind, run against any implementation.

The properties are owned by the claims (`Claim.properties`); `derivations.properties`
says how a function of each kind is called. For example::

    python -m derivations conform scipy.special:softmax --kind softmax
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np

from derivations.claim import KINDS, Property
from derivations.evidence import Check
from derivations.properties import CALLING
from derivations.registry import REGISTRY

__all__ = ["CALLING", "KINDS", "PROPERTIES", "assert_conforms", "load", "run"]

#: Every claim's properties, in the registry's order.
PROPERTIES: tuple[Property, ...] = tuple(p for c in REGISTRY.values() for p in c.properties)


def load(spec: str) -> Callable:
    """Import ``"package.module:function"``."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"expected MODULE:FUNCTION, got {spec!r}")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{spec} is not callable")
    return obj


def _selected(kind, dtypes, properties):
    """The properties of `kind` for `dtypes`, or those named in `properties` (by name or
    claim id); an unknown kind or property is a `ValueError` that lists the known ones."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    names = {np.dtype(d).name for d in dtypes} if dtypes is not None else None
    chosen = [
        p for p in PROPERTIES if p.kind == kind and (names is None or p.dtype in (None, *names))
    ]
    if properties is None:
        return chosen
    if isinstance(properties, str):
        properties = [properties]
    known = {p.name for p in chosen} | {p.claim for p in chosen}
    if unknown := [w for w in properties if w not in known]:
        raise ValueError(
            f"unknown properties for kind {kind!r}: {unknown}; known claim ids: "
            f"{sorted({p.claim for p in chosen})}, and names: {sorted({p.name for p in chosen})}"
        )
    return [p for p in chosen if p.name in properties or p.claim in properties]


def run(f: Callable, kind: str, *, dtypes=None, properties=None) -> list[tuple[Property, Check]]:
    """The properties of `kind` evaluated on `f`; a crash counts as a failed check.

    The command line (``conform``), the peers page and `assert_conforms` all run this.
    """
    results = []
    for p in _selected(kind, dtypes, properties):
        try:
            check = p.run(f)
        except Exception as exc:  # another library's failure is a finding, not a crash
            check = Check(p.name, False, f"raised {type(exc).__name__}: {exc}")
        results.append((p, check))
    return results


def assert_conforms(func, kind="softmax", *, dtypes=(np.float32, np.float64), properties=None):
    """Check `func` against the verified properties of `kind`, in anyone's test suite.

    Raises `AssertionError` listing every property that fails, with its claim id and its
    counterexample; returns None when all hold. `dtypes` picks the properties about those
    input dtypes (those about any dtype always run); `properties` narrows the run to
    property names or claim ids. A `func` that is not callable is a `TypeError`; an unknown
    `kind` or property is a `ValueError`.

    Examples
    --------
    >>> import scipy.special
    >>> from derivations import assert_conforms
    >>> assert_conforms(scipy.special.logsumexp, "logsumexp", properties=["IMPL-16"])
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    failures = [
        (p, c) for p, c in run(func, kind, dtypes=dtypes, properties=properties) if not c.passed
    ]
    if failures:
        name = getattr(func, "__qualname__", repr(func))
        count = f"{len(failures)} verified propert{'y' if len(failures) == 1 else 'ies'}"
        lines = [f"{name} ({kind}) fails {count}:"]
        lines += [f"  {p.claim}  {c.name}: {c.detail}" for p, c in failures]
        raise AssertionError("\n".join(lines))
