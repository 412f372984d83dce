r"""Entropy and cross-entropy: the 26-letter example and the definition of $H(p, q)$.

Tutorial: the entropy $log_x\frac{1}{p}$ of 26 equally likely letters, $\log_2 26=4.7004\approx5$
bits, and the cross-entropy $H(p,g)=\sum_i^Np_i\log_x\frac{1}{q_i}$ (base $x$ arbitrary).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from scipy.special import rel_entr

import softmax as production
from derivations.claim import declarations
from derivations.evidence import close, holds
from derivations.numeric import U
from derivations.proof import Proof, Step, chain, identity, positive, rounded, simplify
from derivations.sources import COVER_THOMAS
from derivations.symbols import N, assume, i

declare = declarations(__name__)

n = sp.Symbol("n", integer=True, positive=True)
base = sp.Symbol("x", positive=True)  # the logarithm's base x
u = sp.Symbol("u", positive=True)  # x = 1 + u: a base above 1
t = sp.Symbol("t", positive=True)
pp, qq = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
_rng = np.random.default_rng
_MP = "mpmath, 30 digits"


def _log_x(arg, b=base):
    return sp.log(arg) / sp.log(b)


def _log_inv(p):
    """log_x(1/p), left unevaluated so the statement shows it as the text writes it."""
    return sp.log(sp.Pow(p, -1, evaluate=False), evaluate=False) / sp.log(base)


def _doit(expr):
    """Evaluate (the statement keeps ⌈·⌉ and φ(1) unevaluated, so they show), then simplify."""
    return simplify(expr.doit())


def _uniform_ce(size):
    """Production cross-entropy (natural log) of the uniform distribution with itself."""
    row = np.full((1, size), 1.0 / size)
    return float(production.cross_entropy(np.log(row), row))


# --- ENT: the entropy of 26 equally likely letters -------------------------------------


def _uniform_entropy():
    p_n = 1 / n
    proof = chain(
        [
            ("entropy of n equally likely letters", sp.Sum(p_n * _log_inv(p_n), (i, 1, n))),
            ("log_x(1/p)", _log_inv(p_n)),
            ("log_x n", _log_x(n)),
        ]
    )
    p26 = sp.Rational(1, 26)
    at26 = identity(_log_inv(p26), _log_x(26), label="n = 26: log_x(1/p) = log_x 26")
    return Proof(proof.steps + at26.steps, assumptions=assume(n, base, r"p = \frac{1}{n}"))


def _uniform_checks():
    sizes = range(2, 41)
    got = [_uniform_ce(s) for s in sizes]
    with mpmath.workdps(30):
        want = [float(mpmath.log(s)) for s in sizes]
    # The label row holds n copies of fl(1/n) (relative error u each) and einsum adds n terms
    # of size ln(n)/n: the error is below (2n + 2)u relative, n ≤ 40, so 128u bounds it.
    return [close("H(uniform n) = ln n, n = 2..40", got, want, rtol=128 * U, reference=_MP)]


declare(
    id="ENT-1",
    title=r"Entropy of $n$ equally likely letters is $\log_x(1/p) = \log_x n$",
    source=r"log_x\frac{1}{p}",
    expect="holds",
    uses=(),
    written=_uniform_entropy,
    numeric=_uniform_checks,
    note="Read as the entropy Σ p log_x(1/p) of the uniform distribution on 26 letters "
    "(p = 1/26), proved for any number n of letters and any base x. The production "
    "cross-entropy of a distribution with itself is its entropy, in nats.",
    implementation=(production.cross_entropy,),
)


def _bits_checks():
    bits = float(_uniform_ce(26) / np.log(2.0))
    with mpmath.workdps(30):
        want = float(mpmath.log(26, 2))
    return [
        # ENT-1's bound (128u) plus the division by fl(ln 2): 160u relative.
        close("cross_entropy(uniform 26) / ln 2", bits, want, rtol=160 * U, reference=_MP),
        holds("rounded to 4 places", round(bits, 4) == 4.7004, f"{bits!r} → {round(bits, 4)}"),
    ]


declare(
    id="ENT-2",
    title=r"$\log_2 26 = 4.7004$ to four places",
    source=r"log_226=4.7004",
    expect="holds",
    uses=("ENT-1",),
    written=lambda: rounded("log_2 26 to 4 places", _log_x(26, 2), 4.7004, 4),
    numeric=_bits_checks,
    implementation=(production.cross_entropy,),
)


def _whole_bits(b):
    return holds("⌈production entropy in bits⌉ = 5 > 4", np.ceil(b) == 5 and b > 4, f"{b!r} bits")


def _five_bits():
    bits = _log_x(26, 2)
    steps = (
        *rounded("log_2 26 to the nearest whole number", bits, 5, 0).steps,
        positive("4 bits give too few codes: 26 > 2^4", 26, 2**4),
        positive("5 bits give enough: 2^5 > 26", 2**5, 26),
        *identity(
            sp.ceiling(bits, evaluate=False),
            5,
            simplifier=_doit,
            label="whole bits per letter: ⌈log_2 26⌉ = 5",
        ).steps,
    )
    return Proof(steps)


declare(
    id="ENT-3",
    title="Writing down any of 26 letters needs 5 bits",
    source=r"4.7004\approx5\text{说明表述所有的英文字符需要5bit的信息量}",
    expect="holds",
    uses=("ENT-2",),
    written=_five_bits,
    numeric=lambda: [_whole_bits(float(_uniform_ce(26) / np.log(2.0)))],
    note="Read as a fixed-length binary code: 2^4 codes are too few for 26 letters and 2^5 "
    "are enough, so 5 whole bits per letter. log_2 26 bits is the average information per "
    "letter: no code does better on average, and a fixed-length code cannot reach it.",
    implementation=(production.cross_entropy,),
)

# --- CE: the cross-entropy -------------------------------------------------------------

_PHI = r"\varphi(t) = t - 1 - \ln t"
_CE_RHS = sp.Sum(pp[i] * _log_x(1 / qq[i]), (i, 1, N))


def _arguments(label, args, rhs):
    """The right side of a definition must use exactly the arguments named on the left."""
    used = {a.base.label.name for a in rhs.atoms(sp.Indexed)}
    extra, unused = sorted(used - set(args)), sorted(set(args) - used)
    res = (
        sp.Integer(0)
        if not extra and not unused
        else f"the right side uses {extra}, not an argument of H({', '.join(args)}); "
        f"it does not depend on the argument(s) {unused}"
    )
    return Step(label, f"H({', '.join(args)})", rhs, res)


def _ce_corrected():
    nat = -sp.Sum(pp[i] * sp.log(qq[i]), (i, 1, N)) / sp.log(base)
    return Proof(
        (
            _arguments("H(p, q) is a function of its arguments", ("p", "q"), _CE_RHS),
            *identity(_CE_RHS, nat, label="base x: log_x = ln / ln x").steps,
        ),
        assumptions=assume(base, "p_i, q_i > 0"),
    )


def _mp_ce(p, q, b):
    """Σ_i p_i log_b(1/q_i) per row, at 30 digits (p, q as the exact doubles)."""

    def row(r, s):
        terms = zip(r, s, strict=True)
        return mpmath.fsum(mpmath.mpf(a) * mpmath.log(1 / mpmath.mpf(c), b) for a, c in terms)

    with mpmath.workdps(30):
        return [float(row(r, s)) for r, s in zip(p, q, strict=True)]


def _ce_checks():
    rng = _rng(11)
    p, q = rng.dirichlet(np.ones(6), 40), rng.dirichlet(np.ones(6), 40)
    got = production.cross_entropy(np.log(q), p, reduction="none")
    want, want2 = _mp_ce(p, q, mpmath.e), _mp_ce(p, q, 2)
    # Each term p_i ln(1/q_i) is computed from fl(ln q_i) and a softmax renormalisation of
    # the rounded q, with a few u of relative error; 6 terms of size ≤ max |ln q| add up:
    # 32 · 6 · u · max|ln q| bounds the absolute error.
    atol = 32 * 6 * U * float(np.max(np.abs(np.log(q))))
    bits = got / np.log(2.0)
    return [
        close("cross_entropy = Σ p ln(1/q)", got, want, rtol=0, atol=atol, reference=_MP),
        close("in bits: Σ p log_2(1/q)", bits, want2, rtol=0, atol=2 * atol, reference=_MP),
    ]


declare(
    id="CE-1",
    title=r"Definition of the cross-entropy $H(p, q)$",
    source=r"H(p,g)=\sum_i^Np_i\log_x\frac{1}{q_i}",
    expect="false-as-written",
    uses=("ENT-1",),
    title_zh="交叉熵 H(p, q) 的定义",
    erratum_zh=(
        "左边把第二个参数写成 g，右边用的却是估计值 q，g 从未出现（而教程其他地方的 g 指 "
        "logits）。应写作 H(p, q) = Σ p_i log_x(1/q_i)。"
    ),
    written=lambda: Proof(
        (_arguments("H(p, g) is a function of its arguments", ("p", "g"), _CE_RHS),)
    ),
    corrected=_ce_corrected,
    correction=r"H(p,q)=\sum_i^Np_i\log_x\frac{1}{q_i}=-\frac{1}{\ln x}\sum_i^Np_i\ln q_i",
    numeric=_ce_checks,
    note="A notational slip: the left side names the second argument g, but the right side "
    "uses the estimate q and never g (elsewhere in the tutorial g is the vector of logits, "
    "so the slip reads as 'cross-entropy of the logits'). The prose also calls the entries "
    "p_j, q_j while the sum runs over i. With q for g the definition is the standard one; "
    "the production cross_entropy takes logits and uses the natural log (x = e).",
    implementation=(production.cross_entropy,),
)


def _gibbs():
    h_pq, h_p = _CE_RHS, sp.Sum(pp[i] * _log_x(1 / pp[i]), (i, 1, N))
    kl = sp.Sum(pp[i] * _log_x(pp[i] / qq[i]), (i, 1, N))
    phi = t - 1 - sp.log(t)
    d2 = sp.diff(phi, t, 2)
    sum_p, sum_q = sp.Sum(pp[i], (i, 1, N)), sp.Sum(qq[i], (i, 1, N))
    via_phi = sp.Sum(pp[i] * phi.subs(t, qq[i] / pp[i]), (i, 1, N)) / sp.log(base)
    normalised = {sum_p: 1, sum_q: 1}

    def with_sums_one(expr):
        return simplify(expr.subs(normalised))

    spread = (sum_q - sum_p) / sp.log(base) + kl
    convex = (
        *identity(sp.Subs(phi, t, 1), 0, simplifier=_doit, label="φ(1) = 0").steps,
        *identity(sp.Subs(sp.diff(phi, t), t, 1), 0, simplifier=_doit, label="φ'(1) = 0").steps,
        positive("φ'' = 1/t² > 0: φ ≥ φ(1) = 0, = only at t = 1", d2),
        positive("ln x > 0 for a base x = 1 + u > 1", sp.log(1 + u)),
    )
    steps = (
        *chain([("H(p, q) − H(p)", h_pq - h_p), ("KL(p‖q)", kl)]).steps,
        *chain([("KL(p‖q)", kl), ("(Σq − Σp)/ln x + KL", spread)], with_sums_one).steps,
        *chain([("(Σq − Σp)/ln x + KL", spread), ("(1/ln x) Σ p φ(q/p) ≥ 0", via_phi)]).steps,
    )
    return Proof(
        convex + steps,
        assumptions=assume(sp.Eq(sum_p, 1), sp.Eq(sum_q, 1), "p_i, q_i > 0", r"x > 1", _PHI),
        note="KL(p‖q) = (1/ln x) Σ p_i φ(q_i/p_i) with φ ≥ 0, so H(p, q) ≥ H(p), with "
        "equality only when q = p. Entries p_i = 0 add 0 to every sum (0 log 0 = 0).",
    )


def _gibbs_checks():
    rng = _rng(12)
    p, q = rng.dirichlet(np.ones(7), 200), rng.dirichlet(np.ones(7), 200)
    h_pq = production.cross_entropy(np.log(q), p, reduction="none")
    h_p = production.cross_entropy(np.log(p), p, reduction="none")
    kl = rel_entr(p, q).sum(axis=1)
    # Each cross-entropy is a 7-term sum with terms up to p|ln q|; a few u relative per term
    # (see CE-1), so 32 · 7 · u · max row Σ p(|ln p| + |ln q|) bounds the difference's error.
    scale = float(np.max((p * (np.abs(np.log(p)) + np.abs(np.log(q)))).sum(axis=1)))
    atol = 32 * 7 * U * max(scale, 1.0)
    gap, ref = h_pq - h_p, "scipy.special.rel_entr"
    return [
        close("H(p, q) − H(p) = KL(p‖q)", gap, kl, rtol=0, atol=atol, reference=ref),
        holds("H(p, q) ≥ H(p), 200 pairs", np.all(gap >= -atol), f"min {float(gap.min()):.3g}"),
    ]


declare(
    id="CE-2",
    title=r"Cross-entropy is the entropy plus $\mathrm{KL}(p\Vert q)$, so never below it (Gibbs)",
    source=r"\text{它是在非均匀分布下信息量的一种表述表示}",
    expect="holds",
    uses=("CE-1",),
    written=_gibbs,
    numeric=_gibbs_checks,
    references=(COVER_THOMAS,),
    note="What makes the cross-entropy the information content when the true distribution "
    "p is described by an estimate q: H(p, q) = H(p) + KL(p‖q) ≥ H(p), equality iff q = p. "
    "Needs a base x > 1 (x = 2 in the text); below 1 the inequality reverses.",
    implementation=(production.cross_entropy,),
)
