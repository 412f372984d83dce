r"""The tutorial's training class: its update and its starting point (TRAIN-1, TRAIN-2).

The class `Softmax` of the tutorial's code computes `__softmax` (the literal $G/S$), `__loss`
(the diagonal of $P\log Q^\mathsf{T}$), and `__optimizer` (a step along $(P-Q)^\mathsf{T}X/O$,
signed by `flag`), starting from $W = 0$.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax as production
from derivations.claim import declarations
from derivations.evidence import close, holds
from derivations.numeric import U, tutorial_run
from derivations.proof import Proof, identity
from derivations.sources import TUTORIAL_CODE
from derivations.symbols import M, assume

declare = declarations(__name__)

# --- the flag of __optimizer -------------------------------------------------------------

f, eta_s, O_s = sp.symbols("f eta O", real=True)
_pq, _x = sp.symbols("pq x", real=True)  # one entry of (P - Q) and of X stand for the product


def _flag_update(assumed):
    # __optimizer: d = (flag·P − flag·Q)ᵀX / O, W ← W + (flag·step)·d
    update = (f * eta_s) * ((f * _pq) * _x / O_s)
    proof = identity(update, eta_s * _pq * _x / O_s, label="step with flag f = step with flag 1")
    if assumed:
        proof = identity(
            update.subs(f**2, 1),
            eta_s * _pq * _x / O_s,
            label="step with flag f = step with flag 1, f² = 1",
        )
        return Proof(proof.steps, assumptions=assume(sp.Eq(f**2, 1)))
    return proof


def _flag_numeric():
    X, P = production.datasets.random_data(30, 4, 3, seed=1)
    W = np.random.default_rng(2).normal(0, 0.1, (4, 4))
    G = production.notation.G(X, W)
    Q = production.notation.Q(G, production.notation.S(G))
    steps = [(flag * 0.1) * ((flag * P - flag * Q).T @ X / len(X)) for flag in (1, -1)]
    return [
        holds(
            "flag = +1 and flag = −1 give bitwise the same step",
            np.array_equal(*steps),
            f"max |Δ| = {np.abs(steps[0] - steps[1]).max():.3g}",
        ),
        close(
            "and it is step · log_likelihood_grad",
            steps[0],
            0.1 * production.log_likelihood_grad(W, X, P),
            rtol=1e-13,
            atol=1e-16,
            reference="softmax.log_likelihood_grad",
        ),
    ]


declare(
    id="TRAIN-1",
    title="The sign flag of the training code does not change the update",
    source=r"\text{flag}=-1:\ \text{损失函数求最小值，优化器求差值};\quad "
    r"\text{flag}=+1:\ \text{求最大值，优化器求和}",
    expect="holds-under-assumption",
    uses=("SUM-5",),
    written=lambda: _flag_update(assumed=False),
    assumed=lambda: _flag_update(assumed=True),
    numeric=_flag_numeric,
    implementation=(production.log_likelihood_grad, production.notation.D),
    references=(TUTORIAL_CODE,),
    note="The flag enters the step twice, (flag·step)·(flag·P − flag·Q)ᵀX/O, so for "
    "flag = ±1 both settings climb L: only the sign of the reported loss changes.",
)

# --- the starting point --------------------------------------------------------------------


def _uniform_start():
    q = sp.exp(0) / sp.Sum(sp.exp(0), (sp.Symbol("k", integer=True, positive=True), 1, M))
    return identity(sp.log(q.doit()), -sp.log(M), assumptions=assume(M))


declare(
    id="TRAIN-2",
    title=r"Training starts from $W = 0$: uniform $Q$ and $L = -\ln M$",
    source=r"\text{self.\_\_weight} = \text{np.zeros}((M, N))",
    expect="holds",
    uses=("SM-1",),
    written=_uniform_start,
    numeric=lambda: [
        close(
            "L at W = 0 on the tutorial's data is −ln 20",
            tutorial_run()[2][0],
            -np.log(20.0),
            rtol=2 * U,
            reference="−ln 20",
        )
    ],
    implementation=(production.log_likelihood, production.SoftmaxRegression),
    references=(TUTORIAL_CODE,),
)
