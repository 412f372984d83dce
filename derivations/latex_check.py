r"""The LaTeX cross-check (issue 11, item 2): does a claim check what the tutorial wrote?

A claim quotes the tutorial (`Claim.source`) and proves a statement (`Claim.written`).
Here SymPy's LaTeX parser reads the quote (`derivations.latex_rewrite`), and SymPy must
prove the reading equal to the statement the as-written proof checks, true or false; a
quote that reads as the claim's own `correction` differs (it is not the text checked).

A *formula claim* is a tutorial section's claim (`TUTORIAL_SECTIONS`) whose source has
no ``\text{…}``, which quotes prose or code (ENT-3's $4.7004 \approx 5$ "so 5 bits are
needed" states something in words); other claims are ``"not a formula"``. A formula claim

- ``"agrees"`` when every link $a = b$ (or $a \approx b$) of each formula it quotes
  matches a step of its as-written proof (`_Proof.link` says how), in the reading of the
  first backend of `BACKENDS` (ANTLR, strict, then Lark) that agrees;
- ``"differs"`` when it parses but a link matches no step (the detail gives the residual);
- ``"unparsed"`` when no backend reads it: an exception, an ambiguous reading, a tuple, a
  command read as a symbol, or a form without a reading (`latex_rewrite.refusal`).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import sympy as sp

from derivations.claim import Claim
from derivations.formulas import TUTORIAL_SECTIONS
from derivations.latex_compare import occurs, same, symbol_names
from derivations.latex_rewrite import Unparsed, Vocabulary, read
from derivations.proof import canonical, residual
from derivations.registry import REGISTRY, claims

__all__ = ["BACKENDS", "CONTEXT", "formula_claims", "is_formula_claim", "latex_check", "share"]

BACKENDS = ("antlr", "lark")
#: The indices a section counts from 0: the model section's features j (MODEL-1).
_FROM_ZERO = {"model": "j"}

#: The tutorial's definitions of names a formula uses and the claim's statement expands,
#: substituted before comparing; a claim id stands for that claim's formulas.
CONTEXT: dict[str, tuple[str, ...]] = {
    # P(A), P(B), P(C): the worked example's three ratios (SM-2's formulas)
    "SM-3": ("SM-2",),
    "SM-4": ("SM-2",),
    "ENT-1": (r"p=\frac{1}{n}",),  # p: one of n equally likely letters (the tutorial's 1/26)
    # q_i: the softmax output (SM-1's ratio; GRAD-2 writes it, without its exponentials)
    "ML-1": (r"q_i=\frac{e^{g_i}}{\sum_k^Ne^{g_k}}",),
    "ML-4": (r"p_i=\delta_{iy}",),  # a one-hot label: p_i = 1 for the true class only (ML-2)
    "MAT-1": (r"x_{(k)0}=1",),  # x_0 = 1: the bias feature (MODEL-1)
    # the ∇ that OPT-3 descends is the loss −L's gradient (GRAD-5's line 4, negated)
    "OPT-3": (r"\nabla_{ij}=\left(q_i\sum_k^Mp_k-p_i\right)x_j",),
    # L_k: class k's term of the loss, for a one-hot label and the softmax q
    "GRAD-3": (r"L_k=p_k\ln q_k", r"p_k=\delta_{kc}", r"q_k=\frac{e^{g_k}}{\sum_l^Me^{g_l}}"),
}


def is_formula_claim(claim: Claim) -> bool:
    r"""Whether `claim` quotes a formula of the tutorial: a tutorial section's claim whose
    source has no ``\text{…}`` (prose or code).

    >>> is_formula_claim(REGISTRY["SM-1"]), is_formula_claim(REGISTRY["SM-5"])
    (True, False)
    >>> is_formula_claim(REGISTRY["IMPL-1"])  # this project's own formula
    False
    """
    return claim.section in TUTORIAL_SECTIONS and r"\text" not in claim.source


def formula_claims() -> list[Claim]:
    """The formula claims, in the registry's order."""
    return [c for c in claims() if is_formula_claim(c)]


@dataclass(frozen=True)
class _Proof:
    """The as-written proof's steps, the names they use, and CONTEXT's definitions as
    (pattern, body) with Wild indices (q_i defines every q_k; x_{(k)0} = 1 every x[3, 0])."""

    steps: tuple
    vocab: Vocabulary
    definitions: tuple
    general: bool  # sizes symbolic (`Proof.general`), else checked at given sizes
    cache: dict = field(default_factory=dict, compare=False)

    def substitute(self, expr):
        for _ in range(3) if self.definitions else ():  # L_k's definition uses p and q
            for pattern, body in self.definitions:
                expr = expr.replace(pattern, body)
        return expr

    def sides(self, step) -> tuple:
        """What a step compares (nothing for an inequality); a matrix, entry by entry."""
        pair = [s if isinstance(s, str) else sp.sympify(s) for s in (step.lhs, step.rhs)]
        entries = (e for s in pair for e in (s if isinstance(s, sp.MatrixBase) else [s]))
        return tuple(entries) if step.relation == "=" else ()

    def side_test(self, test, z):
        """Whether `test(z, side)` holds for some side of a step, as a test of steps."""
        return lambda step: any(test(z, side) for side in self.sides(step))

    def instances(self, x) -> list:
        """`x` at each choice of its (≤ 3) free integer symbols in 0..4, with their names."""
        if x not in self.cache:
            free = sorted((s for s in x.free_symbols if s.is_Symbol and s.is_integer), key=str)
            choices = itertools.product(range(5), repeat=len(free)) if 0 < len(free) <= 3 else ()
            names = {s.name for s in free}
            self.cache[x] = [
                (names, self.at(x.subs(dict(zip(free, c, strict=True))))) for c in choices
            ]
        return self.cache[x]

    def at(self, x):
        """`x` with its sums carried out, entries as a size-specific step writes them (g_1)."""
        return self.substitute(x.doit()).replace(
            lambda e: e.is_Indexed and all(n.is_Integer for n in e.indices),
            lambda e: self.vocab.symbols.get(f"{e.base}_{''.join(map(str, e.indices))}", e),
        )

    def matches(self, x, side) -> bool:
        r"""`x = side`, or for a proof at given sizes (GRAD-2's at M = 3) `x` at the sizes
        `side` leaves out, if `side` has symbols (1 is $e^{g_i}/\sum_k^n e^{g_k}$ at n = 1)."""
        if same(x, side):
            return True
        if self.general or not isinstance(side, sp.Expr) or not side.free_symbols:
            return False
        names = symbol_names(side)
        return any(
            not free & names and symbol_names(at) == names and same(at, side)
            for free, at in self.instances(x)
        )

    def rounded(self, value, stated, step) -> bool:
        """`value ≈ stated` (decimal, places) as a `proof.rounded` step has it."""
        places, target = stated[1], sp.Rational(str(stated[0]))
        if not (isinstance(value, sp.Expr) and value.is_number and step.recheck):
            return False
        rounded = sp.Rational(str(round(float(sp.N(value, 50)), places)))
        return step.target == target and step.recheck(0) == rounded

    def pair(self, x, y, step) -> bool:
        """`x = y` is the step's statement, either way round."""
        sides = self.sides(step)
        return len(sides) == 2 and any(
            self.matches(u, sides[0]) and self.matches(v, sides[1]) for u, v in ((x, y), (y, x))
        )

    def named(self, a, b) -> bool:
        r"""Whether side `a` is a name: one the statement does not use, or the left side of
        an update $w_{ij} = w_{ij} - \eta\nabla_{ij}$ (the new value)."""
        update = (a.is_Indexed or a.is_Symbol) and b != a and b.has(a)
        return self.vocab.is_name(a) or update

    def link(self, a, b, start: int) -> tuple[str, int] | None:
        """How the link `a = b` (sides: expression, stated decimal) matches a step from
        `start` on (a proof takes a quote in order), and the step: a rounded value, the
        step's statement, or a name for a side (the other side that side, or used in it);
        ("", start) for two names (nothing to compare); None for no match."""
        (x, stated_x), (y, stated_y) = a, b
        name_x, name_y = self.named(x, y), self.named(y, x)
        if stated_x or stated_y:
            value = self.substitute(y if stated_x else x)
            tests = [("≈", lambda s: self.rounded(value, stated_x or stated_y, s))]
        elif name_x and name_y:
            return "", start
        elif name_x or name_y:
            name, z = (x, self.substitute(y)) if name_x else (y, self.substitute(x))
            tests = [(f"{name} names a side of", self.side_test(self.matches, z))]
            tests.append((f"{name} is defined as used in", self.side_test(occurs, z)))
        else:
            x, y = self.substitute(x), self.substitute(y)
            tests = [("=", lambda s: self.pair(x, y, s))]
        for how, test in tests:
            for n in range(start, len(self.steps)):
                if test(self.steps[n]):
                    return f"{how} step {self.steps[n].label!r}", n
        return None

    def nearest(self, a, b) -> str:
        """Why the link matches nothing: its compared sides' least nonzero residual."""
        (x, _), (y, _) = a, b
        xs = [y] if self.named(x, y) else [x] if self.named(y, x) else [x, y]
        pairs = [
            (self.substitute(z), e, s.label) for z in xs for s in self.steps for e in self.sides(s)
        ]
        found = [
            (r, lb) for z, e, lb in pairs if isinstance(e, sp.Expr) and (r := residual(z, e)) != 0
        ]
        if not found:
            return "it matches no step, and no step compares expressions"
        res, label = min(found, key=lambda r: sp.count_ops(r[0]))
        return f"it matches no step; nearest, step {label!r}, residual {sp.sstr(res)}"


def _check(claim: Claim, backend: str, written) -> tuple[bool, str]:
    """(agrees, detail) of one backend's reading of `claim`; raises `Unparsed`."""
    vocab, definitions = Vocabulary.of(written.steps), []
    for entry in CONTEXT.get(claim.id, ()):
        for sides in read(REGISTRY[entry].source if entry in REGISTRY else entry, backend):
            name, *_, body = (vocab.translate(e, dict(t)) for e, t, _ in sides)
            wild = {s: sp.Wild(f"w_{s}") for s in getattr(name, "indices", ()) if s.is_Symbol}
            # canonical: the body's bound indices get names no formula uses (no capture)
            definitions.append((name.xreplace(wild), canonical(body).xreplace(wild)))
    proof = _Proof(written.steps, vocab, tuple(definitions), written.general)
    shown, matched, start = [], [], 0
    fixed = _readings(claim.correction, backend, vocab) if claim.correction else set()
    for sides in read(claim.source, backend, _FROM_ZERO.get(claim.section, "")):
        parsed = [(vocab.translate(e, dict(t)), number) for e, t, number in sides]
        shown.append(" = ".join(sp.sstr(e) for e, _ in parsed))
        if fixed and {canonical(e) for e, _ in parsed} <= fixed:  # the fix, not the text
            return False, f"parsed {shown[-1]!r}: it reads as the claim's correction"
        if len(parsed) == 1:  # an expression alone: a side of a step, or used in one
            parsed.insert(0, (sp.Symbol("(the expression)"), None))
        for a, b in itertools.pairwise(parsed):
            if (found := proof.link(a, b, start)) is None:
                return False, f"parsed {shown[-1]!r}: {proof.nearest(a, b)}"
            how, start = found
            matched += [how] if how else []
        start += 1  # the next formula, on a later step: SM-2's P(B) is not step P(C)
    if not matched:
        raise Unparsed("no relation to compare: every side is a name")
    return True, f"parsed {'; '.join(shown)!r}: " + "; ".join(matched)


def _readings(latex: str | None, backend: str, vocab: Vocabulary) -> set:
    """The sides of `latex` as read in the claim's symbols (none when it has no reading)."""
    try:
        return {
            canonical(vocab.translate(e, dict(t))) for f in read(latex, backend) for e, t, _ in f
        }
    except Unparsed:
        return set()


@functools.cache
def latex_check(claim: Claim) -> dict:
    r"""The cross-check of one claim: its status, the backend that read it and a detail.

    Returns ``{"status": "agrees" | "differs" | "unparsed" | "not a formula", "backend":
    "antlr" | "lark" | None, "detail": str}``.

    >>> result = latex_check(REGISTRY["GRAD-6"])
    >>> result["status"], result["backend"]
    ('agrees', 'antlr')
    >>> latex_check(REGISTRY["TRAIN-2"])["status"]
    'not a formula'
    """
    if not is_formula_claim(claim):
        return dict(status="not a formula", backend=None, detail="not a formula of the tutorial")
    written, failures, differing = None, [], None
    for backend in BACKENDS:
        try:
            read(claim.source, backend, _FROM_ZERO.get(claim.section, ""))  # parse before proving
            written = written or claim.written()
            agrees, detail = _check(claim, backend, written)
        except Unparsed as exc:
            failures.append(str(exc))
            continue
        if agrees:
            return dict(status="agrees", backend=backend, detail=detail)
        differing = differing or dict(status="differs", backend=backend, detail=detail)
    return differing or dict(
        status="unparsed", backend=None, detail="; ".join(dict.fromkeys(failures))
    )


def share() -> tuple[int, int]:
    """(agreeing, formula claims): the issue asks for half at least, and aims at 80%."""
    found = formula_claims()
    return sum(latex_check(c)["status"] == "agrees" for c in found), len(found)
