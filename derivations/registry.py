"""The claim registry: one entry per claim, a permanent id as the thread through everything.

An id is the pytest id, the docs anchor, the CLI argument and the JSON key. Ids are never
reused: a claim that is withdrawn moves to `RETIRED` with the reason, and stays listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from derivations.evidence import Check
from derivations.proof import Proof

VERDICTS = ("holds", "holds-under-assumption", "false-as-written")

#: Tutorial sections in the tutorial's order: key -> (English title, the tutorial's heading).
SECTIONS = {
    "definition": ("The softmax function and its worked example", "softmax的例子 / 基本特性"),
    "entropy": ("Entropy and cross-entropy", "熵与交叉熵"),
    "likelihood": ("Maximum likelihood and cross-entropy", "极大似然评估"),
    "loss": ("What the loss means", "损失函数的含义"),
    "model": ("The linear model and the matrix forms G, S, Q", "建模 / softmax计算"),
    "matrix-loss": ("The loss in matrix form", "交叉熵(极大似然评估)计算"),
    "optimisation": ("Signs and update rules", "参数优化"),
    "gradient": ("The gradient, step by step", "求偏导函数"),
    "many-samples": ("Many samples and the matrix D", "多个样本与矩阵运算"),
    "summary": ("The algorithm summary", "算法总结"),
    "training": ("The training loop", "编码实现"),
    "implementation": ("What the production code relies on", "(this project)"),
}

#: Withdrawn ids, never to be reused: id -> reason.
RETIRED: dict[str, str] = {}

_ID = re.compile(r"^[A-Z]+-\d+$")


@dataclass(frozen=True)
class Claim:
    """One claim of the tutorial (or of the production code), with its checks.

    `written` proves the statement exactly as the tutorial writes it. When it does not hold,
    `assumed` proves it under an assumption (stated by the tutorial or not), and
    `corrected` proves the corrected statement. The verdict is computed from which of these
    pass; `expect` is the recorded expectation that the tests compare it with.
    """

    id: str
    title: str
    section: str
    source: str
    expect: str
    written: Callable[[], Proof]
    numeric: Callable[[], list[Check]]
    assumed: Callable[[], Proof] | None = None
    corrected: Callable[[], Proof] | None = None
    correction: str | None = None
    implementation: tuple[str, ...] = ()
    #: The claims this one rests on: a reader follows them, and a false one shows here.
    uses: tuple[str, ...] = ()
    #: For an erratum, its title and what is wrong and what is right, in Simplified Chinese
    #: for the tutorial's readers (the Chinese errata page).
    title_zh: str | None = None
    erratum_zh: str | None = None
    references: tuple[str, ...] = ()
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def doc(self) -> str:
        return f"claims/{self.section}.md#{self.id}"


REGISTRY: dict[str, Claim] = {}


def register(**fields) -> Claim:
    """Add a claim; ids are unique, well formed and never a retired one."""
    claim = Claim(**fields)
    if not _ID.match(claim.id):
        raise ValueError(f"claim id {claim.id!r} must look like FAMILY-N")
    if claim.id in REGISTRY or claim.id in RETIRED:
        raise ValueError(f"claim id {claim.id!r} is already used")
    if claim.section not in SECTIONS:
        raise ValueError(f"claim {claim.id}: unknown section {claim.section!r}")
    if claim.expect not in VERDICTS:
        raise ValueError(f"claim {claim.id}: expect must be one of {VERDICTS}")
    if claim.expect != "holds" and claim.assumed is None and claim.corrected is None:
        raise ValueError(f"claim {claim.id}: a claim expected not to hold needs a correction")
    REGISTRY[claim.id] = claim
    return claim


def claims() -> list[Claim]:
    """All live claims, in the tutorial's section order, then registration order."""
    load()
    order = list(SECTIONS)
    return sorted(REGISTRY.values(), key=lambda c: order.index(c.section))


def get(claim_id: str) -> Claim:
    load()
    if claim_id in RETIRED:
        raise KeyError(f"{claim_id} is retired: {RETIRED[claim_id]}")
    return REGISTRY[claim_id]


def load() -> None:
    """Import every section module (each registers its claims on import)."""
    from derivations import sections  # noqa: F401  (import registers the claims)
