r"""Symbolic evidence: a proof is a list of steps, each with a residual that must be 0.

Following sympy's own identity tests, a step $a = b$ holds when `simplify(a - b)` is exactly
0; on failure the residual is what is reported (as the Physics Derivation Graph reports the
difference of a failing step). A chain $e_1 = e_2 = \dots$ is checked one link at a time, so
the first failing step is located.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import sympy as sp


@dataclass(frozen=True)
class Step:
    """One checked equality `lhs = rhs`; `residual` is `simplify(lhs - rhs)` or a message."""

    label: str
    lhs: object
    rhs: object
    residual: object
    #: `recheck(new_rhs)` recomputes the residual against another right side, and `target`
    #: is the right side as a SymPy value: the self-test perturbs it and expects failure.
    recheck: Callable | None = field(default=None, compare=False, repr=False)
    target: object = field(default=None, compare=False, repr=False)
    #: "=" for an identity, ">" for an inequality `lhs > target`.
    relation: str = "="

    @property
    def passed(self) -> bool:
        return isinstance(self.residual, sp.Basic) and self.residual == 0

    def latex(self) -> str:
        if self.relation == ">":
            lhs, target = readable_latex(self.lhs, self.target)
            return rf"{lhs} > {target}"
        lhs, rhs = readable_latex(self.lhs, self.rhs)
        return rf"{lhs} = {rhs}"


@dataclass(frozen=True)
class Proof:
    """The outcome of one symbolic check.

    `general` is True when the sizes (M classes, N features, O samples) stayed symbolic;
    otherwise `sizes` says for which sizes every step was checked exactly.
    """

    steps: tuple[Step, ...]
    general: bool = True
    sizes: str | None = None
    assumptions: tuple[str, ...] = ()
    note: str = ""
    counterexample: dict = field(default_factory=dict)
    is_chain: bool = False

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.passed for step in self.steps)

    @property
    def first_failure(self) -> Step | None:
        return next((step for step in self.steps if not step.passed), None)

    @property
    def residual(self):
        failure = self.first_failure
        return sp.Integer(0) if failure is None else failure.residual

    @property
    def statement(self) -> str:
        """LaTeX of what the proof establishes: a chain's first and last expressions, or
        each of its equalities."""
        if not self.steps:
            return ""
        if self.is_chain:
            first, last = readable_latex(self.steps[0].lhs, self.steps[-1].rhs)
            return rf"{first} = {last}"
        return r",\quad ".join(s.latex() for s in self.steps)


def canonical(expr, depth=0):
    """Rename every bound summation/product index to a canonical name by nesting depth.

    SymPy treats $\\sum_i f(i)$ and $\\sum_k f(k)$ as different expressions; after this they
    are the same, so their difference simplifies to 0.
    """
    if isinstance(expr, (sp.Sum, sp.Product)):
        body, limits = expr.function, []
        for n, (var, lo, hi) in enumerate(expr.limits):
            new = sp.Symbol(f"_b{depth}_{n}", **var.assumptions0)
            body = body.xreplace({var: new})
            limits.append((new, canonical(lo, depth), canonical(hi, depth)))
        return expr.func(canonical(body, depth + 1), *limits)
    if isinstance(expr, sp.Basic) and expr.args:
        return expr.func(*(canonical(a, depth) for a in expr.args))
    return expr


def simplify(expr, rounds=3):
    """The default simplifier: canonical bound indices and `sympy.simplify`, to a fixed point.

    Simplifying can move a sum out of another (changing its depth), so the renaming is
    repeated until the expression stops changing.
    """
    expr = sp.sympify(expr)
    for _ in range(rounds):
        new = canonical(_simplify_guarded(canonical(expr)))
        if new == expr:
            break
        expr = new
    return expr


def _simplify_guarded(expr):
    """`sympy.simplify`, working around sympy issue #14570: `sum_simplify` raises
    StopIteration on some sums of terms with a Sum in a denominator. There each such Sum is
    replaced by a fresh symbol (an exact substitution), simplified, and put back."""
    try:
        return sp.simplify(expr)
    except (RuntimeError, StopIteration):
        sums = sorted(expr.atoms(sp.Sum), key=sp.default_sort_key)
        stand_ins = {s: sp.Dummy(f"S{n}") for n, s in enumerate(sums)}
        back = {v: k for k, v in stand_ins.items()}
        return sp.simplify(expr.xreplace(stand_ins)).xreplace(back)


_READABLE = "klmnrst"


def readable_latex(*exprs) -> list[str]:
    """LaTeX of `exprs`, with SymPy's canonical bound indices (`_b0_0`, ...) renamed to
    letters that none of them uses, the same renaming for all."""
    basics = [e for e in exprs if isinstance(e, sp.Basic)]
    atoms = {a for e in basics for a in e.atoms(sp.Symbol)}
    taken = {a.name for a in atoms}
    letters = (c for c in _READABLE if c not in taken)
    canon = sorted((a for a in atoms if a.name.startswith("_b")), key=str)
    renames = {a: sp.Symbol(next(letters, a.name), **a.assumptions0) for a in canon}
    return [
        e if isinstance(e, str) else sp.latex(e.xreplace(renames) if renames else e) for e in exprs
    ]


def residual(lhs, rhs, simplifier: Callable = simplify):
    """`simplifier(lhs - rhs)`: exactly 0 when the identity holds."""
    diff = sp.sympify(lhs) - sp.sympify(rhs)
    if isinstance(diff, sp.MatrixBase):
        return sp.Matrix(diff.shape[0], diff.shape[1], [simplifier(e) for e in diff])
    return simplifier(diff)


def _zero_matrix_to_int(res):
    if isinstance(res, sp.MatrixBase) and res.is_zero_matrix:
        return sp.Integer(0)
    return res


def step(label, lhs, rhs, simplifier: Callable = simplify) -> Step:
    """Check one equality."""

    def recheck(new_rhs):
        return _zero_matrix_to_int(residual(lhs, new_rhs, simplifier))

    return Step(label, lhs, rhs, recheck(rhs), recheck, sp.sympify(rhs))


def evaluated(label, shown: str, value, target) -> Step:
    """Check `value = target` where the left side is displayed as the LaTeX `shown` (e.g. a
    supremum or a limit that SymPy evaluates at once)."""

    def recheck(new):
        return simplify(sp.sympify(value) - new)

    target = sp.sympify(target)
    return Step(label, shown, target, recheck(target), recheck, target)


def positive(label, expr, bound=0) -> Step:
    """Check the inequality `expr > bound` (decided by SymPy's assumptions, or numerically to
    50 digits when both sides are constants); on failure the residual says why."""

    def recheck(new_bound):
        gap = sp.simplify(sp.sympify(expr) - new_bound)
        if gap.is_positive or (gap.is_number and sp.N(gap, 50) > 0):
            return sp.Integer(0)
        return f"{sp.sstr(sp.N(gap, 6) if gap.is_number else gap)} is not > 0"

    bound = sp.sympify(bound)
    return Step(label, expr, f"> {sp.latex(bound)}", recheck(bound), recheck, bound, ">")


def identity(lhs, rhs, *, label="identity", simplifier: Callable = simplify, **kw) -> Proof:
    """A proof of a single identity `lhs = rhs`."""
    return Proof((step(label, lhs, rhs, simplifier),), **kw)


def chain(lines: Iterable[tuple[str, object]], simplifier: Callable = simplify, **kw) -> Proof:
    """Check a derivation line by line: each line equal to the next."""
    lines = list(lines)
    steps = tuple(
        step(f"{a} → {b}", ea, eb, simplifier) for (a, ea), (b, eb) in itertools.pairwise(lines)
    )
    return Proof(steps, is_chain=True, **kw)


def for_sizes(build: Callable[[int], Proof], sizes: Iterable[int], name="M", why="") -> Proof:
    """Run a size-specific proof for every size; report the first failing size.

    Used where a general proof is beyond SymPy: `why` records the reason.
    """
    sizes = list(sizes)
    steps: list[Step] = []
    assumptions: tuple[str, ...] = ()
    for n in sizes:
        proof = build(n)
        assumptions = proof.assumptions
        steps.extend(replace(s, label=f"{name}={n}: {s.label}") for s in proof.steps)
    bound = f"{name} ∈ {{{', '.join(map(str, sizes))}}}"
    return Proof(tuple(steps), general=False, sizes=bound, assumptions=assumptions, note=why)


def fails_with(label, lhs, rhs, message: str) -> Proof:
    """A statement that cannot even be formed (e.g. non-conformable shapes)."""
    return Proof((Step(label, lhs, rhs, message),))


def rounded(label, exact, stated, digits: int) -> Proof:
    """Check a printed decimal: `exact` rounded half-even to `digits` places equals `stated`.

    Both sides are exact rationals, so the residual is the exact difference.
    """
    value = sp.N(exact, 50)
    as_printed = sp.Rational(str(round(float(value), digits)))
    # round() on the float can differ from the exact decimal only at an exact tie, which a
    # transcendental value never is; assert it to be sure.
    assert abs(sp.Rational(str(value)) - as_printed) <= sp.Rational(1, 2 * 10**digits)
    shown = rf"\operatorname{{round}}_{{{digits}}}\left({sp.latex(exact)}\right)"
    stated_exact = sp.Rational(str(stated))

    def recheck(new):
        return as_printed - new

    return Proof(
        (Step(label, shown, f"{stated:.{digits}f}", recheck(stated_exact), recheck, stated_exact),),
        counterexample={"computed": f"{float(as_printed):.{digits}f}"},
    )


def steps_of(*proofs) -> tuple[Step, ...]:
    """The steps of several proofs, in order, as the steps of one."""
    return tuple(s for proof in proofs for s in proof.steps)


def doit_simplify(expr):
    """Carry out what a statement keeps unevaluated (limits, substitutions), then simplify."""
    return simplify(expr.doit())
