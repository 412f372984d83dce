"""derivations: the claim registry and verifier for the softmax tutorial.

Each claim of the tutorial is checked twice, by a SymPy proof and by a numeric test of the
production package `softmax`, and given a verdict computed from those checks.
"""

from derivations.conform import assert_conforms
from derivations.registry import REGISTRY, RETIRED, SECTIONS, Claim, claims, get
from derivations.verdict import Outcome, evaluate

__all__ = [
    "REGISTRY",
    "RETIRED",
    "SECTIONS",
    "Claim",
    "Outcome",
    "assert_conforms",
    "claims",
    "evaluate",
    "get",
]
