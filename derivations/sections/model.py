r"""The linear model $g = w_j x_j$ ($x_0 = 1$) and softmax of one sample (MODEL-1, MODEL-2).

Tutorial: 建模, the linear model with its bias as the weight of $x_0 = 1$, and the softmax
of one sample over $m$ classes. The matrix forms are in `model_matrices`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations
from derivations.evidence import differs, holds
from derivations.matrices import (
    jj,
    q_ref,
    tt,
)
from derivations.numeric import ULP4, U, matrix_problem, vs_mp
from derivations.proof import Proof, step
from derivations.sources import BISHOP
from derivations.symbols import M, N, assume, softmax_vec, w, x

declare = declarations(__name__)

# --- MODEL-1 ------------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, nonnegative=True)
_WX = w[jj] * x[jj]


def _bias():
    rest = sp.Sum(_WX, (jj, 1, n))
    split = step("split off j = 0", sp.Sum(_WX, (jj, 0, n)), sp.Sum(_WX, (jj, 0, 0)) + rest)
    tail = step("x_0 = 1", (w[0] * x[0] + rest).subs(x[0], 1), w[0] + rest)
    return Proof((split, tail), assumptions=assume(n, sp.Eq(x[0], 1)))


def _bias_checks():
    X, W, _P = matrix_problem(1)
    gap = np.abs(X @ W.T - (W[:, 0] + X[:, 1:] @ W[:, 1:].T))
    # Two float64 dot products of N terms, summed in different orders: each is within
    # N·u·(|X||W|^T) of the exact value, so they differ by at most twice that.
    ok = np.all(gap <= 2 * X.shape[1] * U * (np.abs(X) @ np.abs(W).T))
    detail = f"max |Δ| = {gap.max():.3g}, within 2·N·u·|X||W|^T"
    return [
        holds("random_data puts x_0 = 1 in column 0", np.all(X[:, 0] == 1.0), f"X is {X.shape}"),
        holds("X W^T = W[:, 0] + X[:, 1:] W[:, 1:]^T", ok, detail),
    ]


declare(
    id="MODEL-1",
    title=r"The linear model: the bias $w_0$ is the weight of the constant feature $x_0 = 1$",
    source=r"g(x)=w_0+w_1x_1+w_2x_2+...+w_nx_n=w_jx_jj\in[0,n],x_0=1",
    expect="holds",
    uses=(),
    written=_bias,
    numeric=_bias_checks,
    implementation=(production.datasets.random_data,),
    note="w_jx_j is read with the summation convention (summed over j = 0 … n); the separator "
    "before j∈[0,n] is missing in the text.",
)

# --- MODEL-2 ------------------------------------------------------------------------------


def _written_q(ws, xs):
    """The text's form for one class: e^{sum_j w_ij x_j} over sum_j e^{w_ij x_j}."""
    terms = [a * b for a, b in zip(ws, xs, strict=True)]
    return sp.exp(sum(terms)) / sum(sp.exp(t) for t in terms)


def _classes(interval):
    """How many integers the interval holds at m = 5, by SymPy's set algebra."""
    return sp.Intersection(interval.subs(M, 5), sp.Integers).size


def _model_written():
    xs, ws = [1, sp.Symbol("x_1", real=True)], sp.symbols("w_10 w_11 w_20 w_21", real=True)
    correct = softmax_vec([ws[0] + ws[1] * xs[1], ws[2] + ws[3] * xs[1]])[0]
    total = 2 * _written_q([0, 0, 0], [1, 7, -3])  # W = 0, m = 2 classes, n = 2
    return Proof(
        (
            step("q_1 at m = 2, n = 1", _written_q(ws[:2], xs), correct),
            step("sum_i q_i at W = 0, m = 2, n = 2", total, 1),
            step("|(0, m) ∩ ℤ| = m", sp.Range(1, M).size, M),
            step("|(0, 5) ∩ ℤ| = 5", _classes(sp.Interval.open(0, M)), 5),
        ),
        general=False,
        sizes="m = 2, n ∈ {1, 2}; the range for symbolic m and at m = 5",
        counterexample={"W": "0, with m = 2, n = 2", "q_i": "1/3", "sum_i q_i": "2/3"},
    )


def _model_corrected():
    total = step("sum_i q_i = 1", sp.Sum(q_ref(0, tt), (tt, 0, M - 1)), 1)
    count = step("|(0, 5] ∩ ℤ| = 5", _classes(sp.Interval.Lopen(0, M)), 5)
    return Proof((total, count), assumptions=assume(M, N))


def _model_checks():
    X, W, _P = matrix_problem(2)
    Z = X @ W.T
    q, bad = production.softmax(Z), np.exp(Z) / np.exp(X[:, None, :] * W[None, :, :]).sum(2)
    return [
        vs_mp("softmax(XW^T) vs the corrected q_i", q, Z, rtol=ULP4),
        # `differs` refutes: each passes only if the written form misses by more than the
        # threshold, which is many orders above the ≤ 1e-15 rounding of these formulas, so
        # a pass cannot be rounding. The gaps are the wrong sum (features, not classes)
        # and the missing class m.
        differs("the written form vs softmax", bad, q, atol=1e-3),
        differs("row sums of the written form vs 1", bad.sum(axis=1), np.ones(len(X)), atol=1e-3),
        differs("sum over i ∈ (0, m) vs 1", q[:, :-1].sum(axis=1), np.ones(len(q)), atol=1e-6),
    ]


declare(
    id="MODEL-2",
    title=r"Softmax of the linear model: sum over the $m$ classes, not the features",
    source=r"softmax(x)=\frac{e^{w_{ij}x_j}}{\sum_j^ne^{w_ijx_j}},\ i\in(0,m),\ j\in[0.n]",
    expect="false-as-written",
    uses=(
        "MODEL-1",
        "SM-1",
    ),
    title_zh="线性模型的 softmax：分母对 m 个类别求和，而不是对特征求和",
    erratum_zh=(
        "原式的分母对同一类别的各个特征 j 累加 e^{w_ij x_j}，得到的比例不是在类别上归一化"
        "的（W = 0、三个特征、两个类别时每个都是 1/3）。分母应对类别 k 累加整个指数：Σ_k "
        "e^{Σ_j w_kj x_j}。"
    ),
    written=_model_written,
    corrected=_model_corrected,
    correction=r"q_i=\frac{e^{\sum_j w_{ij}x_j}}{\sum_{k=1}^{m}e^{\sum_j w_{kj}x_j}},\ i\in(0,m]",
    numeric=_model_checks,
    implementation=(production.softmax,),
    references=(BISHOP,),
    note="With the summation convention of the previous line the numerator is e^{Σ_j w_ij x_j}, "
    "but the denominator adds e^{w_ij x_j} over the features j of one class, so the ratios "
    "are not normalised over classes (W = 0, three features, two classes: 1/3 each). It must "
    "add the whole exponential over the classes k. The where-clause's range i∈(0,m) holds "
    "only m−1 classes; the text writes k∈(0,n] and k∈(0,o] for such ranges elsewhere, so it "
    "is checked with the formula whose index it defines ([0.n] is a typo for [0,n]).",
)
