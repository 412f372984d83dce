r"""The functions' contract, for any library: each slice lands where it came from (IMPL-19),
in the input's dtype, leaving the input as it was; and the non-finite policy (IMPL-10).

Softmax along axis 0 of $Z^\mathsf{T}$ is the transpose of softmax along axis 1 of $Z$: a
slice's result depends on that slice alone, wherever its axis is. The rest of the contract
is about the array, not the mathematics: the result has the input's shape (less the
reduced axis) and floating dtype, and the input is not written to. A function that widens
float32 to float64 can look more accurate than float32 allows; these properties see it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import softmax
from derivations.claim import declarations, prop
from derivations.evidence import Check
from derivations.proof import Proof, step
from derivations.properties import ULP_BOUND

declare = declarations(__name__)

KINDS = ("softmax", "log_softmax", "logsumexp")
_Z = np.random.default_rng(190).normal(0.0, 3.0, (6, 9))


def _transposed():
    z = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"z_{i}{j}", real=True))
    zt = z.T

    def along_rows(m):  # softmax of each row
        return sp.Matrix(
            m.rows, m.cols, lambda i, j: sp.exp(m[i, j]) / sum(sp.exp(v) for v in m.row(i))
        )

    def along_columns(m):  # softmax of each column
        return sp.Matrix(
            m.rows, m.cols, lambda i, j: sp.exp(m[i, j]) / sum(sp.exp(v) for v in m.col(j))
        )

    return Proof(
        (
            step(
                "softmax along axis 0 of Zᵀ = (softmax along axis 1 of Z)ᵀ",
                along_columns(zt),
                along_rows(z).T,
            ),
        )
    )


def _dtype_kept(kind, dtype):
    name = np.dtype(dtype).name

    @prop(kind, f"the dtype is kept: {name} in, {name} out", name)
    def run(f):
        got = np.asarray(f(_Z.astype(dtype), axis=-1))
        return Check(f"{name} in, {name} out", got.dtype == dtype, f"got {got.dtype}")

    return run


def _contract(kind):
    @prop(kind, "the input is left unmodified")
    def unmodified(f):
        z = _Z.copy()
        f(z, axis=-1)
        changed = int(np.sum(z != _Z))
        return Check("input unmodified", changed == 0, f"{changed} entries of the input changed")

    @prop(kind, "the shape is kept (less the reduced axis)")
    def shape(f):
        got = np.asarray(f(_Z.copy(), axis=-1)).shape
        want = _Z.shape[:1] if kind == "logsumexp" else _Z.shape
        return Check("shape kept", got == want, f"got {got}, want {want}")

    @prop(kind, "axis is honoured: axis 0 of Zᵀ gives the transposed result")
    def axis(f):
        rows = np.asarray(f(_Z.copy(), axis=-1), np.float64)
        cols = np.asarray(f(np.ascontiguousarray(_Z.T), axis=0), np.float64)
        cols = cols if kind == "logsumexp" else cols.T
        if cols.shape != rows.shape:
            return Check("axis honoured", False, f"shape {cols.shape}, want {rows.shape}")
        ulps = float(np.max(np.abs(cols - rows) / np.spacing(np.maximum(np.abs(rows), 1e-300))))
        # Two results each within 4 ulp of the exact one differ by at most 8 ulp.
        return Check("axis honoured", ulps <= 2 * ULP_BOUND, f"they differ by {ulps:.3g} ulp")

    return unmodified, shape, axis


_CONTRACT = tuple(
    p
    for kind in KINDS
    for p in (*_contract(kind), _dtype_kept(kind, np.float32), _dtype_kept(kind, np.float64))
)


declare(
    id="IMPL-19",
    title="The contract: each slice's result lands where it came from, in the input's dtype",
    source=r"\operatorname{softmax}_{\text{axis } 0}(Z^\mathsf{T}) = "
    r"\big(\operatorname{softmax}_{\text{axis } 1}(Z)\big)^\mathsf{T}",
    expect="holds",
    uses=("SM-1",),
    written=_transposed,
    properties=_CONTRACT,
    implementation=(softmax.softmax, softmax.log_softmax, softmax.logsumexp),
    note="The shape, the dtype and the untouched input are checked as properties of the "
    "array, for this project's functions and, on the peers page, for everyone's: a "
    "function that widens float32 to float64, works in place, or ignores axis fails here.",
)
