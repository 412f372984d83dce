r"""Maximum likelihood and cross-entropy: $L=\log\prod_i^Nq_i^{p_i}=\sum_i^Np_i\log{q_i}$,
"the same expression as cross-entropy", and the loss over many samples (ML-5 to ML-7).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

import softmax as production
from derivations import reference
from derivations.claim import declarations
from derivations.evidence import close, differs
from derivations.numeric import U, mp_rows, near
from derivations.proof import Proof, chain, identity, simplify
from derivations.symbols import M, N, O, assume, i, j, k, p, q_pos

declare = declarations(__name__)

base = sp.Symbol("x", positive=True)
_LOGL = sp.Sum(p[i] * sp.log(q_pos[i]), (i, 1, N))
_PROD = sp.log(sp.Product(q_pos[i] ** p[i], (i, 1, N)))
_CE_X = sp.Sum(p[i] * sp.log(1 / q_pos[i]) / sp.log(base), (i, 1, N))  # CE-1, base x


def _as_sums(expr):
    return simplify(expr.rewrite(sp.Sum))


def _log_checks():
    rng = np.random.default_rng(28)
    p, q = rng.dirichlet(np.ones(5), 100), rng.dirichlet(np.ones(5), 100)
    got = production.log_likelihood(np.log(q), p, reduction="none")
    want = mp_rows(
        np.hstack([p, q]),
        lambda r: mpmath.log(mpmath.fprod(b**a for a, b in zip(r[:5], r[5:], strict=True))),
    )
    # 5 terms p ln q, each within a few u of max |ln q| (see CE-1): 32 · 5 · u · max|ln q|.
    atol = 32 * 5 * U * float(np.max(np.abs(np.log(q))))
    return [near("log_likelihood = log ∏ q^p, soft labels", got, want, atol, "mpmath, 30 digits")]


declare(
    id="ML-5",
    title=r"The log-likelihood is the sum $\sum p_i \log q_i$",
    source=r"L=\log\prod_i^Nq_i^{p_i}=\sum_i^Np_i\log{q_i}",
    expect="holds",
    uses=("ML-4",),
    written=lambda: chain(
        [("log ∏ q_i^{p_i}", _PROD), ("Σ p_i log q_i", _LOGL)],
        simplifier=_as_sums,
        assumptions=assume("q_i > 0", r"p_i \in \mathbb{R}"),
    ),
    numeric=_log_checks,
    implementation=(production.log_likelihood,),
)


def _same_written():
    at = {p[1]: 0, p[2]: 1, p[3]: 0, q_pos[1]: sp.Rational(1, 5), q_pos[2]: sp.Rational(3, 5)}
    at[q_pos[3]] = sp.Rational(1, 5)
    L3, H3 = (e.subs(N, 3).doit().subs(at) for e in (_LOGL, _CE_X.subs(base, sp.E)))
    proof = identity(_LOGL, _CE_X, label="L = H(p, q)", assumptions=assume("q_i > 0", base))
    example = {"p, q": "(0, 1, 0), (1/5, 3/5, 1/5)", "L": sp.N(L3, 6), "H (x = e)": sp.N(H3, 6)}
    return Proof(proof.steps, assumptions=proof.assumptions, counterexample=example)


def _same_checks():
    z, lab = (
        np.random.default_rng(29).normal(0, 2, (200, 4)),
        np.random.default_rng(30).integers(0, 4, 200),
    )
    ll = production.log_likelihood(z, lab, reduction="none")
    ce = production.cross_entropy(z, lab, reduction="none")
    want = reference.log_softmax(z)[np.arange(200), lab]
    return [
        close("log_likelihood = Σ p ln q", ll, want, rtol=8 * U, reference="mpmath"),
        close("cross_entropy = Σ p ln(1/q) = −L", ce, -want, rtol=8 * U, reference="mpmath"),
        # Both are accurate to a few u (checks above), so a gap above 1e-9 is not rounding.
        differs("the written 'L = H'", ll, ce, atol=1e-9, reference="they differ by 2|L|"),
    ]


declare(
    id="ML-6",
    title="Log-likelihood and cross-entropy are 'exactly the same expression'",
    source=r"\text{可以看出极大似然评估和交叉熵最后得到的是一模一样的表达式}",
    expect="false-as-written",
    uses=(
        "ML-5",
        "CE-1",
    ),
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
    implementation=(production.log_likelihood, production.cross_entropy),
    note="L = Σ p log q while H = Σ p log_x(1/q): opposite signs, and H has a free base x. "
    "The residual is (1 + 1/ln x) L, so they agree only where L = 0 (every q_y = 1) or "
    "for the base x = 1/e, which no measure of information uses. What is true is L = −H "
    "with natural logs: maximising L is minimising H, the same optimum. The tutorial's "
    "opening paragraph makes the same statement ('the two give the same result').",
)

# The tutorial's M-sample formula, literally: M samples, N classes; k runs over samples
# and i over classes, but the factors carry the indices (i, j) and (k, j).
_LIT_MID = sp.log(sp.Product(sp.Product(q_pos[i, j] ** p[i, j], (i, 1, N)), (k, 1, M))) / M
_LIT_RIGHT = sp.Sum(sp.Sum(p[k, j] * sp.log(q_pos[k, j]), (i, 1, N)), (k, 1, M)) / M
_MEAN = sp.Sum(sp.Sum(p[k, i] * sp.log(q_pos[k, i]), (i, 1, N)), (k, 1, M)) / M
_C_PROD = sp.log(sp.Product(sp.Product(q_pos[k, i] ** p[k, i], (i, 1, M)), (k, 1, O))) / O
_C_SUM = sp.Sum(sp.Sum(p[k, i] * sp.log(q_pos[k, i]), (i, 1, M)), (k, 1, O)) / O


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
    rng = np.random.default_rng(31)
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
        near(
            "mean = (1/O) log ∏_k ∏_i q_ki^p_ki",
            got,
            want,
            64 * U * abs(want) + 1e-15,
            "mpmath, 30 digits",
        ),
        # The mean is accurate to a few u, so a gap above 1e-9 is not rounding.
        differs("the literal formula (either side, column j = 1)", mean, literal, atol=1e-9),
    ]


declare(
    id="ML-7",
    title=r"The log-likelihood of $M$ samples",
    source=r"L=\frac{1}{M}\log\prod_k^M\prod_i^Nq_{ij}^{p_{ij}}=\frac{1}{M}\sum_k^M\sum_i^N "
    r"p_{kj}\log q_{kj}, k\in(0,M]",
    expect="false-as-written",
    uses=("ML-5",),
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
    implementation=(production.log_likelihood,),
    note="Index slips: the product and sum run over k (samples) and i (classes) but the "
    "factors carry (i, j) and (k, j), j unbound. Literally, the middle is the M-th power of "
    "a k-free factor, so it equals Σ_i p_ij log q_ij, and the right sums an i-free term N "
    "times, giving (N/M) Σ_k p_kj log q_kj; neither is the mean over samples. The letter M, "
    "the number of features a few lines earlier and of classes later in the tutorial, here "
    "counts samples; the correction uses the tutorial's later letters (O samples, M classes).",
)
