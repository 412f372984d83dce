r"""The compiled kernel's own arithmetic: its sum (IMPL-12) and its division (IMPL-13).

The sum: every term but the maximum's, once, in a fixed order whose rounding error is
bounded.

`softmax._tree` adds $t = \sum_{i \ne k} e_i$ by four-way folds, each level a quarter of
the one before, until at most 16 values are left, which eight lanes add (lane $j$ takes
the entries $j, j + 8, \dots$; the tail joins lane 0). The proof rebuilds that order on
symbols, checks that it is the sum without $e_k$, and counts its longest path of
additions, the bound $D(n)$; the numeric checks run the compiled sum itself.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import replace

import numpy as np
import sympy as sp

import softmax._kernels as kernel
import softmax._tree as tree
from derivations import sum_order
from derivations.claim import declarations
from derivations.evidence import holds
from derivations.numeric import U
from derivations.proof import Proof, for_sizes, positive, step
from derivations.sources import HIGHAM, MARKSTEIN
from softmax import _blocks, _column_kernels, _long_rows
from softmax import functions as production

declare = declarations(__name__)


#: The chunked order of rows longer than `softmax._long_rows.LONG`, at sizes SymPy can
#: hold: rows longer than 64 split into chunks of 16 (the kernel's are 2^17 and 2^15).
SCALED = {"long": 64, "chunk": 16}


def _grouping(n, sizes=None):
    sizes = sizes or {}
    e = sp.symbols(f"e_1:{n + 1}", positive=True)
    skip = n // 2  # which entry is the maximum's does not change the grouping
    terms = [sp.Integer(0) if i == skip else e[i] for i in range(n)]
    count = sum_order.depth(sum_order.kernel_order(list(e), **sizes))
    d = sum_order.bound(n, **sizes)
    chunked = n > sizes.get("long", n)
    return Proof(
        (
            step(
                "kernel order = Σ_{i≠k} e_i",
                sum_order.kernel_order(terms, **sizes),
                sum(e) - e[skip],
            ),
            # Unchunked, D(n) is the count itself; chunked, it is at least the count.
            positive("D(n) ≥ additions on the longest path", d, count - 1)
            if chunked
            else step("D(n) = additions on the longest path", d, count),
        ),
    )


def _written():
    why = "the grouping depends on n modulo 8 and 4 at each level; SymPy checks it size by size"
    whole = for_sizes(
        _grouping, (1, 2, 7, 8, 9, 15, 16, 17, 19, 63, 64, 67, 130, 260, 1027), "n", why
    )
    chunked = for_sizes(lambda n: _grouping(n, SCALED), (65, 100, 130), "n (chunked: 64, 16)", why)
    return replace(
        whole,
        steps=whole.steps + chunked.steps,
        sizes=f"{whole.sizes}; chunked {chunked.sizes}",
        note=f"{why}. Rows longer than softmax._long_rows.LONG are checked with the chunk "
        "and row sizes scaled down to 16 and 64; the compiled long-row sum is compared bit "
        "for bit at the kernel's own sizes.",
    )


def _same_bits():
    """The compiled sum is the proven tree: the same float64 additions, bit for bit."""
    rng = np.random.default_rng(33)
    differ = []
    for n in (5, 16, 17, 67, 260, 1027):
        row = rng.exponential(size=n) * np.exp(rng.normal(0.0, 5.0, n))
        got = tree.tree_sum(row, np.empty(tree.scratch_size(n)))
        if got != sum_order.kernel_order([float(v) for v in row], operator.add):
            differ.append(n)
    return holds(
        "compiled sum = the proof's tree added in float64, bit for bit (n = 5 .. 1027)",
        not differ,
        f"sizes whose bits differ: {differ}" if differ else "every size the same bits",
    )


@functools.cache
def _long_rows_reference():
    """Two long rows and m + log1p(t / w), t summed in the proven chunked order in Python
    floats: the slow part, which does not depend on the production code, done once."""
    rng = np.random.default_rng(34)
    rows = []
    for n in (_long_rows.LONG + 1, 3 * _long_rows.CHUNK + _long_rows.LONG + 7):
        x = rng.normal(0.0, 3.0, n)
        e = np.exp(x)
        k = int(np.argmax(x))  # a unique maximum: no tie to break
        w, e[k] = e[k], 0.0
        t = sum_order.kernel_order([float(v) for v in e], operator.add)
        rows.append((n, x, float(x[k] + np.log1p(t / w))))
    return rows


def _long_row_bits():
    """A row longer than LONG: production logsumexp = m + log1p(t / w) with t the proven
    chunked tree over NumPy's e^{x_i} in Python floats, bit for bit."""
    differ = [n for n, x, want in _long_rows_reference() if float(production.logsumexp(x)) != want]
    return holds(
        "a long row's logsumexp = m + log1p(t/w) with t the proven chunked tree, bit for bit",
        not differ,
        f"sizes whose bits differ: {differ}" if differ else "the same bits at both sizes",
    )


@functools.cache
def _bound_closed_form():
    """D(n) ≤ 2 log2(n) + 4 for every n up to 2^20 (chunked rows included)."""
    worst = max(sum_order.bound(n) - 2 * math.log2(n) for n in range(1, 2**20))
    return holds(
        "D(n) ≤ 2 log₂ n + 4 for every n = 1 .. 2²⁰",
        worst <= 4,
        f"largest D(n) − 2 log₂ n: {worst:.3f}",
    )


def _exact_on_integers():
    """Integers sum exactly in float64: each term but the skipped one counted once."""
    bad = []
    for n in (*range(1, 40), 127, 128, 129, 1000, 4099):
        e = np.arange(1.0, n + 1.0)[None, :]
        for skip in {0, n // 3, n - 1}:
            w, got = kernel._scale_and_sum(e, 0, skip, np.empty(tree.scratch_size(n)))
            if w != skip + 1 or got != n * (n + 1) / 2 - (skip + 1):
                bad.append((n, skip, got))
    return holds(
        "compiled w = e_k and sum of 1..n without e_k are exact (n up to 4099, three k each)",
        not bad,
        f"wrong sums (n, k, got): {bad[:3]}" if bad else "every sum exact",
    )


def _within_bound():
    """Random positive rows against math.fsum (exactly rounded) within `bound`."""
    rng = np.random.default_rng(31)
    worst = 0.0
    ok = True
    for n in (10, 100, 1000, 10_000, 100_000):
        e = rng.exponential(1.0, (1, n)) * np.exp(rng.normal(0, 3, (1, n)))
        e[0, 0] = 0.0  # the entry the sum leaves out
        got = kernel._scale_and_sum(e, 0, 0, np.empty(tree.scratch_size(n)))[1]
        exact = math.fsum(e[0])
        rel = abs(got - exact) / exact / U
        worst = max(worst, rel / sum_order.bound(n))
        ok &= rel <= sum_order.bound(n)
    return holds(
        "compiled sum of random positive rows (n = 10 .. 1e5) within the bound",
        ok,
        f"worst error {worst:.3f} of its bound",
    )


declare(
    id="IMPL-12",
    title=r"The kernel's sum $t$: every term but the maximum's, by four-way folds",
    source=r"t = \sum_{i \ne k} e_i,\quad |\hat t - t| \le D(n)\,u\,t "
    r"\le \big(2\log_2 n + 4\big)\,u\,t",
    expect="holds",
    uses=("IMPL-11",),
    written=_written,
    numeric=lambda: [
        _same_bits(),
        _long_row_bits(),
        _exact_on_integers(),
        _within_bound(),
        _bound_closed_form(),
    ],
    implementation=(
        production.logsumexp,
        kernel,
        kernel.finish_softmax,
        kernel._scale_and_sum,
        tree,
        tree.tree_sum,
        _column_kernels,
        _long_rows,
    ),
    references=(HIGHAM,),
    note="The maximum's e_k is set to 0 for the sum and put back (adding 0 is exact), so "
    "the loops have no branch and the grouping is the same wherever the maximum is. Each "
    "fold is an elementwise loop, which LLVM vectorises where it would not vectorise a "
    "running sum without reordering it. The bound is for non-negative terms (every e_i "
    "is), relative to t itself.",
)


# --- the division --------------------------------------------------------------------

_a, _b, _q0, _eps = sp.symbols("a b q_0 epsilon", real=True)


def _correction():
    """With y = (1 + ε)/b, the corrected quotient errs by ε times the first one's error."""
    y = (1 + _eps) / _b
    corrected = _q0 + (_a - _b * _q0) * y
    return Proof(
        (
            step(
                "q₀ + (a − b q₀) y − a/b = ε (a/b − q₀)",
                corrected - _a / _b,
                _eps * (_a / _b - _q0),
            ),
        ),
        assumptions=("b \\ne 0",),
    )


def _division_equal():
    """The compiled division against NumPy's, which rounds a / b correctly."""
    rng = np.random.default_rng(32)
    kernels = _blocks.kernels()
    differing = 0
    for _ in range(40):
        e = rng.random((1, 2048)) * 10.0 ** rng.uniform(-300, 300)
        scale = rng.uniform(1.0, 1e3) * 10.0 ** rng.uniform(-5, 5)
        out = np.empty_like(e)
        kernels._divide(e, 0, scale, out, True)
        differing += int(np.sum(out != e / scale))
    return holds(
        "compiled q₀ + (a − b q₀) y equals a / b correctly rounded (81 920 random quotients)",
        differing == 0,
        f"{differing} quotients differ from a / b",
    )


declare(
    id="IMPL-13",
    title=r"The kernel's division: the reciprocal and one correction give $a / b$",
    source=r"q = \mathrm{fl}\big(q_0 + (a - b q_0)\,y\big),\ q_0 = \mathrm{fl}(a y),\ "
    r"y = \mathrm{fl}(1/b):\quad q - \tfrac{a}{b} = \varepsilon\,\big(\tfrac{a}{b} - q_0\big)",
    expect="holds",
    uses=("SM-1",),
    written=_correction,
    numeric=lambda: [_division_equal()],
    implementation=(kernel, kernel._divide),
    references=(MARKSTEIN,),
    note="Before the final rounding, the corrected quotient errs by ε (|ε| ≤ u, the error of "
    "y) times the error of q₀ (at most an ulp), so it is within about u² of a/b and rounds "
    "to a/b except within u² of a rounding tie. a − b q₀ is exact in one fused multiply-add; "
    "the kernel lets LLVM fuse only there. A third of a division's cost.",
)
