"""Numeric toolkit: test problems, mpmath references, ulp measures, rounding budgets.

Every tolerance a claim uses is derived here or beside the claim from a named error
budget in units of the unit roundoff `U` (float64) or `unit_roundoff(dtype)`; none is
typed as a bare number.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np

import softmax as production
from derivations import reference
from derivations.evidence import close, differs


def unit_roundoff(dtype) -> float:
    """The unit roundoff $u = 2^{-p}$ of a floating dtype ($2^{-53}$ for float64).

    >>> unit_roundoff(np.float64) == 2.0**-53, unit_roundoff(np.float32) == 2.0**-24
    (True, True)
    """
    return float(np.finfo(dtype).eps) / 2


U = unit_roundoff(np.float64)
ULP4 = 8 * U  # 4 ulp of float64, relative: the production accuracy target (IMPL-2)


def loss_err(W, X):
    """Rounding bound on a computed mean loss: logits off by γ_N·s (|∂f/∂g| sums to ≤ 2),
    ln q within 4 ulp, and a mean of O terms."""
    s, ell = (np.abs(X) @ np.abs(W).T).max(), -production.log_softmax(X @ W.T).min()
    return float(2 * X.shape[1] * U / (1 - X.shape[1] * U) * s + (len(X) + 4) * U * ell)


def ulps(name, got, want, ref="mpmath, 60 digits", n=4):
    """Within n ulp (relative n·2⁻⁵²), the production accuracy target."""
    return close(name, got, want, rtol=n * 2.0**-52, reference=f"{ref}; {n} ulp")


def gradient_problem(seed, O=6, Mc=4, Nf=3, soft=False):
    """Weights (M, N), features (O, N), labels (indices or Dirichlet rows) and P."""
    rng = np.random.default_rng(seed)
    W, X = rng.normal(0, 1, (Mc, Nf)), rng.normal(0, 1.5, (O, Nf))
    y = rng.dirichlet(np.ones(Mc), O) if soft else rng.integers(0, Mc, O)
    return W, X, y, (y if soft else np.eye(Mc)[y])


def grad_bound(W, X, P, q_ulps=4):
    """Rounding bound on a computed (P − Q)ᵀX/O, its largest entry. Each q within q_ulps·u
    (4: the production target), a subtraction, a product and a length-O sum give
    (O + 2 + q_ulps)·u·(q + |q − p|)|x|; fl(XWᵀ) is off by ≤ γ_N·s_k,
    s_k = max_i Σ_j |w_ij x_kj|, which moves q by ≤ 2q·γ_N·s_k."""
    (O, Nf), Qr = X.shape, reference.softmax(X @ W.T)
    s = (np.abs(X) @ np.abs(W).T).max(axis=1, keepdims=True)
    per = (O + 2 + q_ulps) * U * (Qr + np.abs(Qr - P)) + 2 * Qr * Nf * U / (1 - Nf * U) * s
    return float((per.T @ np.abs(X)).max() / O)


def mp_dot(a, b):
    return mpmath.fsum(mpmath.mpf(u) * v for u, v in zip(a, b, strict=True))


def mp_fd_grad(W, X, P):
    """Central differences of the mean log-likelihood in mpmath at 60 digits, h = 1e-20:
    truncation h²|f'''|/6 and rounding 1e-60|f|/h are ~1e-40, far below float64."""

    def loglik(Wm):
        total = 0
        for pk, xk in zip(P.tolist(), X.tolist(), strict=True):
            gk = [mp_dot(wr, xk) for wr in Wm]
            lse = mpmath.log(mpmath.fsum(map(mpmath.exp, gk)))
            total += mpmath.fsum(pi * (v - lse) for pi, v in zip(pk, gk, strict=True))
        return total / len(X)

    out = np.empty_like(W)
    with mpmath.workdps(60):
        base, h = [[mpmath.mpf(v) for v in row] for row in W.tolist()], mpmath.mpf("1e-20")
        for a, b in np.ndindex(W.shape):
            up, dn = [row[:] for row in base], [row[:] for row in base]
            up[a][b], dn[a][b] = up[a][b] + h, dn[a][b] - h
            out[a, b] = float((loglik(up) - loglik(dn)) / (2 * h))
    return out


def near(name, got, want, atol, ref):
    return close(name, got, want, rtol=0, atol=atol, reference=ref)


def refuted(name, got, written, ref):
    # Production gradients are within ~1e-14 (grad_bound): a gap > 1e-6 is not rounding.
    return differs(name, got, written, atol=1e-6, reference=ref)


def matrix_problem(seed, O=40, M=5, features=6, scale=0.3):
    """Features X (column 0 = 1) and one-hot P from production.datasets, weights W."""
    X, P = production.datasets.random_data(O, M, features, seed=seed)
    W = np.random.default_rng(seed + 1000).normal(0.0, scale, (M, features + 1))
    return X, W, P


def literal_q(X, W):
    """The tutorial's path G -> S -> Q, through softmax.notation."""
    G = production.notation.G(X, W)
    return production.notation.Q(G, production.notation.S(G))


def vs_mp(name, got, Z, rtol):
    """`got` against the mpmath softmax of the logits Z."""
    return close(name, got, reference.softmax(Z), rtol=rtol, reference="mpmath, 60 digits")


def softmax_form_checks(seed=4):
    """MODEL-3 and SUM-3: the literal G/(GE) path and production softmax against mpmath."""
    X, W, _P = matrix_problem(seed)
    Z = X @ W.T
    return [
        # Literal path: each exp ≤ 1 ulp (2u), the row sum adds (M−1)u, the division u,
        # the reference's rounding u/2: (M + 4.5)u in all.
        vs_mp("G/(GE) via notation.G, S, Q", literal_q(X, W), Z, rtol=(len(W) + 5) * U),
        vs_mp("production softmax", production.softmax(Z), Z, rtol=ULP4),
    ]


def normal_grid(seed, rows=30, m=9, scale=3.0):
    """Rows of N(0, scale²) logits from a fixed seed."""
    return np.random.default_rng(seed).normal(0.0, scale, (rows, m))


def mp_rows(rows, fn):
    """`fn` of each row at 30 digits, as float arrays."""
    with mpmath.workdps(30):
        return [np.array(fn([mpmath.mpf(float(v)) for v in row]), float) for row in rows]


def loss_problem(seed=11):
    """A matrix problem, its logits, each sample's exact Σ p log q and their mean."""
    X, W, P = matrix_problem(seed)
    Z = X @ W.T
    terms = (P * reference.log_softmax(Z)).sum(axis=1)  # p_k · log q_k, exact log q
    return X, W, P, Z, terms, math.fsum(terms) / len(P)


_ITERATIONS, _STEP = 5000, 0.1


@functools.cache
def tutorial_run():
    """The tutorial's experiment with the production gd solver: loss after each iteration."""
    X, P = production.datasets.random_data(500, 20, 50, seed=0)
    curve = []
    model = production.SoftmaxRegression(
        solver="gd",
        step=_STEP,
        max_iter=_ITERATIONS,
        tol=0.0,
        fit_intercept=False,
        callback=lambda _k, loss: curve.append(-loss),  # the tutorial's L = −H
    )
    model.fit(X, P.argmax(axis=1))
    start = float(production.log_likelihood(np.zeros((500, 20)), P))
    return X, P, np.array([start, *curve])
