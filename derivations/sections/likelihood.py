r"""Maximum likelihood: the likelihood $\prod_i q_i^{p_i}$ and its forms (ML-1 to ML-4).

Tutorial (here $N$ counts classes): $\sum_i^N q_i = 1$, one-hot labels, the logistic
$P=q^p(1-q)^{(1-p)}$ and $P=\prod_i^N q_i^{p_i}$.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import close, holds
from derivations.numeric import U, mp_rows, near
from derivations.proof import Proof, chain, doit_simplify, identity, simplify, steps_of
from derivations.symbols import N, assume, g, i, k, p, q_pos, y

declare = declarations(__name__)

qs, ps = sp.symbols("q p", positive=True)
_LABEL = sp.KroneckerDelta(i, y)
_LOGISTIC = qs**ps * (1 - qs) ** (1 - ps)
_AT = {v: sp.Subs(_LOGISTIC, ps, v) for v in (0, 1)}  # P at the label p = v, unevaluated


def _one_hot(expr):
    """Simplify with p_i = δ_iy and 1 ≤ y ≤ N: products as sums, sums evaluated."""
    expr = sp.expand_log(expr.rewrite(sp.Sum), force=True).doit()
    return simplify(sp.refine(expr, sp.Q.le(y, N)))


def _two_class(q1):
    return np.log(np.stack([q1, 1.0 - q1], axis=1))


def _sums_to_one(q):
    # Each of the 9 entries within 2u, plus 9 rounded additions: 4·N·u.
    return close("softmax rows, N = 9", q.sum(axis=1), np.ones(len(q)), rtol=0, atol=36 * U)


declare(
    id="ML-1",
    title=r"The softmax outputs of the $N$ classes sum to 1",
    source=r"\sum_i^N q_i = 1",
    expect="holds",
    uses=("SM-1",),
    written=lambda: identity(
        sp.Sum(sp.exp(g[i]) / sp.Sum(sp.exp(g[k]), (k, 1, N)), (i, 1, N)),
        1,
        assumptions=assume(N, r"q_i = e^{g_i} / \sum_k^N e^{g_k}"),
    ),
    numeric=lambda: [
        _sums_to_one(production.softmax(np.random.default_rng(21).normal(0, 5, (300, 9))))
    ],
    implementation=(production.softmax,),
)


def _one_hot_checks():
    lab = production.datasets.random_data(400, 20, 5, seed=22)[1]
    z = np.random.default_rng(23).normal(0, 3, (400, 20))
    ok = np.isin(lab, (0, 1)).all() and (lab.sum(axis=1) == 1).all()
    got = production.cross_entropy(z, lab, reduction="none")
    want = -reference.log_softmax(z)[np.arange(400), lab.argmax(axis=1)]
    return [
        holds("random_data labels: entries 0/1, one 1 per row", ok, f"{lab.shape} labels"),
        # One log-softmax entry, a few u; the one-hot sum adds exact zeros.
        close("cross_entropy, one-hot rows = −ln q_y", got, want, rtol=8 * U, reference="mpmath"),
    ]


declare(
    id="ML-2",
    title="A one-hot label is a probability distribution (MECE classes)",
    source=r"\text{所有的}p_i\text{组合在一起实际上是个由1和0组成的数组，只有一个元素为1值}",
    expect="holds",
    uses=(),
    written=lambda: Proof(
        steps_of(
            identity(sp.Sum(_LABEL, (i, 1, N)), 1, simplifier=_one_hot, label="Σ_i δ_iy = 1"),
            identity(sp.Pow(_LABEL, 2, evaluate=False), _LABEL, label="entries are 0 or 1: δ² = δ"),
        ),
        assumptions=assume(r"p_i = \delta_{iy}", r"1 \le y \le N"),
    ),
    numeric=_one_hot_checks,
    implementation=(production.datasets.random_data, production.cross_entropy),
    note="Read as p_i = δ_iy for the true class y: entries 0 or 1 summing to 1.",
)


def _logistic_checks():
    q1 = np.random.default_rng(24).uniform(0.01, 0.99, 200)
    z = _two_class(q1)
    got = [production.log_likelihood(z, np.full(200, c), reduction="none") for c in (0, 1)]
    want = mp_rows(q1[:, None], lambda r: (mpmath.log(r[0]), mpmath.log(1 - r[0])))
    # Logits fl(ln q), fl(ln(1 − q)) and the renormalisation: a few u of max |log| < 4.7.
    return [
        near(
            "p = 1: ln q; p = 0: ln(1 − q)",
            np.stack(got, 1),
            want,
            16 * U * 4.7,
            "mpmath, 30 digits",
        )
    ]


declare(
    id="ML-3",
    title=r"Logistic likelihood $q^p (1 - q)^{1 - p}$ is the probability of the label",
    source=r"P=q^p(1-q)^{(1-p)}",
    expect="holds",
    uses=("ML-2",),
    written=lambda: Proof(
        steps_of(
            identity(_AT[1], qs, simplifier=doit_simplify, label="p = 1: P = q"),
            identity(_AT[0], 1 - qs, simplifier=doit_simplify, label="p = 0: P = 1 − q"),
            identity(_AT[1] + _AT[0], 1, simplifier=doit_simplify, label="P(1) + P(0) = 1"),
        ),
        assumptions=assume(r"p \in \{0, 1\}", r"0 < q < 1"),
    ),
    numeric=_logistic_checks,
    implementation=(production.log_likelihood,),
    note="The Bernoulli likelihood: with the label p ∈ {0, 1} (as the text states) it is q "
    "for p = 1 and 1 − q for p = 0. For a soft label 0 < p < 1 it is not a probability.",
)


def _product():
    two = sp.Subs(
        sp.Product(q_pos[i] ** p[i], (i, 1, 2)),
        (q_pos[1], q_pos[2], p[1], p[2]),
        (qs, 1 - qs, ps, 1 - ps),
    )
    one_hot = chain(
        [
            ("∏ q_i^{δ_iy}", sp.Product(q_pos[i] ** _LABEL, (i, 1, N))),
            ("exp Σ δ_iy ln q_i", sp.exp(sp.Sum(_LABEL * sp.log(q_pos[i]), (i, 1, N)))),
            ("q_y", q_pos[y]),
        ],
        simplifier=_one_hot,
    )
    logistic = identity(
        two,
        _LOGISTIC,
        simplifier=doit_simplify,
        label="N = 2, q_2 = 1 − q_1, p_2 = 1 − p_1: logistic",
    )
    return Proof(
        one_hot.steps + logistic.steps,
        assumptions=assume(r"p_i = \delta_{iy},\ 1 \le y \le N", "q_i > 0", r"p_1 + p_2 = 1"),
    )


def _logistic_value(q, p):
    return q**p * (1 - q) ** (1 - p)


def _product_checks():
    rng = np.random.default_rng(25)
    z, lab = rng.normal(0, 2, (300, 6)), rng.integers(0, 6, 300)
    q1, p1 = rng.uniform(0.01, 0.99, 200), rng.uniform(0, 1, 200)
    soft = production.log_likelihood(_two_class(q1), np.stack([p1, 1 - p1], 1), reduction="none")
    want = mp_rows(np.stack([q1, p1], 1), lambda r: mpmath.log(_logistic_value(*r)))
    got = np.exp(production.log_likelihood(z, lab, reduction="none"))
    q_y = reference.softmax(z)[np.arange(300), lab]
    return [
        # log-likelihood within a few u absolute; exp maps that to a relative error.
        close("exp(log_likelihood) = q_y", got, q_y, rtol=16 * U, reference="mpmath softmax"),
        # As ML-3, two terms: 32u of the largest |log|.
        near(
            "two classes, soft labels: log q^p (1 − q)^(1 − p)",
            soft,
            want,
            32 * U * 4.7,
            "mpmath, 30 digits",
        ),
    ]


declare(
    id="ML-4",
    title=r"The softmax likelihood: $q_y$ for a one-hot label, the logistic one for $N = 2$",
    source=r"P=\prod_i^N q_i^{p_i}",
    expect="holds",
    uses=(
        "ML-1",
        "ML-2",
        "ML-3",
    ),
    written=_product,
    numeric=_product_checks,
    implementation=(production.log_likelihood,),
    note="The 'similar structure' made exact: for two classes the product is q^p(1 − q)^(1 − p), "
    "and for a one-hot label it is the true class's share.",
)
