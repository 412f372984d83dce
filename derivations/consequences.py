"""What a claim's `uses` imply, computed from the verdicts of the claims it rests on.

A claim rests on every claim it reaches through `uses`, directly or not. Of those, each
whose computed verdict is false-as-written is one whose *correction* it rests on: its own
proof holds for the corrected statement, not for the tutorial's. Each that holds under an
assumption passes that assumption on. Nothing here is typed: the verdicts come from the
evaluation of those claims in this run (`derivations.verdict.evaluate`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from derivations.registry import REGISTRY, get
from derivations.verdict import Outcome, evaluate


def upstream(claim_id: str) -> list[str]:
    """Every claim that `claim_id` reaches through `uses`, in the registry's order.

    >>> upstream("SM-3")
    ['SM-1', 'SM-2']
    """
    seen: set[str] = set()
    todo = list(REGISTRY[claim_id].uses)
    while todo:
        if (used := todo.pop()) not in seen:
            seen.add(used)
            todo.extend(REGISTRY[used].uses)
    return [c for c in REGISTRY if c in seen]


def used_by(claim_id: str) -> list[str]:
    """The claims whose `uses` name `claim_id`, in the registry's order.

    >>> used_by("SM-2")
    ['SM-3', 'SM-4', 'SM-6']
    """
    return [c.id for c in REGISTRY.values() if claim_id in c.uses]


@functools.cache
def _evaluated(claim_id: str) -> Outcome:
    return evaluate(get(claim_id))


def consequences(claim_id: str, known: Mapping[str, Outcome] | None = None) -> dict:
    """The neighbourhood of `claim_id` and what its upstream claims' verdicts imply.

    `known` maps ids to outcomes already evaluated in this run; an upstream claim missing
    from it is evaluated here (once per process).
    """
    known = {} if known is None else known
    rests_on, inherited = [], []
    for used in upstream(claim_id):
        outcome = known.get(used) or _evaluated(used)
        if outcome.verdict == "false-as-written":
            rests_on.append(used)
        elif outcome.verdict == "holds-under-assumption" and outcome.assumed is not None:
            inherited += [{"claim": used, "assumption": a} for a in outcome.assumed.assumptions]
    return {
        "uses": list(REGISTRY[claim_id].uses),
        "used_by": used_by(claim_id),
        "rests_on_corrections_of": rests_on,
        "inherited_assumptions": inherited,
    }
