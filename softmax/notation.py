r"""The tutorial's matrix forms, literally, as a reference path.

Shapes, in the tutorial's letters: $O$ samples, $N$ features (with $x_0 = 1$), $M$ classes;
$X$ is $(O, N)$, $W$ is $(M, N)$, $P$ and $Q$ are $(O, M)$.

These functions transcribe the formulas as written, with no shift and no log1p, so that
claims can show that the stable production path (`softmax.softmax`, `softmax.cross_entropy`,
`softmax.cross_entropy_grad`) computes the same numbers. They are slow and overflow where
the formulas do ($e^{XW^\mathsf{T}}$ overflows once a logit exceeds about 709); they are a
reference, not a tool. Arguments are checked for shape only.
"""

from __future__ import annotations

import numpy as np

from softmax._validate import as_float_array, check_positive_number

__all__ = ["E1", "E2", "D", "G", "L", "Q", "S"]


def _matrix(name, value):
    return as_float_array(name, value, ndim=2)


def _same_shape(a_name, a, b_name, b):
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape, got {a.shape} and {b.shape}"
        )


def E1(M):
    r"""$E_1$: the all-ones column of shape $(M, 1)$ that sums a row of $G$.

    >>> E1(3).ravel().tolist()
    [1.0, 1.0, 1.0]

    Checked by claims MAT-2, SUM-2.
    """
    return np.ones((check_positive_number("M", M, integer=True), 1))


def E2(O):
    r"""$E_2$: the all-ones column of shape $(O, 1)$ that sums over samples.

    >>> E2(2).shape
    (2, 1)

    Checked by claims SUM-2, SUM-4.
    """
    return np.ones((check_positive_number("O", O, integer=True), 1))


def G(X, W):
    r"""Weight exponentials $G = e^{X W^\mathsf{T}}$, shape $(O, M)$.

    Entry $c_{ki} = e^{\sum_j w_{ij} x_{(k)j}}$.

    >>> G([[1.0, 0.0]], [[0.0, 0.0], [1.0, 2.0]]).round(4).tolist()
    [[1.0, 2.7183]]

    Checked by claims MODEL-3, MAT-1, GRAD-1, SUM-3.
    """
    X, W = _matrix("X", X), _matrix("W", W)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X (O, N) and W (M, N) must share N, got {X.shape} and {W.shape}")
    return np.exp(X @ W.T)


def S(G):
    r"""Row sums $S = G E_1$, shape $(O, 1)$: $s_k = \sum_i c_{ki}$.

    >>> S([[1.0, 2.0], [3.0, 4.0]]).ravel().tolist()
    [3.0, 7.0]

    Checked by claims MAT-2, MAT-3, MATL-3, SUM-1, SUM-2.
    """
    G = _matrix("G", G)
    return G @ E1(G.shape[1])


def Q(G, S):
    r"""Normalisation $Q = G / S$ (each row of $G$ divided by its $s_k$), shape $(O, M)$.

    >>> Q([[1.0, 3.0]], [[4.0]]).tolist()
    [[0.25, 0.75]]

    Checked by claims MODEL-3, MAT-3, MATL-3, SUM-3.
    """
    G, S = _matrix("G", G), _matrix("S", S)
    if S.shape != (G.shape[0], 1):
        raise ValueError(f"S must have shape ({G.shape[0]}, 1), got {S.shape}")
    return G / S


def L(P, Q):
    r"""The tutorial's loss $L = \frac{1}{O}\left[P \log(Q^\mathsf{T})\right]^D E_2$.

    $[A]^D$ takes the diagonal of the $O \times O$ matrix $P \log Q^\mathsf{T}$ as a row:
    entry $k$ is $\sum_i p_{ki} \log q_{ki}$. Building the whole $O \times O$ product to
    keep $O$ numbers costs $O(O^2 M)$ time and $O^2$ memory; this literal form is for
    checking, not training. The result is the mean log-likelihood ($\le 0$), a scalar.

    >>> round(L([[0.0, 1.0, 0.0]], [[0.2, 0.6, 0.2]]), 4)    # ln 0.6
    -0.5108

    Checked by claims MATL-1, SUM-4.
    """
    P, Q = _matrix("P", P), _matrix("Q", Q)
    _same_shape("P", P, "Q", Q)
    O = P.shape[0]
    # Literal: where a q underflowed to 0 this gives 0 * log 0 = NaN (or -inf), one reason
    # the production path works from logits instead.
    with np.errstate(divide="ignore", invalid="ignore"):
        row = np.diagonal(P @ np.log(Q.T)).reshape(1, O)
    return float((row @ E2(O))[0, 0] / O)


def D(P, Q, X):
    r"""The tutorial's update direction $D = (P - Q)^\mathsf{T} X$, shape $(M, N)$.

    Not divided by $O$: the tutorial's summary step divides, $W \leftarrow W + \eta D / O$
    (see erratum GRADM-2).

    >>> D([[1.0, 0.0]], [[0.25, 0.75]], [[1.0, 2.0]]).tolist()
    [[0.75, 1.5], [-0.75, -1.5]]

    Checked by claims GRAD-6, GRADM-2, SUM-5, TRAIN-1.
    """
    P, Q, X = _matrix("P", P), _matrix("Q", Q), _matrix("X", X)
    _same_shape("P", P, "Q", Q)
    if X.shape[0] != P.shape[0]:
        raise ValueError(f"X must have {P.shape[0]} rows like P, got {X.shape}")
    return (P - Q).T @ X
