"""The numeric evidence can fail: swap a claim's production code for a wrong one.

For each production function of a claim, three wrong versions stand in for it wherever the
checks can reach it (every module attribute of `softmax` and `derivations` that holds it):
its result with the sign flipped, transposed (the last two axes swapped, or the last axis
reversed for a 1-D result), and doubled (off by a constant factor, as a gradient that
misses its 1/O is). The claim's numeric checks are then run again; a wrong version that
all of them pass is a *survivor*: evidence that could not have told it from the right one.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import traceback
from collections.abc import Callable, Iterator

import numpy as np

from derivations.claim import Claim
from derivations.properties import project_checks


def _flipped(result):
    return -np.asarray(result)


def _transposed(result):
    a = np.asarray(result)
    return np.swapaxes(a, -1, -2) if a.ndim >= 2 else a[..., ::-1]


def _doubled(result):
    return 2 * np.asarray(result)


#: name -> what the wrong version returns in place of the right result.
MUTANTS: dict[str, Callable] = {
    "sign flipped": _flipped,
    "transposed": _transposed,
    "doubled": _doubled,
}


def _wrong(f: Callable, change: Callable) -> Callable:
    @functools.wraps(f)
    def wrong(*args, **kwargs):
        result = f(*args, **kwargs)
        if isinstance(result, tuple):  # e.g. (loss, grad): each part goes wrong
            return tuple(change(r) for r in result)
        return change(result)

    return wrong


def mutable(claim: Claim) -> list[Callable]:
    """The claim's production functions (not classes, modules or compiled kernels)."""
    return [o for o in claim.implementation if inspect.isfunction(o)]


@contextlib.contextmanager
def swapped(f: Callable, wrong: Callable) -> Iterator[None]:
    """`wrong` in place of `f` in every loaded module of `softmax` and `derivations`."""
    places = [
        (module, name)
        for module_name, module in list(sys.modules.items())
        if module_name.split(".")[0] in ("softmax", "derivations") and module is not None
        for name, value in list(vars(module).items())
        if value is f
    ]
    for module, name in places:
        setattr(module, name, wrong)
    try:
        yield
    finally:
        for module, name in places:
            setattr(module, name, f)


def detected(claim: Claim, f: Callable, mutant: str) -> tuple[bool, str]:
    """Whether the claim's numeric checks fail with `mutant` of `f`, and which failed."""
    with swapped(f, _wrong(f, MUTANTS[mutant])), np.errstate(all="ignore"):
        try:
            checks = [*claim.numeric(), *project_checks(claim.properties)]
        except Exception:  # a wrong result that crashes a check is caught, too
            return True, "raised " + traceback.format_exc(limit=0).strip()
    failed = [c.name for c in checks if not c.passed]
    return bool(failed), "; ".join(failed)


def survivors(claim: Claim) -> list[str]:
    """The wrong versions of the claim's production functions that its checks all pass."""
    return [
        f"{f.__name__} {mutant}"
        for f in mutable(claim)
        for mutant in MUTANTS
        if not detected(claim, f, mutant)[0]
    ]
