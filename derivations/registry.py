"""The claim registry: every claim the section modules declare, by permanent id.

An id is the pytest id, the docs anchor, the CLI argument and the JSON key. Ids are never
reused: a claim that is withdrawn moves to `RETIRED` with the reason, and stays listed.
The registry imports the section modules that `derivations.outline` lists, in its order;
they import only the toolkit, never this module, so there is no import cycle.
"""

from __future__ import annotations

import importlib
from graphlib import CycleError, TopologicalSorter

from derivations.claim import DECLARED, VERDICTS, Claim
from derivations.outline import MODULES, SECTIONS

__all__ = ["REGISTRY", "RETIRED", "SECTIONS", "VERDICTS", "Claim", "claims", "get", "used_by"]

#: Withdrawn ids, never to be reused: id -> reason.
RETIRED: dict[str, str] = {}


def _load() -> dict[str, Claim]:
    found: dict[str, Claim] = {}
    for module in MODULES:
        importlib.import_module(module)
        for claim in DECLARED.get(module, ()):
            if claim.id in found or claim.id in RETIRED:
                raise ValueError(f"claim id {claim.id!r} is already used")
            found[claim.id] = claim
    check_uses({c.id: c.uses for c in found.values()})
    return found


def check_uses(uses: dict[str, tuple[str, ...]]) -> None:
    """Every id a claim uses exists, and no claim rests on itself through `uses`.

    >>> check_uses({"A-1": (), "A-2": ("A-1",)})
    >>> check_uses({"A-1": ("A-2",), "A-2": ("A-1",)})
    Traceback (most recent call last):
    ValueError: the claims' uses form a cycle: A-1 -> A-2 -> A-1
    """
    for claim_id, used in uses.items():
        if unknown := [u for u in used if u not in uses]:
            raise ValueError(f"claim {claim_id} uses unknown claims {unknown}")
    try:
        TopologicalSorter(uses).prepare()
    except CycleError as exc:
        raise ValueError(f"the claims' uses form a cycle: {' -> '.join(exc.args[1])}") from None


#: Every live claim, in the tutorial's section order, then declaration order.
REGISTRY: dict[str, Claim] = _load()


def claims() -> list[Claim]:
    """All live claims, in the tutorial's section order, then declaration order."""
    return list(REGISTRY.values())


def get(claim_id: str) -> Claim:
    if claim_id in RETIRED:
        raise KeyError(f"{claim_id} is retired: {RETIRED[claim_id]}")
    return REGISTRY[claim_id]


def used_by(claim_id: str) -> tuple[str, ...]:
    """The claims whose `uses` name `claim_id`."""
    return tuple(c.id for c in REGISTRY.values() if claim_id in c.uses)
