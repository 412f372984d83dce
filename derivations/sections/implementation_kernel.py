r"""The compiled kernel's own arithmetic: its sum (IMPL-12) and its division (IMPL-13).

The sum: every term but the maximum's, once, in a fixed order whose rounding error is
bounded.

`softmax._kernels` adds $t = \sum_{i \ne k} e_i$ in chunks of 128 entries, each in eight
accumulators (lane $j$ takes the entries $j, j + 8, \dots$; the tail joins lane 0), and
adds the chunk sums as a binary counter. The proof rebuilds that order on symbols and
checks that it is the sum without $e_k$; the numeric checks run the compiled sum itself.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

import softmax._kernels as kernel
from derivations.evidence import holds
from derivations.proof import Proof, for_sizes, step
from derivations.registry import register
from softmax import _blocks

_U = 2.0**-53
HIGHAM = "Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §4.2 (pairwise sum)"
MARKSTEIN = (
    "Markstein, Computation of elementary functions on the IBM RISC System/6000 processor, "
    "IBM J. Res. Dev. 34(1), 1990"
)


def _chunk(terms):
    """One chunk in the kernel's order: eight lanes, the tail into lane 0, lanes paired."""
    full = len(terms) - len(terms) % 8
    lanes = [sp.Integer(0)] * 8
    for i in range(full):
        lanes[i % 8] = sp.Add(lanes[i % 8], terms[i], evaluate=False)
    for term in terms[full:]:
        lanes[0] = sp.Add(lanes[0], term, evaluate=False)
    pair = [sp.Add(lanes[2 * p], lanes[2 * p + 1], evaluate=False) for p in range(4)]
    return sp.Add(
        sp.Add(pair[0], pair[1], evaluate=False),
        sp.Add(pair[2], pair[3], evaluate=False),
        evaluate=False,
    )


def kernel_order(terms):
    """The kernel's grouping of `terms` (entries to skip already replaced by 0)."""
    chunks = [_chunk(terms[s : s + kernel.CHUNK]) for s in range(0, len(terms), kernel.CHUNK)]
    stack: dict[int, sp.Expr] = {}
    for s in chunks:
        level = 0
        while level in stack:
            s = sp.Add(stack.pop(level), s, evaluate=False)
            level += 1
        stack[level] = s
    total = sp.Integer(0)
    for level in sorted(stack):
        total = sp.Add(stack[level], total, evaluate=False)
    return total


def _grouping(n):
    e = sp.symbols(f"e_1:{n + 1}", positive=True)
    skip = n // 2  # which entry is the maximum's does not change the grouping
    terms = [sp.Integer(0) if i == skip else e[i] for i in range(n)]
    return Proof(
        (step("kernel order = Σ_{i≠k} e_i", kernel_order(terms), sum(e) - e[skip]),),
    )


def bound(n):
    r"""IMPL-12's relative error bound, in units of $u$, for a row of `n` terms.

    A lane adds at most 22 terms (16 of a full chunk; 15 and a tail of 7 in lane 0 of a
    partial one), 3 additions pair the lanes, and one more per level of the tree of
    $\lceil n / \mathrm{CHUNK}\rceil$ chunks (Higham 2002, §4.2: each addition errs by at
    most $u$ of its partial sum, and partial sums of non-negative terms are at most the
    total).
    """
    lane = max(kernel.CHUNK // 8, kernel.CHUNK // 8 - 1 + 7)
    chunks = max(1, math.ceil(n / kernel.CHUNK))
    return lane + 3 + math.ceil(math.log2(chunks))


def _exact_on_integers():
    """Integers sum exactly in float64: each term but the skipped one counted once."""
    bad = []
    for n in (*range(1, 40), 127, 128, 129, 1000, 4099):
        e = np.arange(1.0, n + 1.0)[None, :]
        for skip in {0, n // 3, n - 1}:
            w, got = kernel._scale_and_sum(e, 0, skip, np.empty(64))
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
        got = kernel._scale_and_sum(e, 0, 0, np.empty(64))[1]
        exact = math.fsum(e[0])
        rel = abs(got - exact) / exact / _U
        worst = max(worst, rel / bound(n))
        ok &= rel <= bound(n)
    return holds(
        "compiled sum of random positive rows (n = 10 .. 1e5) within the bound",
        ok,
        f"worst error {worst:.3f} of its bound",
    )


register(
    id="IMPL-12",
    title="The kernel's sum t: every term but the maximum's, in chunks added pairwise",
    section="implementation",
    source=r"t = \sum_{i \ne k} e_i,\quad |\hat t - t| \le "
    r"\big(25 + \lceil\log_2\lceil n/128\rceil\rceil\big)\,u\,t",
    expect="holds",
    written=lambda: for_sizes(
        _grouping,
        (1, 2, 7, 8, 9, 17, 130, 260),
        name="n",
        why="the grouping depends on n modulo 8 and 128; SymPy checks it size by size",
    ),
    numeric=lambda: [_exact_on_integers(), _within_bound()],
    implementation=("softmax.softmax", "softmax.log_softmax", "softmax.logsumexp"),
    references=(HIGHAM,),
    note="The maximum's e_k is set to 0 for the sum and put back (adding 0 is exact), so "
    "the loop has no branch and the grouping is the same wherever the maximum is. The "
    "bound is for non-negative terms (every e_i is), relative to t itself.",
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


register(
    id="IMPL-13",
    title="The kernel's division: the reciprocal and one correction give a / b",
    section="implementation",
    source=r"q = \mathrm{fl}\big(q_0 + (a - b q_0)\,y\big),\ q_0 = \mathrm{fl}(a y),\ "
    r"y = \mathrm{fl}(1/b):\quad q - \tfrac{a}{b} = \varepsilon\,\big(\tfrac{a}{b} - q_0\big)",
    expect="holds",
    written=_correction,
    numeric=lambda: [_division_equal()],
    implementation=("softmax.softmax", "softmax.cross_entropy_loss_and_grad"),
    references=(MARKSTEIN,),
    note="Before the final rounding, the corrected quotient errs by ε (|ε| ≤ u, the error of "
    "y) times the error of q₀ (at most an ulp), so it is within about u² of a/b and rounds "
    "to a/b except within u² of a rounding tie. a − b q₀ is exact in one fused multiply-add; "
    "the kernel lets LLVM fuse only there. A third of a division's cost.",
)
