r"""Symbolic toolkit for the matrix forms: entries of matrix products, read as sums.

General proofs take matrix entries from SymPy's `MatrixSymbol` algebra, whose indices start
at 0 (the tutorial counts samples and classes from 1; only the labels differ). $O$ samples,
$N$ features including $x_0$, $M$ classes. `entry` expands a product entry by entry;
`softmax_form_proof` and `loss_proof` are the matrix softmax and the matrix loss, entry by
entry, which the model, matrix-loss and summary claims prove.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derivations.proof import Proof, step
from derivations.symbols import M, N, O, assume, p, q, w, x

kk, ii = sp.symbols("k i", integer=True, nonnegative=True)  # free 0-based row/column
jj, ll, tt = sp.symbols("j l t")  # bound indices (plain, like SymPy's own dummies)
X_, W_, G_ = sp.MatrixSymbol("X", O, N), sp.MatrixSymbol("W", M, N), sp.MatrixSymbol("G", O, M)
E1_ = sp.OneMatrix(M, 1)


def entry(expr, r, col, table):
    """Entry (r, col) of a matrix expression as SymPy computes it, each matrix symbol named
    in `table` replaced by its entry formula (which may itself call `entry`)."""
    return expr[r, col].replace(
        lambda t: isinstance(t, MatrixElement) and t.parent.name in table,
        lambda t: _at(table[t.parent.name], t.i, t.j),
    )


def _at(f, a, b):
    return f[a, b] if isinstance(f, sp.IndexedBase) else f(a, b)


def tidy(expr):
    """Give SymPy's bound dummies distinct readable names; only for finished expressions."""
    dummies = sorted(expr.atoms(sp.Dummy), key=lambda d: d.dummy_index)
    return expr.xreplace({d: sp.Symbol(f"j_{n + 1}") for n, d in enumerate(dummies)})


def logit(r, col):
    return entry(X_ * W_.T, r, col, {"X": x, "W": w})


def q_matrix(r, col):
    r"""$(G / G E_1)_{r,col}$ with $G = e^{XW^T}$, from the matrix products."""
    return sp.exp(logit(r, col)) / entry(G_ * E1_, r, 0, {"G": lambda a, b: sp.exp(logit(a, b))})


def q_ref(r, col):
    r"""Softmax of sample r: $e^{\sum_j w_{ij}x_{rj}} / \sum_l e^{\sum_j w_{lj}x_{rj}}$."""
    z = sp.Sum(w[col, jj] * x[r, jj], (jj, 0, N - 1))
    return sp.exp(z) / sp.Sum(sp.exp(sp.Sum(w[ll, jj] * x[r, jj], (jj, 0, N - 1))), (ll, 0, M - 1))


def softmax_form_proof():
    """Entry (k, i) of the matrix form is the softmax of sample k, and each row sums to 1."""
    row = tidy(sp.Sum(q_matrix(kk, tt), (tt, 0, M - 1)))
    first = step("(G/GE)_{ki} = softmax of sample k", tidy(q_matrix(kk, ii)), q_ref(kk, ii))
    return Proof((first, step("row k sums to 1", row, 1)), assumptions=assume(M, N, O))


def shape_step(label, expr, stated):
    """A shape computed by SymPy's matrix algebra against the stated one."""
    return step(label, sp.Matrix(expr.shape), sp.Matrix(stated))


P_, LQ_ = sp.MatrixSymbol("P", O, M), sp.MatrixSymbol("L", O, M)  # L stands for log(Q)
R_ = sp.MatrixSymbol("R", 1, O)  # the row [P log Q^T]^D
E1, E2 = sp.OneMatrix(M, 1), sp.OneMatrix(O, 1)
_LOGQ = {"P": p, "L": lambda a, b: sp.log(q[a, b])}
# The maximum-likelihood loss (1/O) sum_k sum_i p_ki log q_ki, 0-based like the entries.
MEAN_LOSS = sp.Sum(sp.Sum(p[ll, jj] * sp.log(q[ll, jj]), (jj, 0, M - 1)), (ll, 0, O - 1)) / O


def diagonal(r):
    """Entry r of [P log Q^T]^D: the (r, r) entry of the product."""
    return entry(P_ * LQ_.T, r, r, _LOGQ)


def matrix_loss(E):
    r"""$\frac{1}{O}[P\log Q^T]^D E$ for an all-ones column E of length O, entry by entry."""
    return tidy(entry(R_ * E, 0, 0, {"R": lambda _a, b: diagonal(b)})) / O


def loss_proof():
    """The matrix loss with E = E_2 (o×1) is the mean log-likelihood."""
    row = shape_step("[P log Q^T]^D E_2 is 1×1", R_ * E2, (1, 1))
    return Proof(
        (
            shape_step("P log Q^T is o×o", P_ * LQ_.T, (O, O)),
            row,
            step("(1/o)[P log Q^T]^D E_2", matrix_loss(E2), MEAN_LOSS),
        ),
        assumptions=assume(M, O, r"E = E_2 = \mathbf{1}_{o\times 1}"),
    )
