r"""What scipy.special's `logsumexp` and `softmax` also offer: weights, signs, the empty
sum and several axes (IMPL-14 to IMPL-17).

Weights $b_i$, which may be negative, turn the sum into $\sum_i b_i e^{a_i}$. Factoring out
its largest kept term keeps the log1p form of IMPL-3 and gives the sign of the sum. A
slice with no entries is the empty sum, 0, whose log is $-\infty$. A slice over several
axes is one distribution of all their entries.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from derivations import conform
from derivations.evidence import holds
from derivations.proof import Proof, for_sizes, positive, step
from derivations.registry import register
from softmax import functions

_U = 2.0**-53
SCIPY = "scipy.special.logsumexp, softmax (SciPy 1.17 documentation): b, return_sign, axis"


def _weighted_terms(n):
    a = sp.symbols(f"a_1:{n + 1}", real=True)
    b = sp.symbols(f"b_1:{n + 1}", real=True, nonzero=True)
    k = 0  # which term is the largest does not change the algebra
    s = sum((b[i] / b[k]) * sp.exp(a[i] - a[k]) for i in range(n) if i != k)
    total = sum(b[i] * sp.exp(a[i]) for i in range(n))
    return a[k], b[k], s, total


def _log1p_form(n):
    ak, bk, s, total = _weighted_terms(n)
    return Proof(
        (
            step("Σ b_i e^{a_i} = b_k e^{a_k} (1 + s)", total, bk * sp.exp(ak) * (1 + s)),
            step(
                "exp(a_k + log|b_k| + log|1 + s|) = |Σ b_i e^{a_i}|",
                sp.exp(ak + sp.log(sp.Abs(bk)) + sp.log(sp.Abs(1 + s))),
                sp.Abs(bk * sp.exp(ak) * (1 + s)),
            ),
        ),
        assumptions=("a_i real", "b_i real and nonzero (zero weights drop their terms)"),
    )


def _exact(a, b):
    """log|Σ b e^a| and its sign, to 50 digits (mpmath)."""
    with mpmath.workdps(50):
        terms = (mpmath.mpf(float(w)) * mpmath.exp(float(v)) for v, w in zip(a, b, strict=True))
        total = mpmath.fsum(terms)
        if total == 0:
            return -math.inf, 0.0
        return float(mpmath.log(abs(total))), float(mpmath.sign(total))


def _random_weighted(rng, n):
    a = rng.normal(0.0, rng.choice([1.0, 10.0, 300.0]), n)
    b = rng.normal(0.0, 1.0, n) * (rng.random(n) < 0.8)
    return a, b


def _weighted_accuracy():
    r"""Production `logsumexp(a, b=b)` against 50 digits, in units of the sum's condition.

    The sum of $M$ terms of either sign errs by at most about $(M + 3)u\,\kappa$ relative,
    $\kappa = \sum_i |b_i e^{a_i}| / |\sum_i b_i e^{a_i}|$ (Higham 2002, §4.2, with an
    ulp for each exponential, product and the shift's correction); that error is absolute
    in the log, to which the roundings of $m + \log|b_k| + \log|1 + s|$ add $3u$ of each.
    """
    rng = np.random.default_rng(140)
    worst = 0.0
    for _ in range(400):
        n = int(rng.integers(1, 40))
        a, b = _random_weighted(rng, n)
        exact, _ = _exact(a, b)
        got = float(functions.logsumexp(a, b=b, return_sign=True)[0])
        if exact == -math.inf:
            worst = max(worst, 0.0 if got == -math.inf else math.inf)
            continue
        with mpmath.workdps(50):
            absolute = mpmath.fsum(
                abs(mpmath.mpf(float(w)) * mpmath.exp(float(v))) for v, w in zip(a, b, strict=True)
            )
            kappa = float(absolute / mpmath.exp(exact))
        k = int(np.argmax(np.where(b != 0, a, -np.inf)))
        budget = (n + 3) * _U * kappa + 3 * _U * (
            abs(a[k]) + abs(math.log(abs(b[k]))) + abs(exact) + 1
        )
        worst = max(worst, abs(got - exact) / budget)
    return holds(
        "logsumexp(a, b=b) within (M + 3)uκ + 3u(|m| + |log|b_k|| + |lse| + 1) on 400 random rows",
        worst <= 1.0,
        f"worst error {worst:.3f} of its budget",
    )


register(
    id="IMPL-14",
    title="Weighted log-sum-exp in log1p form: log|Σ b e^a| = m + log|b_k| + log|1 + s|",
    section="implementation",
    source=r"\log\Big|\sum_i b_i e^{a_i}\Big| = m + \log|b_k| + \log|1 + s|,\quad "
    r"s = \sum_{i \ne k} \frac{b_i}{b_k} e^{a_i - m}",
    expect="holds",
    written=lambda: for_sizes(_log1p_form, (1, 2, 3, 4), why="SymPy expands the sum size by size"),
    numeric=lambda: [_weighted_accuracy(), *conform.project_checks("IMPL-14")],
    implementation=("softmax.logsumexp",),
    references=(SCIPY,),
    note="k is the first index of the largest a_i among the terms with b_i ≠ 0, and m = a_k, "
    "so every e^{a_i - m} ≤ 1 and nothing overflows. log|1 + s| is log1p(s) for s > −1, which "
    "keeps a small s that 1 + s would round away; below −1 the sum is negative.",
)


def _sign_rule(n):
    _, bk, s, total = _weighted_terms(n)
    return Proof(
        (
            positive(
                "Σ b_i e^{a_i} / (b_k (1 + s)) = e^{a_k} > 0", sp.simplify(total / (bk * (1 + s)))
            ),
        ),
        assumptions=("a_i real", "b_i real and nonzero", "1 + s ≠ 0 (else the sum is 0: sign 0)"),
    )


def _signs_match():
    """Production signs against the exact sum's, zero sums included."""
    rng = np.random.default_rng(150)
    cases = [(np.array([1.0, 1.0]), np.array([1.0, -1.0])), (np.array([0.5]), np.array([0.0]))]
    cases += [_random_weighted(rng, int(rng.integers(1, 12))) for _ in range(300)]
    bad = []
    for a, b in cases:
        _, sign = functions.logsumexp(a, b=b, return_sign=True)
        if float(sign) != _exact(a, b)[1]:
            bad.append((a.tolist(), b.tolist()))
    return holds(
        "return_sign equals the sign of the exact sum (302 rows, two with a zero sum)",
        not bad,
        f"{len(bad)} wrong, first {bad[0]}" if bad else "every sign right",
    )


register(
    id="IMPL-15",
    title="The sign of a weighted sum: sign(b_k) · sign(1 + s)",
    section="implementation",
    source=r"\operatorname{sign}\sum_i b_i e^{a_i} = "
    r"\operatorname{sign}(b_k)\,\operatorname{sign}(1 + s)",
    expect="holds",
    written=lambda: for_sizes(_sign_rule, (1, 2, 3, 4), why="SymPy expands the sum size by size"),
    numeric=lambda: [_signs_match(), *conform.project_checks("IMPL-15")],
    implementation=("softmax.logsumexp",),
    references=(SCIPY,),
    note="e^{a_k} > 0, so the sum has the sign of b_k (1 + s). A zero sum has sign 0 and "
    "log −∞; without return_sign a negative sum gives NaN, as scipy does.",
)


def _empty_sum():
    i, n = sp.symbols("i n", integer=True)
    a = sp.IndexedBase("a")
    t = sp.Symbol("t", positive=True)
    return Proof(
        (
            step("Σ_{i=1}^{0} e^{a_i} = 0", sp.Sum(sp.exp(a[i]), (i, 1, 0)).doit(), 0),
            # −∞ − (−∞) is undefined, so the limit is checked through exp: e^{lim} = 0.
            step(
                "exp(lim_{t→0⁺} log t) = 0, i.e. log 0 = −∞",
                sp.exp(sp.limit(sp.log(t), t, 0, "+")),
                0,
            ),
            step(
                "Σ_{i=1}^{n} e^{a_i} + Σ_{∅} = Σ_{i=1}^{n} e^{a_i} (the empty slice adds nothing)",
                sp.Sum(sp.exp(a[i]), (i, 1, n)) + sp.Sum(sp.exp(a[i]), (i, 1, 0)).doit(),
                sp.Sum(sp.exp(a[i]), (i, 1, n)),
            ),
        )
    )


def _empty_results():
    checks = {
        "logsumexp([]) = −∞": functions.logsumexp([]) == -np.inf,
        "(3, 0) → three −∞": np.array_equal(functions.logsumexp(np.zeros((3, 0))), [-np.inf] * 3),
        "sign 0": functions.logsumexp([], return_sign=True)[1] == 0.0,
        "all weights 0 → −∞": functions.logsumexp([1.0, 2.0], b=[0.0, 0.0]) == -np.inf,
        "softmax of (2, 0) is (2, 0)": functions.softmax(np.zeros((2, 0))).shape == (2, 0),
        "log_softmax of (0, 3) is (0, 3)": functions.log_softmax(np.zeros((0, 3))).shape == (0, 3),
    }
    failed = [name for name, ok in checks.items() if not ok]
    return holds(
        "empty slices: " + "; ".join(checks),
        not failed,
        f"wrong: {failed}" if failed else "every case as stated",
    )


register(
    id="IMPL-16",
    title="The empty sum: logsumexp of no entries is log 0 = −∞",
    section="implementation",
    source=r"\operatorname{lse}(\varnothing) = \log \sum_{i \in \varnothing} e^{a_i} "
    r"= \log 0 = -\infty",
    expect="holds",
    written=_empty_sum,
    numeric=lambda: [_empty_results(), *conform.project_checks("IMPL-16")],
    implementation=("softmax.logsumexp", "softmax.softmax", "softmax.log_softmax"),
    references=(SCIPY,),
    note="−∞ is the only value that keeps lse(a ∪ ∅) = lse(a), as 0 is for the sum. "
    "softmax and log_softmax of an empty slice are empty: there is nothing to normalise.",
)


def _flattened(shape):
    rows, cols = shape
    z = sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"z_{i}{j}", real=True))
    block = sum(sp.exp(v) for v in z)
    flat = list(z)
    flat_total = sum(sp.exp(v) for v in flat)
    return Proof(
        tuple(
            step(
                f"q_{{{i}{j}}} over the block = entry {i * cols + j} of the flat softmax",
                sp.exp(z[i, j]) / block,
                sp.exp(flat[i * cols + j]) / flat_total,
            )
            for i in range(rows)
            for j in range(cols)
        )
    )


def _axes_match():
    rng = np.random.default_rng(170)
    x = rng.normal(0.0, 5.0, (3, 4, 5))
    same = []
    for axes in ((1, 2), (0, 2), (0, 1, 2)):
        flat = np.moveaxis(x, axes, range(3 - len(axes), 3)).reshape(
            *[x.shape[a] for a in range(3) if a not in axes], -1
        )
        got = np.moveaxis(functions.softmax(x, axis=axes), axes, range(3 - len(axes), 3))
        same.append(np.array_equal(got.reshape(flat.shape), functions.softmax(flat)))
        same.append(
            np.array_equal(
                functions.logsumexp(x, axis=axes).reshape(-1), functions.logsumexp(flat).reshape(-1)
            )
        )
    same.append(
        np.array_equal(
            functions.softmax(x, axis=None).reshape(-1), functions.softmax(x.reshape(-1))
        )
    )
    return holds(
        "softmax and logsumexp over axes (1, 2), (0, 2), (0, 1, 2) and None = over the "
        "flattened slice, bit for bit",
        all(same),
        f"{same.count(False)} of {len(same)} differ" if not all(same) else "the same bits",
    )


register(
    id="IMPL-17",
    title="Softmax over a tuple of axes is softmax of the flattened slice",
    section="implementation",
    source=r"\operatorname{softmax}_{(a_1, a_2)}(z)_{ij} = "
    r"\frac{e^{z_{ij}}}{\sum_{k, l} e^{z_{kl}}} = "
    r"\operatorname{softmax}(\operatorname{vec} z)_{(i, j)}",
    expect="holds",
    written=lambda: for_sizes(
        lambda n: _flattened((2, n)),
        (1, 2, 3),
        name="columns",
        why="one block of 2 rows, column by column",
    ),
    numeric=lambda: [_axes_match(), *conform.project_checks("IMPL-17")],
    implementation=("softmax.softmax", "softmax.log_softmax", "softmax.logsumexp"),
    references=(SCIPY,),
    note="The normaliser sums over every entry of the slice, in whatever order they are "
    "listed, so the slice's axes can be moved to the end and flattened (softmax._axes).",
)
