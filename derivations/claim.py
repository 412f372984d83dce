"""A claim: one object that owns every link of one statement of the tutorial.

Its proof (`written`, `assumed`, `corrected`), its numeric checks (`numeric`, and the
`properties` any implementation can be run against), the production objects it checks
(the objects themselves), its figures and the claims it uses. Its section is the section
of the module that declares it (`derivations.outline`). A section module declares its
claims with the `declare` function that `declarations(__name__)` returns; the registry
imports the section modules and reads what they declared.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import softmax
from derivations.evidence import Check
from derivations.outline import section_of
from derivations.proof import Proof

VERDICTS = ("holds", "holds-under-assumption", "false-as-written")
KINDS = ("softmax", "log_softmax", "logsumexp", "cross_entropy", "gradient")
_ID = re.compile(r"^[A-Z]+-\d+$")


@dataclass(frozen=True)
class Property:
    """A numeric property of a kind of function, run on any implementation ``run(f)``.

    Declared with `prop` and owned by the claim whose `properties` list it; `claim` is
    set by that claim.
    """

    kind: str
    name: str
    run: Callable[[Callable], Check]
    #: The input dtype the property is about ("float32", "float64"), or None for any.
    dtype: str | None = None
    claim: str = ""


def prop(kind: str, name: str, dtype: str | None = None):
    """Make the decorated ``check(f) -> Check`` a `Property` of functions of `kind`."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return lambda run: Property(kind, name, run, dtype)


@dataclass(frozen=True)
class Figure:
    """A figure drawn at build time for its claim's page; ``draw(fig)`` fills a matplotlib
    Figure (`derivations.figures.svg` renders it)."""

    name: str
    caption: str
    draw: Callable
    size: tuple[float, float] = (6.4, 3.8)  # inches

    @property
    def path(self) -> str:
        return f"figures/{self.name}.svg"


def axes(draw_on_axes):
    """A figure's `draw` from ``draw_on_axes(ax)``: one Axes, with a grid and a legend."""

    def draw(fig):
        ax = fig.add_subplot()
        draw_on_axes(ax)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize="small")

    return draw


def dotted(obj) -> str:
    """The name a reader imports `obj` by: ``softmax.X`` where the package exports it.

    >>> dotted(softmax.softmax), dotted(softmax.notation.G)
    ('softmax.softmax', 'softmax.notation.G')
    """
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    qualname = obj.__qualname__
    top = qualname.split(".")[0]
    owner = obj if top == qualname else _owner(obj, top)
    if owner is not None and getattr(softmax, top, None) is owner:
        return f"softmax.{qualname}"
    return f"{obj.__module__}.{qualname}"


def _owner(obj, top):
    return getattr(sys.modules[obj.__module__], top, None)


@dataclass(frozen=True)
class Claim:
    """One claim of the tutorial (or of the production code), with all its links.

    `written` proves the statement exactly as the tutorial writes it. When it does not hold,
    `assumed` proves it under an assumption (stated by the tutorial or not), and
    `corrected` proves the corrected statement. The verdict is computed from which of these
    pass; `expect` is the recorded expectation that the tests compare it with.
    """

    id: str
    title: str
    module: str
    source: str
    expect: str
    written: Callable[[], Proof]
    #: The claims its statement or proof rests on (declared by every claim, maybe empty):
    #: a reader follows them, and one that is false as written shows here.
    uses: tuple[str, ...]
    numeric: Callable[[], list[Check]] = list
    assumed: Callable[[], Proof] | None = None
    corrected: Callable[[], Proof] | None = None
    correction: str | None = None
    #: The production objects (functions, classes, methods, modules) it checks.
    implementation: tuple = ()
    #: Properties that any implementation of a kind can be run against; the numeric
    #: evidence runs them on this project's function of that kind.
    properties: tuple[Property, ...] = ()
    figures: tuple[Figure, ...] = ()
    #: For an erratum, its title and what is wrong and what is right, in Simplified Chinese
    #: for the tutorial's readers (the Chinese errata page).
    title_zh: str | None = None
    erratum_zh: str | None = None
    references: tuple[str, ...] = ()
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if not _ID.match(self.id):
            raise ValueError(f"claim id {self.id!r} must look like FAMILY-N")
        if self.expect not in VERDICTS:
            raise ValueError(f"claim {self.id}: expect must be one of {VERDICTS}")
        if self.expect != "holds" and self.assumed is None and self.corrected is None:
            raise ValueError(f"claim {self.id}: a claim expected not to hold needs a correction")
        if strings := [o for o in self.implementation if isinstance(o, str)]:
            raise TypeError(f"claim {self.id}: implementation must be objects, not {strings}")
        owned = tuple(replace(p, claim=self.id) for p in self.properties)
        object.__setattr__(self, "properties", owned)

    @property
    def section(self) -> str:
        return section_of(self.module)

    @property
    def doc(self) -> str:
        return f"claims/{self.section}.md#{self.id}"

    @property
    def names(self) -> tuple[str, ...]:
        """The dotted names of the production objects, as the pages and the JSON show them."""
        return tuple(dotted(o) for o in self.implementation)


#: What each section module declared, in declaration order (the registry reads this).
DECLARED: dict[str, list[Claim]] = {}


def declarations(module: str) -> Callable[..., Claim]:
    """The `declare(**fields)` of section module `module` (pass ``__name__``)."""
    section_of(module)  # a module outside the outline cannot declare claims

    def declare(**fields) -> Claim:
        claim = Claim(module=module, **fields)
        DECLARED.setdefault(module, []).append(claim)
        return claim

    return declare
