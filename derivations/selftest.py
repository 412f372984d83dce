"""The verifier can fail: perturb each claim's proven statement and expect the proof to break.

For the concluding step of a claim's deciding proof, the right side of an identity is
perturbed by a constant (+1/7), a sign (negation) and an index (one summation index renamed
to another), each where it changes the expression; the bound of an inequality is raised by 1.
The step is re-checked with the same simplifier. A perturbation that still passes means the
check could not have failed.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from derivations.proof import Step
from derivations.symbols import i, j, k, l, r

_INDICES = (i, j, k, l, r)
_SEVENTH = sp.Rational(1, 7)


def _add(target, amount):
    if isinstance(target, sp.MatrixBase):
        return target.applyfunc(lambda e: e + amount)
    return target + amount


def perturbations(target, relation="=") -> Iterator[tuple[str, object]]:
    if relation == ">":
        yield "bound +1", target + 1
        return
    yield "constant +1/7", _add(target, _SEVENTH)
    negated = -target
    if negated != target:
        yield "sign", negated
    free = getattr(target, "free_symbols", set())
    for a in _INDICES:
        if a not in free:
            continue
        for b in _INDICES:
            if b != a and (swapped := target.xreplace({a: b})) != target:
                yield f"index {a}→{b}", swapped
                return


def survivors(s: Step) -> list[str]:
    """The perturbations of `s` that did not make it fail (should be none)."""
    left = []
    for name, new in perturbations(s.target, s.relation):
        res = s.recheck(new)
        if isinstance(res, sp.Basic) and res == 0:
            left.append(name)
    return left


def concluding_step(proof) -> Step | None:
    return proof.steps[-1] if proof is not None and proof.steps else None
