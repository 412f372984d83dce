"""How the LaTeX cross-check compares a parsed expression with a side of a proof step.

Used by `derivations.latex_check`: `same` proves two expressions equal, `occurs` finds one
inside another with bound indices renamed.
"""

from __future__ import annotations

import sympy as sp

from derivations.proof import canonical, residual
from derivations.symbolic import ranged


def symbol_names(expr) -> set[str]:
    """Free symbols and entries (g[i], not g[k] of a sum over k): equal expressions share them."""
    free = expr.free_symbols
    return {str(s) for s in free if s.is_Symbol or (s.is_Indexed and s.free_symbols - {s} <= free)}


def same(x, side) -> bool:
    """`x = side` by a zero `residual` (Kronecker sums done), or a side shown as text by it."""
    if isinstance(side, str):
        return "".join(sp.sstr(x).split()) == "".join(side.split())
    if not isinstance(side, sp.Expr) or isinstance(side, sp.MatrixBase):
        return False
    if x.has(sp.KroneckerDelta):  # a sum over a one-hot label: carried out
        x, side = ranged(x).doit(), ranged(side).doit()
    try:  # only expressions with the same names go to the simplifier
        same_names = symbol_names(x) == symbol_names(side)
        return canonical(x) == canonical(side) or (same_names and residual(x, side) == 0)
    except Exception:  # a simplifier that fails proves nothing
        return False


def occurs(x, side) -> bool:
    r"""`x` is a subexpression of `side`, bound indices renamed: the statement is made of
    it, as SM-1's ratio $e^{g_i}/\sum_k e^{g_k}$ is the summand of $\sum_i P(S_i) = 1$."""
    target, names = canonical(x), symbol_names(x)
    return isinstance(side, sp.Basic) and any(
        isinstance(e, sp.Expr) and symbol_names(e) == names and canonical(e) == target
        for e in sp.preorder_traversal(side)
    )
