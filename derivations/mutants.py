"""The numeric evidence can fail: swap a claim's production code for a wrong one.

For each production function of a claim, three wrong versions stand in for it wherever the
checks can reach it (every module attribute of `softmax` and `derivations` that holds it):
its result with the sign flipped, transposed (the last two axes swapped, or the last axis
reversed for a 1-D result), and doubled (off by a constant factor, as a gradient that
misses its 1/O is). The claim's numeric checks are then run again; a wrong version that
all of them pass is a *survivor*: evidence that could not have told it from the right one.
A survivor is allowed only where the claim's statement itself cannot tell (`EQUIVALENT`,
each with its reason); tests/test_mutants.py requires exactly those for every claim.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import traceback
from collections.abc import Callable, Iterator

import numpy as np

from derivations import consequences, digits, numeric
from derivations.claim import Claim
from derivations.properties import project_checks
from derivations.sections import training_run


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


def _runs() -> tuple:
    """The cached runs of the production code (the tutorial's training run, the digits fits,
    evaluated claims): cleared around a swap, so that a run made with the right code does
    not hide the wrong one, and a run made with the wrong code does not outlive the swap."""
    return (numeric.tutorial_run, training_run.max_likelihood, digits.experiment,
            consequences._evaluated)  # fmt: skip


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
    for run in _runs():
        run.cache_clear()
    try:
        yield
    finally:
        for module, name in places:
            setattr(module, name, f)
        for run in _runs():
            run.cache_clear()


def detected(claim: Claim, f: Callable, mutant: str) -> tuple[bool, str]:
    """Whether the claim's numeric checks fail with `mutant` of `f`, and which failed."""
    with swapped(f, _wrong(f, MUTANTS[mutant])), np.errstate(all="ignore"):
        try:
            checks = [*claim.numeric(), *project_checks(claim.properties)]
        except Exception:  # a wrong result that crashes a check is caught, too
            return True, "raised " + traceback.format_exc(limit=0).strip()
    failed = [c.name for c in checks if not c.passed]
    return bool(failed), "; ".join(failed)


_ORDER = "its statement does not depend on the order of the entries"
_SCALE = "its statement is unchanged by a common factor (ratios, G/(GE))"
_SHAPE = "its statement is about shapes, dtypes or empty results, which a sign or scale keeps"
_LINEAR = "its statement is linear (sums of blocks), which a sign or scale keeps"
_POSITIVE = "its statement (ascent, convexity) is unchanged by a positive factor"
_ROWS = "its statement holds row by row, and a reversed or single row keeps each row"
_SAME_D = "both updates it compares use the same D, so they agree whatever D is"

#: Wrong versions that a claim's checks cannot tell from the right one *because the claim's
#: statement cannot*: claim -> {"function mutant": why}. The test requires that these, and
#: only these, survive; any other survivor is a weak check to strengthen.
EQUIVALENT: dict[str, dict[str, str]] = {
    "SM-4": {"softmax transposed": _ORDER},
    "SM-5": {"softmax transposed": _ORDER},
    "SM-7": {"softmax sign flipped": _SCALE, "softmax doubled": _SCALE},
    "MODEL-3": {"G sign flipped": _SCALE, "G doubled": _SCALE},
    "SUM-1": {
        f"{f} {m}": _SHAPE
        for f in ("softmax", "S", "log_likelihood_grad")
        for m in ("sign flipped", "doubled")
    },
    "SUM-3": {"G sign flipped": _SCALE, "G doubled": _SCALE},
    "SUM-5": {"log_likelihood doubled": _POSITIVE},
    "TRAIN-1": {f"D {m}": _SAME_D for m in MUTANTS},
    "IMPL-1": {"logsumexp transposed": _ROWS},
    "IMPL-9": {"cross_entropy doubled": _POSITIVE},
    "IMPL-10": {"log_softmax transposed": _ROWS},
    "IMPL-16": {
        "logsumexp doubled": _SHAPE,
        **{
            f"{f} {m}": _SHAPE
            for f in ("softmax", "log_softmax")
            for m in ("sign flipped", "doubled")
        },
    },
    "IMPL-18": {"loss_and_grad_sums sign flipped": _LINEAR, "loss_and_grad_sums doubled": _LINEAR},
    "IMPL-19": {
        "logsumexp transposed": _ROWS,
        **{
            f"{f} {m}": _SHAPE
            for f in ("softmax", "log_softmax", "logsumexp")
            for m in ("sign flipped", "doubled")
        },
    },
}


def survivors(claim: Claim) -> list[str]:
    """The wrong versions of the claim's production functions that its checks all pass."""
    return [
        f"{f.__name__} {mutant}"
        for f in mutable(claim)
        for mutant in MUTANTS
        if not detected(claim, f, mutant)[0]
    ]
