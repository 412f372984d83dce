r"""What scipy.special's `logsumexp` and `softmax` also offer: the empty sum and several
axes (IMPL-16, IMPL-17).

A slice with no entries is the empty sum, 0, whose log is $-\infty$. A slice over several
axes is one distribution of all their entries. Each property calls the function under test
as scipy.special's users do, ``f(z, axis=…)``.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

import softmax
from derivations import reference
from derivations.claim import declarations, prop
from derivations.evidence import Check, holds
from derivations.proof import Proof, for_sizes, step
from derivations.properties import ULP_BOUND
from derivations.sources import SCIPY
from softmax import _axes, _weighted, functions

declare = declarations(__name__)

_PART = {"softmax": 0, "log_softmax": 1, "logsumexp": 2}
_Z = np.random.default_rng(171).normal(0.0, 4.0, (3, 4, 5))


def _within(kind, got, rows, name):
    """`got` (one result per row of `rows`, or the rows' shape) within 4 ulp of 60 digits."""
    exact = reference.reference(rows)[_PART[kind]]
    err = reference.ulp_error(
        np.reshape(np.asarray(got, np.float64), exact.shape), exact, np.float64
    )
    worst = float(np.max(err))
    return Check(name, worst <= ULP_BOUND, f"max error {worst:.3g} ulp")


def _flat(axes):
    kept = [a for a in range(3) if a not in axes]
    return np.transpose(_Z, (*kept, *axes)).reshape(math.prod(_Z.shape[a] for a in kept), -1)


def _slices_property(kind, axes, label):
    @prop(kind, f"axis={label}: one distribution over those axes")
    def run(f):
        got = f(_Z.copy(), axis=axes)
        if kind != "logsumexp":
            kept = [a for a in range(3) if a not in (axes or range(3))]
            got = np.transpose(got, (*kept, *(axes or range(3))))
        return _within(kind, got, _flat(axes or (0, 1, 2)), f"axis={label}")

    return run


def _zero_d(kind):
    @prop(kind, "a 0-d input is one slice of one entry")
    def run(f):
        got = np.asarray(f(np.float64(2.0)))
        want = {"softmax": 1.0, "log_softmax": 0.0, "logsumexp": 2.0}[kind]
        ok = got.shape == () and float(got) == want
        return Check("0-d input", ok, f"got {got!r}, want a 0-d {want}")

    return run


def _empty(kind):
    @prop(kind, "an empty slice: empty result (−∞ for logsumexp)")
    def run(f):
        got = np.asarray(f(np.zeros((2, 0)), axis=-1))
        if kind == "logsumexp":
            ok = got.shape == (2,) and bool(np.all(got == -np.inf))
        else:
            ok = got.shape == (2, 0)
        return Check("empty slice", ok, f"got shape {got.shape}: {got.tolist()}")

    return run


_EMPTY = tuple(_empty(kind) for kind in _PART)
_SLICES = tuple(
    p
    for kind in _PART
    for p in (
        _slices_property(kind, (1, 2), "(1, 2)"),
        _slices_property(kind, None, "None"),
        _zero_d(kind),
    )
)


def _empty_sum():
    i, n = sp.symbols("i n", integer=True)
    a = sp.IndexedBase("a")
    t = sp.Symbol("t", positive=True)
    return Proof(
        (
            step("Σ_{i=1}^{0} e^{a_i} = 0", sp.Sum(sp.exp(a[i]), (i, 1, 0)).doit(), 0),
            # −∞ − (−∞) is undefined, so the limit is checked through exp: e^{lim} = 0.
            step(
                "exp(lim_{t→0⁺} log t) = 0, i.e. log 0 = −∞",
                sp.exp(sp.limit(sp.log(t), t, 0, "+")),
                0,
            ),
            step(
                "Σ_{i=1}^{n} e^{a_i} + Σ_{∅} = Σ_{i=1}^{n} e^{a_i} (the empty slice adds nothing)",
                sp.Sum(sp.exp(a[i]), (i, 1, n)) + sp.Sum(sp.exp(a[i]), (i, 1, 0)).doit(),
                sp.Sum(sp.exp(a[i]), (i, 1, n)),
            ),
        )
    )


def _empty_results():
    checks = {
        "logsumexp([]) = −∞": functions.logsumexp([]) == -np.inf,
        "(3, 0) → three −∞": np.array_equal(functions.logsumexp(np.zeros((3, 0))), [-np.inf] * 3),
        "sign 0": functions.logsumexp([], return_sign=True)[1] == 0.0,
        "all weights 0 → −∞": functions.logsumexp([1.0, 2.0], b=[0.0, 0.0]) == -np.inf,
        "softmax of (2, 0) is (2, 0)": functions.softmax(np.zeros((2, 0))).shape == (2, 0),
        "log_softmax of (0, 3) is (0, 3)": functions.log_softmax(np.zeros((0, 3))).shape == (0, 3),
    }
    failed = [name for name, ok in checks.items() if not ok]
    return holds(
        "empty slices: " + "; ".join(checks),
        not failed,
        f"wrong: {failed}" if failed else "every case as stated",
    )


declare(
    id="IMPL-16",
    title=r"The empty sum: logsumexp of no entries is $\log 0 = -\infty$",
    source=r"\operatorname{lse}(\varnothing) = \log \sum_{i \in \varnothing} e^{a_i} "
    r"= \log 0 = -\infty",
    expect="holds",
    uses=("IMPL-3",),
    written=_empty_sum,
    numeric=lambda: [_empty_results()],
    properties=_EMPTY,
    implementation=(softmax.logsumexp, softmax.softmax, softmax.log_softmax, _weighted),
    references=(SCIPY,),
    note="−∞ is the only value that keeps lse(a ∪ ∅) = lse(a), as 0 is for the sum. "
    "softmax and log_softmax of an empty slice are empty: there is nothing to normalise.",
)


def _flattened(shape):
    rows, cols = shape
    z = sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"z_{i}{j}", real=True))
    block = sum(sp.exp(v) for v in z)
    flat = list(z)
    flat_total = sum(sp.exp(v) for v in flat)
    return Proof(
        tuple(
            step(
                f"q_{{{i}{j}}} over the block = entry {i * cols + j} of the flat softmax",
                sp.exp(z[i, j]) / block,
                sp.exp(flat[i * cols + j]) / flat_total,
            )
            for i in range(rows)
            for j in range(cols)
        )
    )


def _axes_match():
    rng = np.random.default_rng(170)
    x = rng.normal(0.0, 5.0, (3, 4, 5))
    same = []
    for axes in ((1, 2), (0, 2), (0, 1, 2)):
        flat = np.moveaxis(x, axes, range(3 - len(axes), 3)).reshape(
            *[x.shape[a] for a in range(3) if a not in axes], -1
        )
        got = np.moveaxis(functions.softmax(x, axis=axes), axes, range(3 - len(axes), 3))
        same.append(np.array_equal(got.reshape(flat.shape), functions.softmax(flat)))
        same.append(
            np.array_equal(
                functions.logsumexp(x, axis=axes).reshape(-1), functions.logsumexp(flat).reshape(-1)
            )
        )
    same.append(
        np.array_equal(
            functions.softmax(x, axis=None).reshape(-1), functions.softmax(x.reshape(-1))
        )
    )
    return holds(
        "softmax and logsumexp over axes (1, 2), (0, 2), (0, 1, 2) and None = over the "
        "flattened slice, bit for bit",
        all(same),
        f"{same.count(False)} of {len(same)} differ" if not all(same) else "the same bits",
    )


declare(
    id="IMPL-17",
    title="Softmax over a tuple of axes is softmax of the flattened slice",
    source=r"\operatorname{softmax}_{(a_1, a_2)}(z)_{ij} = "
    r"\frac{e^{z_{ij}}}{\sum_{k, l} e^{z_{kl}}} = "
    r"\operatorname{softmax}(\operatorname{vec} z)_{(i, j)}",
    expect="holds",
    uses=("SM-1",),
    written=lambda: for_sizes(
        lambda n: _flattened((2, n)),
        (1, 2, 3),
        name="columns",
        why="one block of 2 rows, column by column",
    ),
    numeric=lambda: [_axes_match()],
    properties=_SLICES,
    implementation=(softmax.softmax, softmax.log_softmax, softmax.logsumexp, _axes),
    references=(SCIPY,),
    note="The normaliser sums over every entry of the slice, in whatever order they are "
    "listed, so the slice's axes can be moved to the end and flattened (softmax._axes).",
)
