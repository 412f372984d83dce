r"""Symbolic toolkit: derivatives read literally, exact values, the loss expressions.

`prime` is $(\cdot)'=\partial/\partial w_{ij}$ as the tutorial writes it: each $g$ is
expanded to $\sum_r w_{\cdot r}x_{\cdot r}$ and differentiated by SymPy for symbolic sizes.
`value` writes an expression's exact value with $q_a=e^{g_a}/S$, $S=\sum_l e^{g_l}$ (an
exact renaming, so a zero residual after it is a zero residual before). `ranged` gives
Kronecker deltas their index ranges. Sizes: $M$ classes, $N$ features, $O$ samples.
"""

from __future__ import annotations

from functools import cache

import sympy as sp
from sympy.simplify.simplify import factor_sum

from derivations.proof import canonical, chain, simplify
from derivations.symbols import M, N, g, i, j, k, l, p, q, q_pos, r, w, x, y, z

S, _S = sp.Sum(sp.exp(g[l]), (l, 1, M)), sp.Symbol("S", positive=True)
SUM_P = sp.Sum(p[k], (k, 1, M))
#: The true class c of a one-hot label, and its label p_k = δ_kc.
TRUE_CLASS = sp.Symbol("c", integer=True, positive=True)
ONE_HOT = sp.KroneckerDelta(k, TRUE_CLASS, (1, M))


def ranged(expr, features=(j, r)):
    """Give every Kronecker delta its range: 1..N where it compares one of the feature
    indices `features`, else 1..M (the classes), so that `.doit()` can resolve sums over it.

    >>> ranged(sp.KroneckerDelta(i, k)).args[2], ranged(sp.KroneckerDelta(j, r)).args[2]
    ((1, M), (1, N))
    """
    return expr.replace(
        lambda e: isinstance(e, sp.KroneckerDelta),
        lambda d: sp.KroneckerDelta(*d.args[:2], (1, N if set(d.args[:2]) & set(features) else M)),
    )


def indices(e, base):
    return next(a for a in e.atoms(sp.Indexed) if a.base == base).indices


def _over_r(e):
    return isinstance(e, sp.Sum) and e.limits[0][0] == r


def prime(expr):
    r"""$\partial/\partial w_{ij}$: $g_{\dots a} \to \sum_r w_{ar}x_{\dots r}$ ($x_r$ for one
    sample, $x_{kr}$ for sample $k$), differentiated; sums over $r$ evaluated, back to $g$."""
    expanded = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == g,
        lambda e: sp.Sum(w[e.indices[-1], r] * x[(*e.indices[:-1], r)], (r, 1, N)),
    )
    out = ranged(sp.diff(expanded, w[i, j]))
    out = out.replace(lambda e: _over_r(e) and e.has(sp.KroneckerDelta), lambda e: e.doit())
    return out.replace(_over_r, lambda e: g[(*indices(e, x)[:-1], indices(e, w)[0])]).doit()


def _terms(e):
    return (factor_sum(sp.Sum(t, *e.limits)) for t in sp.Add.make_args(sp.expand_mul(e.function)))


def split(expr):
    """Sums of sums to sums of terms, each with its constant factors taken out."""
    return expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: sp.Add(*_terms(e)))


def _coeffs(e):
    return [t.as_coeff_Mul() for t in sp.Add.make_args(e.args[0])] if isinstance(e, sp.exp) else []


def _g_exp(e):
    parts = _coeffs(e)
    return bool(parts) and all(c.is_Rational and getattr(a, "base", 0) == g for c, a in parts)


def value(expr):
    """Exact value: sums evaluated (deltas too), then e^{c g_a} = (q_a S)^c."""
    out = canonical(split(canonical(split(expr).doit())).doit()).xreplace({canonical(S): _S})
    out = out.replace(
        _g_exp, lambda e: sp.Mul(*((q[a.indices[0]] * _S) ** c for c, a in _coeffs(e)))
    )
    return sp.factor_terms(sp.expand(out)).xreplace({canonical(SUM_P): SUM_P})


def q_of(a):
    return sp.exp(g[a]) / S


LOSS = sp.Sum(p[k] * sp.log(q_of(k)), (k, 1, M))


@cache
def d_loss(sign=1):
    """value(prime(±LOSS)), computed once: several claims start from it."""
    return value(prime(sign * LOSS))


#: The softmax of logits z, in the implementation claims' notation: $q_i = e^{z_i}/\sum_k e^{z_k}$.
Z_SUM = sp.Sum(sp.exp(z[k]), (k, 1, M))


def q_z(index):
    return sp.exp(z[index]) / Z_SUM


# ---- one-hot labels: the loss of the label p_i = δ_iy -------------------------------

ONE_HOT_LABEL = (r"p_i = \delta_{iy}", r"1 \le y \le M")
_ONE_HOT = ("Σ_i δ_iy ln q_i", sp.Sum(sp.KroneckerDelta(i, y) * sp.log(q_pos[i]), (i, 1, M)))


def as_written(ps, logs):
    """Σ p_i ln q_i with its zero terms kept, as the text writes it."""
    return sp.Add(
        *(sp.Mul(pv, lg, evaluate=False) for pv, lg in zip(ps, logs, strict=True)), evaluate=False
    )


def _one_hot_sum(expr):
    """Simplify with p_i = δ_iy and 1 ≤ y ≤ M: evaluate the sum over classes."""
    return simplify(sp.refine(expr.doit(), sp.Q.le(y, M)))


def one_hot_steps():
    """Σ_i δ_iy ln q_i = ln q_y: the loss of a one-hot label, evaluated."""
    return chain([_ONE_HOT, ("ln q_y", sp.log(q_pos[y]))], simplifier=_one_hot_sum).steps
