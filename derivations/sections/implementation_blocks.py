r"""The block split of the mean loss and gradient, which a fit on a Dask array uses (IMPL-18).

The tutorial's loss and gradient are means over the samples (MATL-1, GRADM-1). A mean over
$O$ samples split into blocks of $O_b$ samples is the blocks' means weighted by $O_b / O$,
so each block's sums can be formed where the block lives and only the sums travel.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from derivations.claim import declarations
from derivations.evidence import holds
from derivations.numeric import U
from derivations.proof import Proof, step
from derivations.sources import DASK_GLM
from softmax import _dask
from softmax.functions import softmax
from softmax.gradient import cross_entropy_loss_and_grad, loss_and_grad_sums
from softmax.model import SoftmaxRegression

declare = declarations(__name__)


_B = sp.Symbol("B", integer=True, positive=True)
_b, _c, _j = sp.symbols("b c j", integer=True, positive=True)
_size = sp.IndexedBase("O")  # O_b samples in block b
_loss = sp.IndexedBase("ell")  # ell[b, j]: sample j of block b (a loss or a gradient entry)


def _split():
    """For symbolic B blocks of symbolic sizes O_b: Σ_b (O_b / O) L_b = (1/O) Σ_i ℓ_i, and
    the weights O_b / O add up to 1 when O = Σ_b O_b."""
    total = sp.Symbol("O", positive=True)  # the number of rows, O = Σ_c O_c
    block_mean = sp.Sum(_loss[_b, _j], (_j, 1, _size[_b])) / _size[_b]
    weighted = sp.Sum(_size[_b] / total * block_mean, (_b, 1, _B))
    whole = sp.Sum(sp.Sum(_loss[_b, _j], (_j, 1, _size[_b])), (_b, 1, _B)) / total
    weights = sp.Sum(_size[_b], (_b, 1, _B)) / sp.Sum(_size[_c], (_c, 1, _B))
    return Proof(
        (
            # factor_terms takes the constant 1/O out of the sum over blocks.
            step(
                "Σ_b (O_b/O) L_b = (1/O) Σ_b Σ_{j ≤ O_b} ℓ_bj",
                weighted,
                whole,
                lambda e: sp.simplify(sp.factor_terms(e)),
            ),
            step("Σ_b O_b / O = 1 for O = Σ_c O_c", weights, 1),
        ),
        assumptions=("every block non-empty: O_b ≥ 1",),
    )


def _blockwise_matches_whole():
    """Production block sums over a split of the rows against the whole-array mean.

    Both are sums of the same O terms in different orders: each within (O - 1)u of the
    exact sum relative to the sum of the terms' magnitudes (Higham 2002, §4.2), so they
    differ by at most 2(O - 1)u times that magnitude. The loss terms are positive (the
    magnitude is the loss); a gradient entry's terms (q_ki − p_ki) x_kj have either sign,
    so its magnitude is Σ_k |q_ki − p_ki| |x_kj|, over O for the mean.
    """
    rng = np.random.default_rng(180)
    worst = 0.0
    for sizes in ((1000,), (300, 700), (1, 999), (250, 250, 250, 249, 1)):
        n = sum(sizes)
        X = rng.normal(0.0, 2.0, (n, 6))
        y = rng.integers(0, 4, n)
        W = rng.normal(0.0, 1.0, (4, 7))
        X1 = np.hstack([np.ones((n, 1)), X])
        loss, grad = cross_entropy_loss_and_grad(W, X1, y)
        edges = np.cumsum((0, *sizes))
        parts = [_dask._block(X[a:b], y[a:b], W, True) for a, b in itertools.pairwise(edges)]
        split_loss = sum(p[0] for p in parts) / n
        split_grad = sum(p[1] for p in parts) / n
        budget = 2 * (n - 1) * U
        residual = softmax(X1 @ W.T, axis=1) - np.eye(4)[y]
        magnitude = np.abs(residual).T @ np.abs(X1) / n
        worst = max(
            worst,
            abs(split_loss - loss) / (abs(loss) * budget),
            float(np.max(np.abs(split_grad - grad) / (magnitude * budget))),
        )
    return holds(
        "production block sums over 4 splits of 1000 rows (blocks of 1 to 999) = the "
        "whole-array loss and gradient, within 2(O − 1)u",
        worst <= 1.0,
        f"worst difference {worst:.3g} of its budget",
    )


declare(
    id="IMPL-18",
    title=r"The mean loss and gradient split over blocks of rows: $\sum_b (O_b/O) L_b$",
    source=r"L = \sum_b \frac{O_b}{O} L_b,\quad \nabla_W L = \sum_b \frac{O_b}{O} \nabla_W L_b,"
    r"\quad O = \sum_b O_b",
    expect="holds",
    written=_split,
    numeric=lambda: [_blockwise_matches_whole()],
    implementation=(SoftmaxRegression, loss_and_grad_sums, _dask),
    uses=("MATL-1", "GRADM-1", "IMPL-7", "IMPL-8"),
    references=(DASK_GLM,),
    note="A fit on a Dask array computes each block's sums where the block is held and adds "
    "them on the workers, so only W, one scalar and one (M, N) array travel each iteration. "
    "The whole-array sum and the split one add the same terms in different orders.",
)
