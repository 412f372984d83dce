r"""Symbols shared by the claims, with their assumptions carried by SymPy itself.

Sizes follow the tutorial's algorithm summary: $M$ classes, $N$ features, $O$ samples.
"""

from __future__ import annotations

import sympy as sp

M, N, O = sp.symbols("M N O", integer=True, positive=True)
i, j, k, l, r = sp.symbols("i j k l r", integer=True, positive=True)
g, p, q, w, x, z = (sp.IndexedBase(name, real=True) for name in "gpqwxz")
eta = sp.Symbol("eta", positive=True)
q_pos = sp.IndexedBase("q", positive=True)  # shares known to be positive
y = sp.Symbol("y", integer=True, positive=True)  # the labelled (true) class


def vector(name, n, **assumptions):
    """Concrete symbols name_1 .. name_n for size-specific proofs."""
    return list(sp.symbols(f"{name}_1:{n + 1}", **assumptions))


def _domain(symbol: sp.Symbol) -> str:
    r"""A symbol's SymPy assumptions as the set it ranges over, e.g. $M \in \mathbb{Z}_{>0}$."""
    a = symbol.assumptions0
    if a.get("integer"):
        base = r"\mathbb{Z}"
    elif a.get("real"):
        base = r"\mathbb{R}"
    else:
        return rf"{sp.latex(symbol)}:\ \text{{no assumption}}"
    sign = "_{>0}" if a.get("positive") else ("_{\\ge 0}" if a.get("nonnegative") else "")
    return rf"{sp.latex(symbol)} \in {base}{sign}"


def assume(*items) -> tuple[str, ...]:
    """LaTeX for each assumption: a symbol's SymPy assumptions, or a relation as given."""
    out = []
    for item in items:
        if isinstance(item, sp.Symbol):
            out.append(_domain(item))
        elif isinstance(item, sp.Basic):
            out.append(sp.latex(item))
        else:
            out.append(str(item))
    return tuple(out)


def softmax_vec(gs):
    """$q_i = e^{g_i} / \\sum_k e^{g_k}$ for a concrete list of logits."""
    denom = sum(sp.exp(v) for v in gs)
    return [sp.exp(v) / denom for v in gs]
