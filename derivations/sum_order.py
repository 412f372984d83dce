r"""The order in which the compiled kernel adds a row, rebuilt on symbols or on floats.

`softmax._tree` folds a row four ways until at most `BASE` values are left and adds those
in eight lanes; `softmax._long_rows` does that for each chunk of a row longer than `LONG`
and then for the chunk sums. `kernel_order` rebuilds the same tree of additions with any
`add`: SymPy's unevaluated `Add` for the proof of claim IMPL-12, `operator.add` on Python
floats for a bit-for-bit comparison with the compiled kernel. `bound` counts the additions
on the longest path from a term to the sum, the relative error bound $D(n)$ in units of $u$.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp

from softmax import _long_rows, _tree


def symbolic_add(a, b):
    """An addition that SymPy keeps as written."""
    return sp.Add(a, b, evaluate=False)


def _lanes(terms, add):
    """Eight lanes: term i in lane i mod 8, the tail in lane 0, the lanes paired. A lane
    starts at its first term (the kernel's 0 + a is exact)."""
    full = len(terms) - len(terms) % 8
    lanes = [0] * 8
    for i, term in enumerate(terms):
        lane = i % 8 if i < full else 0
        lanes[lane] = term if lanes[lane] == 0 else add(lanes[lane], term)
    pairs = [add(lanes[2 * p], lanes[2 * p + 1]) for p in range(4)]
    return add(add(pairs[0], pairs[1]), add(pairs[2], pairs[3]))


def _fold(terms, add):
    """One level: (s_i + s_{i+h}) + (s_{i+2h} + s_{i+3h}) for i < h, the left-over entries
    added to the first ones."""
    h = len(terms) // 4
    out = [
        add(add(terms[i], terms[i + h]), add(terms[i + 2 * h], terms[i + 3 * h])) for i in range(h)
    ]
    for j, term in enumerate(terms[4 * h :]):
        out[j] = add(out[j], term)
    return out


def fold_to_base(terms, add):
    """The levels of `softmax._tree`'s folds, repeated until at most `BASE` terms are left."""
    while len(terms) > _tree.BASE:
        terms = _fold(terms, add)
    return terms


def _tree_order(terms, add):
    return _lanes(fold_to_base(terms, add), add)


def kernel_order(terms, add: Callable = symbolic_add, long=_long_rows.LONG, chunk=_long_rows.CHUNK):
    """The kernel's grouping of `terms` (the entry to skip already replaced by 0)."""
    if len(terms) > long:
        sums = [_tree_order(terms[s : s + chunk], add) for s in range(0, len(terms), chunk)]
        return _tree_order(sums, add)
    return _tree_order(list(terms), add)


def _tree_bound(n):
    if n <= _tree.BASE:
        return n // 8 + n % 8 + 2 if n else 0
    return 2 + (1 if n % 4 else 0) + _tree_bound(n // 4)


def bound(n, long=_long_rows.LONG, chunk=_long_rows.CHUNK):
    r"""$D(n)$ for a row of `n` terms.

    Each addition errs by at most $u$ of its partial sum, and partial sums of non-negative
    terms are at most the total (Higham 2002, §4.2), so $D(n)$ counts the additions on
    the longest path from a term to the sum. Eight lanes of $L$ terms: lane 0 holds
    $\lfloor L/8 \rfloor + (L \bmod 8)$ terms, so that many less one additions, and 3 pair
    the lanes. A fold adds 2 to every path and 1 more to the left-over entries' and their
    targets'. A chunked row adds its deepest chunk's count to the chunk sums' tree's.
    """
    if n > long:
        deepest = max(_tree_bound(min(chunk, n - s)) for s in range(0, n, chunk))
        return deepest + _tree_bound(math.ceil(n / chunk))
    return _tree_bound(n)


def depth(expr):
    """Additions on the longest path from the sum to a term of a SymPy tree."""
    if not isinstance(expr, sp.Add):
        return 0
    return 1 + max(depth(arg) for arg in expr.args)
