"""Numeric properties of a kind of function: how each kind is called, the accuracy properties.

A property (`derivations.claim.Property`) is owned by a claim and runs on any
implementation of its kind: the claim's numeric evidence runs it on this project's
function (`PROJECT`), `derivations.conform` on anyone's. A function of kind softmax,
log_softmax or logsumexp is called as ``f(z, axis=-1)`` when it accepts `axis`, else row
by row as ``f(row)``; cross_entropy as ``f(logits, labels)`` (mean over samples, integer
labels); gradient as ``f(W, X, labels)``, the gradient of the mean cross-entropy with
respect to W (the descent direction).
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

import softmax
from derivations import families, reference
from derivations.claim import KINDS, Property
from derivations.evidence import Check

#: How a function of each kind is called (the module docstring says the same in prose).
CALLING = {
    "softmax": "f(z, axis=-1) if it takes axis, else f(row) for each row",
    "log_softmax": "f(z, axis=-1) if it takes axis, else f(row) for each row",
    "logsumexp": "f(z, axis=-1) if it takes axis, else f(row) for each row",
    "cross_entropy": "f(logits, labels): mean over samples, integer labels",
    "gradient": "f(W, X, labels): gradient of the mean cross-entropy in W (descent direction)",
}
assert tuple(CALLING) == KINDS
ULP_BOUND = 4  # the accuracy target of the production functions, in ulp

#: This project's function of each kind, by its name in `softmax`: the one a claim's
#: properties are evidence for (looked up when they run, so a swapped one is what runs).
PROJECT = {
    "softmax": "softmax",
    "log_softmax": "log_softmax",
    "logsumexp": "logsumexp",
    "cross_entropy": "cross_entropy",
    "gradient": "cross_entropy_grad",
}


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


def _accuracy(kind, family, dtype) -> Property:
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

    return Property(kind, name, run, np.dtype(dtype).name)


def accuracy(kind: str) -> tuple[Property, ...]:
    """Within `ULP_BOUND` ulp of the 60-digit reference on every input family, float64 and
    float32 (logsumexp in units of 1 + κ, its condition number)."""
    return tuple(
        _accuracy(kind, family, dtype)
        for family in families.FAMILIES
        for dtype in (np.float64, np.float32)
    )


def project_checks(properties) -> list[Check]:
    """`properties` run on this project's function of each of their kinds, kind by kind in
    the order the kinds first appear."""
    kinds = dict.fromkeys(p.kind for p in properties)
    return [
        p.run(getattr(softmax, PROJECT[kind]))
        for kind in kinds
        for p in properties
        if p.kind == kind
    ]
