"""Conformance: the numeric claims of one kind, run against any implementation.

The same property functions give the numeric evidence of the implementation claims for
`softmax` itself and check someone else's function, e.g.::

    python -m derivations conform scipy.special:softmax --kind softmax

A function of kind softmax, log_softmax or logsumexp is called as ``f(z, axis=-1)`` when
it accepts `axis`, else row by row as ``f(row)``; cross_entropy as ``f(logits, labels)``
(mean over samples, integer labels); gradient as ``f(W, X, labels)``, the gradient of the
mean cross-entropy with respect to W (the descent direction).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import softmax
from derivations import families, reference
from derivations.evidence import Check

#: How a function of each kind is called (the module docstring says the same in prose).
CALLING = {
    "softmax": "f(z, axis=-1) if it takes axis, else f(row) for each row",
    "log_softmax": "f(z, axis=-1) if it takes axis, else f(row) for each row",
    "logsumexp": "f(z, axis=-1) if it takes axis, else f(row) for each row",
    "cross_entropy": "f(logits, labels): mean over samples, integer labels",
    "gradient": "f(W, X, labels): gradient of the mean cross-entropy in W (descent direction)",
}
KINDS = tuple(CALLING)
ULP_BOUND = 4  # the accuracy target of the production functions, in ulp


@dataclass(frozen=True)
class Property:
    claim: str
    kind: str
    name: str
    run: Callable[[Callable], Check]
    #: The input dtype the property is about ("float32", "float64"), or None for any.
    dtype: str | None = None


PROPERTIES: list[Property] = []


def prop(claim, kind, name, dtype=None):
    def deco(fn):
        PROPERTIES.append(Property(claim, kind, name, fn, dtype))
        return fn

    return deco


def rowwise(f):
    """Adapt `f` to be applied along the last axis of a 2-D array."""
    try:
        takes_axis = "axis" in inspect.signature(f).parameters
    except (TypeError, ValueError):  # builtins without a signature
        takes_axis = False
    if takes_axis:
        return lambda z: np.asarray(f(z, axis=-1))

    def one_row(row):
        try:
            return np.asarray(f(row))
        except (ValueError, IndexError):
            # A function of 2-D arrays only (e.g. scikit-learn's): a 1×M matrix has one
            # row, so whether it works along rows or on the whole array, the answer is it.
            return np.asarray(f(row[None, :]))[0]

    return lambda z: np.stack([one_row(row) for row in np.atleast_2d(z)])


_PART = {"softmax": 0, "log_softmax": 1, "logsumexp": 2}  # of reference.reference()


@functools.cache
def _exact(family, dtype):
    """A family's input and its 60-digit reference, computed once per process: the
    reference depends only on the (fixed-seed) input, never on the function under test."""
    z = families.generate(family, dtype)
    z.flags.writeable = False  # shared by every run: nobody may change it
    return z, reference.reference(z.astype(np.float64))


@functools.cache
def _prepared(family, dtype, kind):
    """The reference of `kind` on `family`, prepared once for vectorized ulp errors."""
    return reference.prepare(_exact(family, dtype)[1][_PART[kind]], dtype)


def _accuracy(kind, family, dtype):
    unit = "(1 + κ) ulp" if kind == "logsumexp" else "ulp"
    name = f"≤ {ULP_BOUND} {unit} on the {family} family, {np.dtype(dtype).name}"

    def run(f):
        z, exact_all = _exact(family, dtype)
        with np.errstate(all="ignore"):
            got = rowwise(f)(z.copy())  # a copy: f may work in place
        exact = _prepared(family, dtype, kind)
        err = reference.ulp_error(np.reshape(got, exact.hi.shape), exact, dtype)
        if kind == "logsumexp":
            # lse is ill-conditioned where it is near 0: κ = log1p(s)/|lse| amplifies the
            # rounding of m + log1p(s), so the error is measured in units of 1 + κ.
            err = err / (1 + reference.lse_condition(z, exact_all[2]))
        worst = float(np.max(err))
        detail = f"max error {worst:.3g} ulp vs mpmath (60 digits, log1p form)"
        if worst > ULP_BOUND:
            where = tuple(int(w) for w in np.unravel_index(int(np.argmax(err)), err.shape))
            value = np.reshape(got, exact.hi.shape)[where]
            detail += f"; worst at row, column {where}: got {value.item()!r} ({value.dtype})"
        return Check(name, worst <= ULP_BOUND, detail)

    return name, run


_ACCURACY_CLAIMS = {"softmax": "IMPL-2", "logsumexp": "IMPL-3", "log_softmax": "IMPL-4"}
for _kind, _claim in _ACCURACY_CLAIMS.items():
    for _family in families.FAMILIES:
        for _dtype in (np.float64, np.float32):
            name, check = _accuracy(_kind, _family, _dtype)
            PROPERTIES.append(Property(_claim, _kind, name, check, np.dtype(_dtype).name))


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
    from derivations.registry import load

    load()  # the section modules register properties too (IMPL-1, IMPL-5, IMPL-7, ...)
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


def project_checks(claim_id: str) -> list[Check]:
    """The properties of `claim_id` run on this project's function of each of their kinds
    (softmax, log_softmax, logsumexp)."""
    kinds = dict.fromkeys(p.kind for p in PROPERTIES if p.claim == claim_id)
    return [c for kind in kinds for c in checks_for(claim_id, getattr(softmax, kind), kind)]


def checks_for(claim_id: str, f: Callable, kind: str | None = None) -> list[Check]:
    """The properties evidencing `claim_id` (of `kind`, if given), run on `f`."""
    return [p.run(f) for p in PROPERTIES if p.claim == claim_id and kind in (None, p.kind)]
