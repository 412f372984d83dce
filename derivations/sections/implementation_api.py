r"""What scipy.special's `logsumexp` also offers: weights and signs (IMPL-14, IMPL-15).

Weights $b_i$, which may be negative, turn the sum into $\sum_i b_i e^{a_i}$. Factoring out
its largest kept term keeps the log1p form of IMPL-3 and gives the sign of the sum. Each
property calls the function under test as scipy.special's users do,
``f(a, axis=-1, b=…, return_sign=…)``, so the peers page shows which libraries support
each extra: a function that refuses an argument fails with the error it raised.
"""

from __future__ import annotations

import cmath
import math

import mpmath
import numpy as np
import sympy as sp

import softmax
from derivations.claim import declarations, prop
from derivations.evidence import Check, holds
from derivations.numeric import U
from derivations.proof import Proof, for_sizes, positive, step
from derivations.properties import ULP_BOUND
from derivations.sources import SCIPY
from softmax import _weighted, functions

declare = declarations(__name__)


def _weighted_exact(a, b):
    with mpmath.workdps(50):
        terms = (mpmath.mpf(float(w)) * mpmath.exp(float(v)) for v, w in zip(a, b, strict=True))
        return mpmath.fsum(terms)


_A = np.random.default_rng(140).normal(0.0, 3.0, (8, 6))
_B = np.where(np.random.default_rng(141).random((8, 6)) < 0.8, 1.0, 0.0) * np.random.default_rng(
    142
).uniform(0.1, 2.0, (8, 6))


@prop("logsumexp", "weights b (zeros mask entries) within 4 ulp")
def _weights(f):
    got = np.asarray(f(_A, axis=-1, b=_B), np.float64)
    worst = 0.0
    for row, value in enumerate(got):
        exact = mpmath.log(_weighted_exact(_A[row], _B[row]))
        worst = max(worst, float(abs(value - exact) / np.spacing(abs(float(exact)))))
    return Check("weights b", worst <= ULP_BOUND, f"max error {worst:.3g} ulp")


@prop("logsumexp", "return_sign: the sign of a sum with negative weights")
def _signs(f):
    a = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 1.0]])
    b = np.array([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]])
    lse, sign = f(a, axis=-1, b=b, return_sign=True)
    lse, sign = np.asarray(lse, np.float64), np.asarray(sign, np.float64)
    exact = mpmath.log(mpmath.e**2 - mpmath.e)  # |e^1 - e^2| and |e^2 - e^1|, 50 digits
    ulps = [float(abs(v - exact) / np.spacing(float(exact))) for v in lse[:2]]
    ok = (
        np.array_equal(sign, [-1.0, 1.0, 0.0])  # the cancelled pair is 0: log −∞, sign 0
        and lse[2] == -math.inf
        and max(ulps) <= ULP_BOUND  # the 4-ulp target
    )
    return Check("return_sign", ok, f"got {lse.tolist()}, {sign.tolist()}")


@prop("logsumexp", "complex input: log of the sum, imaginary part in (−π, π]")
def _complex(f):
    z = np.array([[1 + 3j, 2 + 2j, -1 - 3j], [0.5 + 3.1j, 0.5 + 3.1j, 0.0 + 0.0j]])
    got = np.asarray(f(z, axis=-1))
    worst = 0.0
    for row, value in enumerate(got):
        with mpmath.workdps(50):
            exact = complex(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpc(v)) for v in z[row])))
        worst = max(worst, abs(complex(value) - exact) / np.spacing(abs(exact)))
        worst = max(worst, 0.0 if -cmath.pi < complex(value).imag <= cmath.pi else math.inf)
    return Check("complex input", worst <= ULP_BOUND, f"max error {worst:.3g} ulp")


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
        budget = (n + 3) * U * kappa + 3 * U * (
            abs(a[k]) + abs(math.log(abs(b[k]))) + abs(exact) + 1
        )
        worst = max(worst, abs(got - exact) / budget)
    return holds(
        "logsumexp(a, b=b) within (M + 3)uκ + 3u(|m| + |log|b_k|| + |lse| + 1) on 400 random rows",
        worst <= 1.0,
        f"worst error {worst:.3f} of its budget",
    )


declare(
    id="IMPL-14",
    title=r"Weighted log-sum-exp in log1p form: $\log\lvert\sum b e^a\rvert = m + "
    r"\log\lvert b_k\rvert + \log\lvert 1 + s\rvert$",
    source=r"\log\Big|\sum_i b_i e^{a_i}\Big| = m + \log|b_k| + \log|1 + s|,\quad "
    r"s = \sum_{i \ne k} \frac{b_i}{b_k} e^{a_i - m}",
    expect="holds",
    uses=("IMPL-3",),
    written=lambda: for_sizes(_log1p_form, (1, 2, 3, 4), why="SymPy expands the sum size by size"),
    numeric=lambda: [_weighted_accuracy()],
    properties=(_weights, _complex),
    implementation=(softmax.logsumexp, _weighted),
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


declare(
    id="IMPL-15",
    title=r"The sign of a weighted sum: $\mathrm{sign}(b_k) \cdot \mathrm{sign}(1 + s)$",
    source=r"\operatorname{sign}\sum_i b_i e^{a_i} = "
    r"\operatorname{sign}(b_k)\,\operatorname{sign}(1 + s)",
    expect="holds",
    uses=("IMPL-14",),
    written=lambda: for_sizes(_sign_rule, (1, 2, 3, 4), why="SymPy expands the sum size by size"),
    numeric=lambda: [_signs_match()],
    properties=(_signs,),
    implementation=(softmax.logsumexp, _weighted),
    references=(SCIPY,),
    note="e^{a_k} > 0, so the sum has the sign of b_k (1 + s). A zero sum has sign 0 and "
    "log −∞; without return_sign a negative sum gives NaN, as scipy does.",
)
