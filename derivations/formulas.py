r"""The inventory of the tutorial's formulas (issue 11): `formulas.toml`, and its reader.

Every formula the tutorial writes, display or inline, is one entry of `formulas.toml`,
quoted verbatim, in the tutorial's order, with the section it is in. Which claims check an
entry is computed (`covering`), never typed, so it cannot drift from the registry; an entry
that no claim checks says why in `not_a_claim`.

The tutorial writes its LaTeX inline in the prose, with no delimiters. `extract` finds it by
one simple rule, and `unlisted` names what that rule finds that the inventory lacks: the
tests run it on the tutorial, where it is present, so a formula cannot be left out unseen.
The tutorial's prose is not copied here (only its formulas may be quoted).
"""

from __future__ import annotations

import functools
import re
import tomllib  # Python 3.11+
from collections import Counter
from dataclasses import dataclass
from importlib.resources import files

from derivations.outline import SECTIONS
from derivations.registry import claims

__all__ = [
    "NOT_FORMULAS",
    "TUTORIAL_SECTIONS",
    "Formula",
    "as_dicts",
    "covering",
    "entries",
    "extract",
    "squash",
    "unlisted",
]

#: The tutorial's sections: all but "implementation", whose claims are this project's own.
TUTORIAL_SECTIONS = tuple(key for key in SECTIONS if key != "implementation")


@dataclass(frozen=True)
class Formula:
    """One formula of the tutorial, as `formulas.toml` lists it.

    `n` is its place in the tutorial (1, 2, …), `section` the key of the tutorial section
    it is in (`derivations.outline.SECTIONS`), `latex` the tutorial's LaTeX verbatim, and
    `not_a_claim` why no claim checks it (None when claims do: see `covering`).
    """

    n: int
    section: str
    latex: str
    not_a_claim: str | None = None


def squash(latex: str) -> str:
    r"""`latex` with all whitespace removed: the form every comparison here uses.

    The tutorial spaces its LaTeX unevenly (``0 × \ln 0.2`` beside ``1×\ln 0.6``), and a
    claim may quote it respaced; whitespace never changes what a formula says.

    Examples
    --------
    >>> squash(r"\sum_i^N q_i = 1") == squash(r"\sum_i^Nq_i=1")
    True
    """
    return "".join(latex.split())


@functools.cache
def _load() -> tuple[Formula, ...]:
    # Read through importlib.resources: the file ships inside the package (pyproject's
    # package-data), so an installed wheel reads it as a checkout does.
    text = files("derivations").joinpath("formulas.toml").read_text(encoding="utf-8")
    return tuple(Formula(**row) for row in tomllib.loads(text)["formula"])


def entries() -> list[Formula]:
    r"""Every formula of the tutorial, in its order.

    Examples
    --------
    >>> found = entries()
    >>> [f.n for f in found] == list(range(1, len(found) + 1))
    True
    >>> found[1].latex
    'P(S_i)=\\frac{e^{g_i}}{\\sum_k^ne^{g_k}}'
    """
    return list(_load())


def covering(entry: Formula) -> tuple[str, ...]:
    r"""The ids of the claims that check `entry`, in the registry's order.

    A claim of a tutorial section covers an entry when, whitespace removed (`squash`),
    its `source` contains the entry's latex (the claim quotes the whole formula, alone or
    with others: SM-2 quotes three), or the entry's latex contains its source (the claim
    checks one part of the formula: ENT-2 the first link of a chain, GRAD-1 one row of an
    array). Claims of the implementation section state this project's formulas, not the
    tutorial's, and cover nothing.

    Examples
    --------
    >>> [covering(f) for f in entries()[3:6]]
    [('SM-2',), ('SM-2',), ('SM-2',)]
    """
    latex = squash(entry.latex)
    return tuple(
        c.id
        for c in claims()
        if c.section in TUTORIAL_SECTIONS and (latex in (s := squash(c.source)) or s in latex)
    )


def as_dicts() -> list[dict]:
    """The entries as plain data, with the claims that cover each: the CLI's JSON.

    Examples
    --------
    >>> rows = as_dicts()
    >>> all(bool(r["claims"]) != bool(r["not_a_claim"]) for r in rows)  # one or the other
    True
    """
    return [
        {
            "n": f.n,
            "section": f.section,
            "latex": f.latex,
            "claims": list(covering(f)),
            "not_a_claim": f.not_a_claim,
        }
        for f in entries()
    ]


# The extraction rule. The tutorial's LaTeX has no delimiters, but its prose is Chinese
# and its formulas are not: a formula is a run of non-CJK text. A run is a formula
# candidate when it holds a LaTeX mark, and the runs without one are plain words or
# numbers ("softmax", "[0,1,0]", "m×1").
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_MARK = re.compile(r"[\\_^=]")
# The prose's commas and colons are ASCII (its full stop "。" is CJK): they end a run.
_PUNCTUATION = " \t,.:;"


def extract(text: str) -> list[str]:
    r"""The formula candidates of `text`, in its order, by one rule.

    A candidate is a maximal run of a line between CJK characters (ideographs, CJK and
    fullwidth punctuation), with the ASCII punctuation and spaces at its ends stripped,
    that contains a LaTeX command ``\…``, ``_``, ``^`` or ``=``. Lines indented by four
    spaces or more are skipped: in the tutorial they are its Python code block, whose
    ``self.__weight = …`` would otherwise all be candidates.

    Examples
    --------
    >>> extract("设A=5,B=1,那么P(A)=\\frac{e^5}{e^5+e}。其中w_{ij}是[0,1]的softmax")
    ['A=5,B=1', 'P(A)=\\frac{e^5}{e^5+e}', 'w_{ij}']
    >>> extract("    self.__flag = 1")
    []
    """
    found = []
    for line in text.splitlines():
        if line.startswith("    "):
            continue
        for run in _CJK.split(line):
            run = run.strip(_PUNCTUATION)
            if _MARK.search(run):
                found.append(run)
    return found


# A name: a letter or a command that names (a Greek letter, ∇, log) with subscripts and
# superscripts whose braces hold no command and no script (w_{ij}, \nabla_{ij}, x_{(1)3},
# _{(o)}), perhaps after one bare letter, where the tutorial lost the word between two
# symbols ("D\nabla_{ij}": "D 是 ∇ij"). Names may touch: q_ig_i.
_SCRIPT = r"[_^](?:[A-Za-z0-9]|\{[^{}\\_^]*\})"
_COMMAND = r"\\(?:nabla|eta|log|ln|partial|alpha|beta|gamma|delta|epsilon|lambda|mu|pi|sigma)"
_NAME = rf"[A-Za-z]?(?:{_COMMAND}(?:{_SCRIPT})*|[A-Za-z]?(?:{_SCRIPT})+)"
_NAMES = re.compile(rf"(?:{_NAME})+")

#: What `extract` finds in the tutorial that is not a formula, though it has a LaTeX mark
#: and is not a name: candidate, whitespace removed -> why.
NOT_FORMULAS = {
    r"\log()": "notation: the element-wise logarithm, by name",
    r"\log(s_{om})": "notation: s_{om} stands for \\log(s_{om}) from there on",
    "sample.softmax_train.softmax_modual.Softmax": "code: a class of the tutorial's repository",
    "sample.softmax_train.random_data.RandomData": "code: a class of the tutorial's repository",
    "__softmax__loss__optimizer": "code: three method names of that class, run together",
    "softmax_train": "code: a package of the tutorial's repository",
    "softmax_estimatorsoftmax_compute": "code: two packages of that repository, run together",
    "_": "the web page's footer: site names joined by underscores",
    "_CAD": "the web page's footer: site names joined by underscores",
}


def unlisted(text: str) -> list[str]:
    r"""What `extract` finds in `text` that the inventory lacks and nothing excuses.

    Whitespace removed, every entry is cut out of each candidate, the longest first. What
    is left is split at the prose's commas, and each piece, stripped of punctuation and
    round brackets, must hold no LaTeX mark, be names only (symbols that the prose
    mentions, alone or beside a formula: ``w_{ij}``, ``q_ig_i``, ``\eta``), or be one of
    `NOT_FORMULAS`. The pieces that are none of these are returned, and so is a formula
    cut out more often than the inventory lists it: the tutorial writes it once more.

    Examples
    --------
    >>> unlisted(r"有P(A)+P(B)+P(C)=1,w_{ij}和\eta")  # an entry, then two names
    []
    >>> unlisted(r"有P(A)+P(B)+P(C)=1,x_1+x_2=y")
    ['x_1+x_2=y']
    >>> unlisted(r"有P(A)+P(B)+P(C)=1。又有P(A)+P(B)+P(C)=1")
    ['P(A)+P(B)+P(C)=1 (written 2 times, listed 1)']
    """
    listed = Counter(squash(f.latex) for f in entries())
    cut: Counter[str] = Counter()
    left = []
    for candidate in map(squash, extract(text)):
        for latex in sorted(listed, key=len, reverse=True):
            cut[latex] += candidate.count(latex)
            candidate = candidate.replace(latex, ",")
        for piece in candidate.split(","):
            piece = piece.strip(_PUNCTUATION)
            name = piece.strip("()")  # "(即 1/26)": the prose's brackets around a formula
            if _MARK.search(name) and not _NAMES.fullmatch(name) and piece not in NOT_FORMULAS:
                left.append(piece)
    return left + [
        f"{latex} (written {cut[latex]} times, listed {listed[latex]})"
        for latex in listed
        if cut[latex] > listed[latex]
    ]
