r"""Maximum likelihood: the likelihood $\prod_i q_i^{p_i}$, its logarithm, and cross-entropy.

Tutorial (here $N$ counts classes): $\sum_i^N q_i = 1$, one-hot labels, the logistic
$P=q^p(1-q)^{(1-p)}$, $P=\prod_i^N q_i^{p_i}$, $L=\log\prod_i^Nq_i^{p_i}=\sum_i^Np_i\log{q_i}$,
"the same expression as cross-entropy", and the loss over many samples.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.evidence import close, differs, holds
from derivations.proof import Proof, chain, identity, simplify
from derivations.registry import register
from derivations.symbols import M, N, O, assume, g, i, j, k

P, Q = sp.IndexedBase("p", real=True), sp.IndexedBase("q", positive=True)
y = sp.Symbol("y", integer=True, positive=True)  # the true class
qs, ps = sp.symbols("q p", positive=True)
base = sp.Symbol("x", positive=True)
_U = 2.0**-53
_rng = np.random.default_rng
_LL = ("softmax.log_likelihood",)
_KW = dict(section="likelihood")
_LABEL = sp.KroneckerDelta(i, y)
_LOGL = sp.Sum(P[i] * sp.log(Q[i]), (i, 1, N))
_LOGISTIC = qs**ps * (1 - qs) ** (1 - ps)
_AT = {v: sp.Subs(_LOGISTIC, ps, v) for v in (0, 1)}  # P at the label p = v, unevaluated
_PROD = sp.log(sp.Product(Q[i] ** P[i], (i, 1, N)))
_CE_X = sp.Sum(P[i] * sp.log(1 / Q[i]) / sp.log(base), (i, 1, N))  # CE-1, base x


def _one_hot(expr):
    """Simplify with p_i = δ_iy and 1 ≤ y ≤ N: products as sums, sums evaluated."""
    expr = sp.expand_log(expr.rewrite(sp.Sum), force=True).doit()
    return simplify(sp.refine(expr, sp.Q.le(y, N)))


def _doit(expr):
    """Carry out the substitutions kept unevaluated in the statement, then simplify."""
    return simplify(expr.doit())


def _as_sums(expr):
    return simplify(expr.rewrite(sp.Sum))


def _steps(*proofs):
    return tuple(s for pr in proofs for s in pr.steps)


def _mp_rows(rows, fn):
    with mpmath.workdps(30):
        return [np.array(fn([mpmath.mpf(float(v)) for v in row]), float) for row in rows]


def _vs_mp(name, got, want, atol):
    return close(name, got, want, rtol=0, atol=atol, reference="mpmath, 30 digits")


def _two_class(q1):
    return np.log(np.stack([q1, 1.0 - q1], axis=1))


def _sums_to_one(q):
    # Each of the 9 entries within 2u, plus 9 rounded additions: 4·N·u.
    return close("softmax rows, N = 9", q.sum(axis=1), np.ones(len(q)), rtol=0, atol=36 * _U)


register(
    id="ML-1",
    title="The softmax outputs of the N classes sum to 1",
    source=r"\sum_i^N q_i = 1",
    expect="holds",
    written=lambda: identity(
        sp.Sum(sp.exp(g[i]) / sp.Sum(sp.exp(g[k]), (k, 1, N)), (i, 1, N)),
        1,
        assumptions=assume(N, r"q_i = e^{g_i} / \sum_k^N e^{g_k}"),
    ),
    numeric=lambda: [_sums_to_one(production.softmax(_rng(21).normal(0, 5, (300, 9))))],
    implementation=("softmax.softmax",),
    **_KW,
)


def _one_hot_checks():
    lab = production.datasets.random_data(400, 20, 5, seed=22)[1]
    z = _rng(23).normal(0, 3, (400, 20))
    ok = np.isin(lab, (0, 1)).all() and (lab.sum(axis=1) == 1).all()
    got = production.cross_entropy(z, lab, reduction="none")
    want = -reference.log_softmax(z)[np.arange(400), lab.argmax(axis=1)]
    return [
        holds("random_data labels: entries 0/1, one 1 per row", ok, f"{lab.shape} labels"),
        # One log-softmax entry, a few u; the one-hot sum adds exact zeros.
        close("cross_entropy, one-hot rows = −ln q_y", got, want, rtol=8 * _U, reference="mpmath"),
    ]


register(
    id="ML-2",
    title="A one-hot label is a probability distribution (MECE classes)",
    source=r"\text{所有的}p_i\text{组合在一起实际上是个由1和0组成的数组，只有一个元素为1值}",
    expect="holds",
    written=lambda: Proof(
        _steps(
            identity(sp.Sum(_LABEL, (i, 1, N)), 1, simplifier=_one_hot, label="Σ_i δ_iy = 1"),
            identity(sp.Pow(_LABEL, 2, evaluate=False), _LABEL, label="entries are 0 or 1: δ² = δ"),
        ),
        assumptions=assume(r"p_i = \delta_{iy}", r"1 \le y \le N"),
    ),
    numeric=_one_hot_checks,
    implementation=("softmax.datasets.random_data", "softmax.cross_entropy"),
    note="Read as p_i = δ_iy for the true class y: entries 0 or 1 summing to 1.",
    **_KW,
)


def _logistic_checks():
    q1 = _rng(24).uniform(0.01, 0.99, 200)
    z = _two_class(q1)
    got = [production.log_likelihood(z, np.full(200, c), reduction="none") for c in (0, 1)]
    want = _mp_rows(q1[:, None], lambda r: (mpmath.log(r[0]), mpmath.log(1 - r[0])))
    # Logits fl(ln q), fl(ln(1 − q)) and the renormalisation: a few u of max |log| < 4.7.
    return [_vs_mp("p = 1: ln q; p = 0: ln(1 − q)", np.stack(got, 1), want, 16 * _U * 4.7)]


register(
    id="ML-3",
    title="Logistic likelihood q^p (1 − q)^(1 − p) is the probability of the label",
    source=r"P=q^p(1-q)^{(1-p)}",
    expect="holds",
    written=lambda: Proof(
        _steps(
            identity(_AT[1], qs, simplifier=_doit, label="p = 1: P = q"),
            identity(_AT[0], 1 - qs, simplifier=_doit, label="p = 0: P = 1 − q"),
            identity(_AT[1] + _AT[0], 1, simplifier=_doit, label="P(1) + P(0) = 1"),
        ),
        assumptions=assume(r"p \in \{0, 1\}", r"0 < q < 1"),
    ),
    numeric=_logistic_checks,
    implementation=_LL,
    note="The Bernoulli likelihood: with the label p ∈ {0, 1} (as the text states) it is q "
    "for p = 1 and 1 − q for p = 0. For a soft label 0 < p < 1 it is not a probability.",
    **_KW,
)


def _product():
    two = sp.Subs(
        sp.Product(Q[i] ** P[i], (i, 1, 2)), (Q[1], Q[2], P[1], P[2]), (qs, 1 - qs, ps, 1 - ps)
    )
    one_hot = chain(
        [
            ("∏ q_i^{δ_iy}", sp.Product(Q[i] ** _LABEL, (i, 1, N))),
            ("exp Σ δ_iy ln q_i", sp.exp(sp.Sum(_LABEL * sp.log(Q[i]), (i, 1, N)))),
            ("q_y", Q[y]),
        ],
        simplifier=_one_hot,
    )
    logistic = identity(
        two, _LOGISTIC, simplifier=_doit, label="N = 2, q_2 = 1 − q_1, p_2 = 1 − p_1: logistic"
    )
    return Proof(
        one_hot.steps + logistic.steps,
        assumptions=assume(r"p_i = \delta_{iy},\ 1 \le y \le N", "q_i > 0", r"p_1 + p_2 = 1"),
    )


def _logistic_value(q, p):
    return q**p * (1 - q) ** (1 - p)


def _product_checks():
    rng = _rng(25)
    z, lab = rng.normal(0, 2, (300, 6)), rng.integers(0, 6, 300)
    q1, p1 = rng.uniform(0.01, 0.99, 200), rng.uniform(0, 1, 200)
    soft = production.log_likelihood(_two_class(q1), np.stack([p1, 1 - p1], 1), reduction="none")
    want = _mp_rows(np.stack([q1, p1], 1), lambda r: mpmath.log(_logistic_value(*r)))
    got = np.exp(production.log_likelihood(z, lab, reduction="none"))
    q_y = reference.softmax(z)[np.arange(300), lab]
    return [
        # log-likelihood within a few u absolute; exp maps that to a relative error.
        close("exp(log_likelihood) = q_y", got, q_y, rtol=16 * _U, reference="mpmath softmax"),
        # As ML-3, two terms: 32u of the largest |log|.
        _vs_mp("two classes, soft labels: log q^p (1 − q)^(1 − p)", soft, want, 32 * _U * 4.7),
    ]


register(
    id="ML-4",
    title="The softmax likelihood: q_y for a one-hot label, the logistic one for N = 2",
    source=r"P=\prod_i^N q_i^{p_i}",
    expect="holds",
    written=_product,
    numeric=_product_checks,
    implementation=_LL,
    note="The 'similar structure' made exact: for two classes the product is q^p(1 − q)^(1 − p), "
    "and for a one-hot label it is the true class's share.",
    **_KW,
)


def _log_checks():
    rng = _rng(28)
    p, q = rng.dirichlet(np.ones(5), 100), rng.dirichlet(np.ones(5), 100)
    got = production.log_likelihood(np.log(q), p, reduction="none")
    want = _mp_rows(
        np.hstack([p, q]),
        lambda r: mpmath.log(mpmath.fprod(b**a for a, b in zip(r[:5], r[5:], strict=True))),
    )
    # 5 terms p ln q, each within a few u of max |ln q| (see CE-1): 32 · 5 · u · max|ln q|.
    atol = 32 * 5 * _U * float(np.max(np.abs(np.log(q))))
    return [_vs_mp("log_likelihood = log ∏ q^p, soft labels", got, want, atol)]


register(
    id="ML-5",
    title="The log-likelihood is the sum Σ p_i log q_i",
    source=r"L=\log\prod_i^Nq_i^{p_i}=\sum_i^Np_i\log{q_i}",
    expect="holds",
    written=lambda: chain(
        [("log ∏ q_i^{p_i}", _PROD), ("Σ p_i log q_i", _LOGL)],
        simplifier=_as_sums,
        assumptions=assume("q_i > 0", r"p_i \in \mathbb{R}"),
    ),
    numeric=_log_checks,
    implementation=_LL,
    **_KW,
)


def _same_written():
    at = {P[1]: 0, P[2]: 1, P[3]: 0, Q[1]: sp.Rational(1, 5), Q[2]: sp.Rational(3, 5)}
    at[Q[3]] = sp.Rational(1, 5)
    L3, H3 = (e.subs(N, 3).doit().subs(at) for e in (_LOGL, _CE_X.subs(base, sp.E)))
    proof = identity(_LOGL, _CE_X, label="L = H(p, q)", assumptions=assume("q_i > 0", base))
    example = {"p, q": "(0, 1, 0), (1/5, 3/5, 1/5)", "L": sp.N(L3, 6), "H (x = e)": sp.N(H3, 6)}
    return Proof(proof.steps, assumptions=proof.assumptions, counterexample=example)


def _same_checks():
    z, lab = _rng(29).normal(0, 2, (200, 4)), _rng(30).integers(0, 4, 200)
    ll = production.log_likelihood(z, lab, reduction="none")
    ce = production.cross_entropy(z, lab, reduction="none")
    want = reference.log_softmax(z)[np.arange(200), lab]
    return [
        close("log_likelihood = Σ p ln q", ll, want, rtol=8 * _U, reference="mpmath"),
        close("cross_entropy = Σ p ln(1/q) = −L", ce, -want, rtol=8 * _U, reference="mpmath"),
        # Both are accurate to a few u (checks above), so a gap above 1e-9 is not rounding.
        differs("the written 'L = H'", ll, ce, atol=1e-9, reference="they differ by 2|L|"),
    ]


register(
    id="ML-6",
    title="Log-likelihood and cross-entropy are 'exactly the same expression'",
    source=r"\text{可以看出极大似然评估和交叉熵最后得到的是一模一样的表达式}",
    expect="false-as-written",
    title_zh="对数似然与交叉熵是“一模一样的表达式”",
    erratum_zh=(
        "L = Σ p log q，而 H = Σ p log_x(1/q)：二者符号相反，且 H 的底数 x 任意，只在 L ="
        " 0 时相等。正确的关系是取自然对数时 L = −H：最大化似然就是最小化交叉熵。"
    ),
    written=_same_written,
    corrected=lambda: chain(
        [
            ("L", _LOGL),
            ("−H(p, q), x = e", -_CE_X.subs(base, sp.E)),
            ("−H(p, q) ln x, any base", -_CE_X * sp.log(base)),
        ],
        assumptions=assume("q_i > 0", base),
    ),
    correction=r"L=\sum_i^Np_i\ln q_i=-\sum_i^Np_i\ln\frac{1}{q_i}=-H(p,q)\ (x=e)",
    numeric=_same_checks,
    implementation=("softmax.log_likelihood", "softmax.cross_entropy"),
    note="L = Σ p log q while H = Σ p log_x(1/q): opposite signs, and H has a free base x. "
    "The residual is (1 + 1/ln x) L, so they agree only where L = 0 (every q_y = 1) or "
    "for the base x = 1/e, which no measure of information uses. What is true is L = −H "
    "with natural logs: maximising L is minimising H, the same optimum. The tutorial's "
    "opening paragraph makes the same statement ('the two give the same result').",
    **_KW,
)

# The tutorial's M-sample formula, literally: M samples, N classes; k runs over samples
# and i over classes, but the factors carry the indices (i, j) and (k, j).
_LIT_MID = sp.log(sp.Product(sp.Product(Q[i, j] ** P[i, j], (i, 1, N)), (k, 1, M))) / M
_LIT_RIGHT = sp.Sum(sp.Sum(P[k, j] * sp.log(Q[k, j]), (i, 1, N)), (k, 1, M)) / M
_MEAN = sp.Sum(sp.Sum(P[k, i] * sp.log(Q[k, i]), (i, 1, N)), (k, 1, M)) / M
_C_PROD = sp.log(sp.Product(sp.Product(Q[k, i] ** P[k, i], (i, 1, M)), (k, 1, O))) / O
_C_SUM = sp.Sum(sp.Sum(P[k, i] * sp.log(Q[k, i]), (i, 1, M)), (k, 1, O)) / O


def _drop_unused(expr):
    """A sum (product) over an index its term does not contain: times (to the power of) the
    index's range, which is what the formula says when read literally."""
    if isinstance(expr, (sp.Sum, sp.Product)):
        body, used, count = _drop_unused(expr.function), [], sp.Integer(1)
        for var, lo, hi in expr.limits:
            if body.has(var):
                used.append((var, lo, hi))
            else:
                count *= hi - lo + 1
        inner = expr.func(body, *used) if used else body
        return inner * count if isinstance(expr, sp.Sum) else inner**count
    if isinstance(expr, sp.Basic) and expr.args:
        return expr.func(*(_drop_unused(a) for a in expr.args))
    return expr


def _literal(expr):
    """Products as sums, unused indices counted, then simplified."""
    return simplify(sp.expand_log(_drop_unused(expr.rewrite(sp.Sum)), force=True))


def _many_checks():
    rng = _rng(31)
    z, lab = rng.normal(0, 2, (50, 4)), rng.integers(0, 4, 50)
    got = production.log_likelihood(z, lab, reduction="mean")
    q = reference.softmax(z)
    with mpmath.workdps(40):  # the product of 50 shares is tiny but exact in mpmath
        want = float(mpmath.log(mpmath.fprod(mpmath.mpf(q[n, lab[n]]) for n in range(50))) / 50)
    zs, ls = rng.normal(0, 2, (4, 4)), rng.integers(0, 4, 4)  # square: 4 samples, 4 classes
    mean = production.log_likelihood(zs, ls)
    literal = sum(float(ls[a] == 0) * reference.log_softmax(zs)[a, 0] for a in range(4))
    return [
        # 50 log-shares, each within a few u: 64u relative to the mean, plus an absolute floor.
        _vs_mp("mean = (1/O) log ∏_k ∏_i q_ki^p_ki", got, want, 64 * _U * abs(want) + 1e-15),
        # The mean is accurate to a few u, so a gap above 1e-9 is not rounding.
        differs("the literal formula (either side, column j = 1)", mean, literal, atol=1e-9),
    ]


register(
    id="ML-7",
    title="The log-likelihood of M samples",
    source=r"L=\frac{1}{M}\log\prod_k^M\prod_i^Nq_{ij}^{p_{ij}}=\frac{1}{M}\sum_k^M\sum_i^N "
    r"p_{kj}\log q_{kj}, k\in(0,M]",
    expect="false-as-written",
    title_zh="M 个样本的对数似然",
    erratum_zh=(
        "下标有误：乘积与求和遍历 k（样本）和 i（类别），因子却带着 (i, j) 和 (k, j)，j "
        "没有约束。应写作 L = (1/O) log ∏_k ∏_i q_ki^{p_ki} = (1/O) Σ_k Σ_i p_ki log q_ki"
        "。"
    ),
    written=lambda: chain(
        [("mean over the M samples", _MEAN), ("middle", _LIT_MID), ("right", _LIT_RIGHT)],
        simplifier=_literal,
        assumptions=assume("q_{ki} > 0", M, N),
    ),
    corrected=lambda: chain(
        [("(1/O) log ∏_k ∏_i q_ki^p_ki", _C_PROD), ("(1/O) Σ_k Σ_i p_ki log q_ki", _C_SUM)],
        simplifier=_as_sums,
        assumptions=assume("q_{ki} > 0", O, M),
    ),
    correction=r"L=\frac{1}{O}\log\prod_k^O\prod_i^Mq_{ki}^{p_{ki}}"
    r"=\frac{1}{O}\sum_k^O\sum_i^M p_{ki}\log q_{ki}",
    numeric=_many_checks,
    implementation=_LL,
    note="Index slips: the product and sum run over k (samples) and i (classes) but the "
    "factors carry (i, j) and (k, j), j unbound. Literally, the middle is the M-th power of "
    "a k-free factor, so it equals Σ_i p_ij log q_ij, and the right sums an i-free term N "
    "times, giving (N/M) Σ_k p_kj log q_kj; neither is the mean over samples. The letter M, "
    "the number of features a few lines earlier and of classes later in the tutorial, here "
    "counts samples; the correction uses the tutorial's later letters (O samples, M classes).",
    **_KW,
)
