"""Conformance properties for scipy's extras (claims IMPL-14 to IMPL-17), for any library.

Each property calls the function under test as scipy.special's users do, ``f(z, axis=…)``,
``f(a, axis=-1, b=…, return_sign=…)``, so the peers page shows which libraries support
each extra: a function that refuses an argument fails with the error it raised.
"""

from __future__ import annotations

import cmath
import math

import mpmath
import numpy as np

from derivations import conform, reference
from derivations.evidence import Check

_PART = {"softmax": 0, "log_softmax": 1, "logsumexp": 2}
_Z = np.random.default_rng(171).normal(0.0, 4.0, (3, 4, 5))


def _within(kind, got, rows, name):
    """`got` (one result per row of `rows`, or the rows' shape) within 4 ulp of 60 digits."""
    exact = reference.reference(rows)[_PART[kind]]
    err = reference.ulp_error(
        np.reshape(np.asarray(got, np.float64), exact.shape), exact, np.float64
    )
    worst = float(np.max(err))
    return Check(name, worst <= conform.ULP_BOUND, f"max error {worst:.3g} ulp")


def _flat(axes):
    kept = [a for a in range(3) if a not in axes]
    return np.transpose(_Z, (*kept, *axes)).reshape(math.prod(_Z.shape[a] for a in kept), -1)


def _slices_property(kind, axes, label):
    @conform.prop("IMPL-17", kind, f"axis={label}: one distribution over those axes")
    def run(f):
        got = f(_Z.copy(), axis=axes)
        if kind != "logsumexp":
            kept = [a for a in range(3) if a not in (axes or range(3))]
            got = np.transpose(got, (*kept, *(axes or range(3))))
        return _within(kind, got, _flat(axes or (0, 1, 2)), f"axis={label}")


for _kind in _PART:
    _slices_property(_kind, (1, 2), "(1, 2)")
    _slices_property(_kind, None, "None")


def _zero_d(kind):
    @conform.prop("IMPL-17", kind, "a 0-d input is one slice of one entry")
    def run(f):
        got = np.asarray(f(np.float64(2.0)))
        want = {"softmax": 1.0, "log_softmax": 0.0, "logsumexp": 2.0}[kind]
        ok = got.shape == () and float(got) == want
        return Check("0-d input", ok, f"got {got!r}, want a 0-d {want}")


def _empty(kind):
    @conform.prop("IMPL-16", kind, "an empty slice: empty result (−∞ for logsumexp)")
    def run(f):
        got = np.asarray(f(np.zeros((2, 0)), axis=-1))
        if kind == "logsumexp":
            ok = got.shape == (2,) and bool(np.all(got == -np.inf))
        else:
            ok = got.shape == (2, 0)
        return Check("empty slice", ok, f"got shape {got.shape}: {got.tolist()}")


for _kind in _PART:
    _zero_d(_kind)
    _empty(_kind)


def _weighted_exact(a, b):
    with mpmath.workdps(50):
        terms = (mpmath.mpf(float(w)) * mpmath.exp(float(v)) for v, w in zip(a, b, strict=True))
        return mpmath.fsum(terms)


_A = np.random.default_rng(140).normal(0.0, 3.0, (8, 6))
_B = np.where(np.random.default_rng(141).random((8, 6)) < 0.8, 1.0, 0.0) * np.random.default_rng(
    142
).uniform(0.1, 2.0, (8, 6))


@conform.prop("IMPL-14", "logsumexp", "weights b (zeros mask entries) within 4 ulp")
def _weights(f):
    got = np.asarray(f(_A, axis=-1, b=_B), np.float64)
    worst = 0.0
    for row, value in enumerate(got):
        exact = mpmath.log(_weighted_exact(_A[row], _B[row]))
        worst = max(worst, float(abs(value - exact) / np.spacing(abs(float(exact)))))
    return Check("weights b", worst <= conform.ULP_BOUND, f"max error {worst:.3g} ulp")


@conform.prop("IMPL-15", "logsumexp", "return_sign: the sign of a sum with negative weights")
def _signs(f):
    a = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 1.0]])
    b = np.array([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]])
    lse, sign = f(a, axis=-1, b=b, return_sign=True)
    lse, sign = np.asarray(lse, np.float64), np.asarray(sign, np.float64)
    exact = mpmath.log(mpmath.e**2 - mpmath.e)  # |e^1 - e^2| and |e^2 - e^1|, 50 digits
    ulps = [float(abs(v - exact) / np.spacing(float(exact))) for v in lse[:2]]
    ok = (
        np.array_equal(sign, [-1.0, 1.0, 0.0])  # the cancelled pair is 0: log −∞, sign 0
        and lse[2] == -math.inf
        and max(ulps) <= conform.ULP_BOUND  # the 4-ulp target
    )
    return Check("return_sign", ok, f"got {lse.tolist()}, {sign.tolist()}")


@conform.prop("IMPL-14", "logsumexp", "complex input: log of the sum, imaginary part in (−π, π]")
def _complex(f):
    z = np.array([[1 + 3j, 2 + 2j, -1 - 3j], [0.5 + 3.1j, 0.5 + 3.1j, 0.0 + 0.0j]])
    got = np.asarray(f(z, axis=-1))
    worst = 0.0
    for row, value in enumerate(got):
        with mpmath.workdps(50):
            exact = complex(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpc(v)) for v in z[row])))
        worst = max(worst, abs(complex(value) - exact) / np.spacing(abs(exact)))
        worst = max(worst, 0.0 if -cmath.pi < complex(value).imag <= cmath.pi else math.inf)
    return Check("complex input", worst <= conform.ULP_BOUND, f"max error {worst:.3g} ulp")
