r"""High-precision references for `softmax`, `log_softmax` and `logsumexp`, and an ulp metric.

The references run in a private mpmath context at 60 significant digits (about 200 bits),
so they do not touch the global `mpmath.mp` precision other code may rely on. Every input
float is converted with ``mpf(float(x))``, which is exact: the reference sees precisely the
numbers the production code sees.

They are computed in the log1p form, for a slice $x$ with maximum $m = x_k$ ($k$ the first
argmax, as in `softmax._kernels`):

* $s = \sum_{i \ne k} e^{x_i - m}$,
* $\operatorname{lse}(x) = m + \operatorname{log1p}(s)$,
* $\log q_i = (x_i - m) - \operatorname{log1p}(s)$,
* $q_i = e^{x_i - m} / (1 + s)$.

Why log1p and not a high-precision $\log\sum_i e^{x_i}$: at $P$ digits, $1 + s$ rounds to
1 once $s < 10^{-P}$, i.e. once the gap from the maximum to every other entry exceeds
$P \ln 10$ (about 115 at 50 digits, 138 at 60). The naive reference would then return
$\log q_k = 0$ exactly, while the true value $-s$ (e.g. $-e^{-200} \approx -1.4 \cdot
10^{-87}$) is a perfectly normal float64 that the production code does return. log1p keeps
$s$ at full relative precision however small it is, so the reference is accurate to about
60 digits relative for every output (mpmath exponents are unbounded: nothing underflows).

The remaining rounding in the reference, about $10^{-60}$ relative in each operation, is
amplified at most by $|x_i - m|$ inside $e^{x_i - m}$; for any term that is not far below
the float64 underflow threshold, $|x_i - m| < 800$, so the reference error stays below
$10^{-56}$ relative: $10^{40}$ times smaller than a float64 ulp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

#: Private context: 60 significant decimal digits.
CTX = mpmath.MPContext()
CTX.dps = 60


def _format(dtype):
    """(p, emin, emax, largest finite float, overflow threshold) of `dtype`."""
    info = np.finfo(dtype)
    p, emin, emax = int(info.nmant) + 1, int(info.minexp), int(info.maxexp) - 1
    big = CTX.mpf(float(info.max))
    return p, emin, emax, big, big + CTX.ldexp(1, emax - p)  # max + ulp(max)/2


#: Per dtype: precision p in bits (hidden bit included), minimum and maximum normal
#: exponents, the largest finite float, and the threshold at which rounding gives inf.
_FORMAT = {np.dtype(t): _format(t) for t in (np.float64, np.float32)}


def reference_row(row):
    """Exact-to-60-digits ``(q, log_q, lse)`` of one 1-D slice of floats.

    ``q`` and ``log_q`` are lists of `mpf`, ``lse`` an `mpf`. The slice must have a finite
    maximum (entries may be $-\\infty$: they get $q_i = 0$, $\\log q_i = -\\infty$).

    >>> q, logq, lse = reference_row([0.0, -50.0])
    >>> float(logq[0])          # -e^{-50}
    -1.9287498479639178e-22
    >>> float(lse)              # log(1 + e^{-50}), not 0
    1.9287498479639178e-22
    """
    xs = [CTX.mpf(float(v)) for v in row]
    finite = [x for x in xs if CTX.isfinite(x)]
    if not finite or any(CTX.isnan(x) or x == CTX.inf for x in xs):
        raise ValueError("reference_row needs a finite maximum")
    k = max(range(len(xs)), key=lambda i: (xs[i], -i))  # first index of the maximum
    m = xs[k]
    t = [CTX.exp(x - m) for x in xs]  # t[k] == 1 exactly; exp(-inf) == 0
    s = CTX.fsum(t[i] for i in range(len(t)) if i != k)
    log1p_s = CTX.log1p(s)
    q = [ti / (1 + s) for ti in t]
    logq = [(x - m) - log1p_s for x in xs]
    return q, logq, m + log1p_s


def reference(x, axis=-1):
    """``(q, log_q, lse)`` of every slice of `x` along `axis`, as object arrays of `mpf`.

    ``q`` and ``log_q`` have the shape of `x`; ``lse`` has it with `axis` removed.
    """
    x = np.asarray(x)
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    q = np.empty(rows.shape, dtype=object)
    logq = np.empty(rows.shape, dtype=object)
    lse = np.empty(rows.shape[0], dtype=object)
    for j, row in enumerate(rows):
        q[j], logq[j], lse[j] = reference_row(row.tolist())
    q = np.moveaxis(q.reshape(moved.shape), -1, axis)
    logq = np.moveaxis(logq.reshape(moved.shape), -1, axis)
    return q, logq, lse.reshape(moved.shape[:-1])


def ulp(exact, dtype):
    r"""The spacing of `dtype` floats at the real number `exact` (an `mpf` or float).

    Definition: for $2^E \le |y| < 2^{E+1}$ this is $2^{E - p + 1}$ ($p$ = 53 for float64,
    24 for float32), the gap between consecutive floats of that binade. Below the smallest
    normal $2^{e_{\min}}$, zero included, it is the subnormal spacing $2^{e_{\min} - p + 1}$
    ($2^{-1074}$, $2^{-149}$): an error of 1 there is one subnormal step. Above the largest
    finite float it stays $\operatorname{ulp}(\text{max})$.

    >>> ulp(1.0, np.float64) == 2.0**-52, ulp(0.0, np.float32) == 2.0**-149
    (True, True)
    """
    p, emin, emax, _big, _threshold = _FORMAT[np.dtype(dtype)]
    y = abs(CTX.mpf(exact))
    e = emin if y == 0 else int(CTX.frexp(y)[1]) - 1  # y = f * 2^(e+1), f in [1/2, 1)
    return CTX.ldexp(1, min(max(e, emin), emax) - p + 1)


def ulp_error_scalar(computed, exact, dtype):
    """Error of one computed float against one exact `mpf`, in ulps of `exact` in `dtype`.

    Conventions for values that are not finite numbers:

    * a NaN computed value is infinitely wrong (the reference is never NaN);
    * an exact $\\pm\\infty$ (e.g. $\\log 0$) is matched only by the same infinity: 0 ulps,
      else $\\infty$;
    * an exact value that rounds to $\\pm\\infty$ in `dtype` (beyond the largest float plus
      half an ulp) is matched by that infinity at 0 ulps; any other infinite computed value
      is $\\infty$ ulps wrong;
    * otherwise $|\\text{computed} - \\text{exact}| / \\operatorname{ulp}(\\text{exact})$,
      with `ulp` as defined there (subnormal spacing near 0).
    """
    c = float(computed)
    exact = CTX.mpf(exact)
    if math.isnan(c) or CTX.isnan(exact):
        return 0.0 if (math.isnan(c) and CTX.isnan(exact)) else math.inf
    # |exact| >= max + ulp(max)/2 rounds to infinity (round half to even: max is odd).
    if CTX.isinf(exact) or abs(exact) >= _FORMAT[np.dtype(dtype)][4]:
        return 0.0 if math.isinf(c) and (c > 0) == (exact > 0) else math.inf
    if math.isinf(c):
        return math.inf
    return float(abs(CTX.mpf(c) - exact) / ulp(exact, dtype))


@dataclass(frozen=True)
class Prepared:
    """Exact values made ready for vectorized ulp errors in one `dtype` (see `prepare`)."""

    hi: np.ndarray  # exact / ulp(exact), rounded to float64
    lo: np.ndarray  # the rest, exact / ulp - hi, rounded: hi + lo carries about 106 bits
    ulp: np.ndarray  # ulp(exact, dtype), a power of two (1 where exact is not finite)
    inf: np.ndarray  # +1 or -1 where exact is ±inf or rounds to it in dtype, else 0
    nan: np.ndarray  # where exact is NaN
    dtype: np.dtype


def prepare(exact, dtype) -> Prepared:
    r"""Convert an object array of `mpf` once, so that `ulp_error` against it is vectorized.

    The references of a family are compared with many functions (`derivations.conform`,
    the peers page); converting them once replaces a multiple-precision subtraction and
    division per entry and per function by a few float64 operations. Each exact value is
    kept in units of its own ulp, $a = \text{exact} / \operatorname{ulp}$ (an exact
    scaling, $|a| < 2^{p}$), which float64 holds for every magnitude, even those below its
    subnormals.
    """
    exact = np.asarray(exact, dtype=object)
    threshold = _FORMAT[np.dtype(dtype)][4]
    hi, lo, inf, nan = (np.zeros(exact.shape) for _ in range(4))
    spacing = np.ones(exact.shape)
    for index, value in np.ndenumerate(exact):
        e = CTX.mpf(value)
        if CTX.isnan(e):
            nan[index] = 1.0
        elif CTX.isinf(e) or abs(e) >= threshold:
            inf[index] = 1.0 if e > 0 else -1.0
        else:
            u = ulp(e, dtype)
            a = e / u
            spacing[index], hi[index] = float(u), float(a)
            lo[index] = float(a - hi[index])
    return Prepared(hi, lo, spacing, inf, nan.astype(bool), np.dtype(dtype))


def ulp_error(computed, exact, dtype):
    r"""Elementwise `ulp_error_scalar` of arrays of the same shape; a float64 array.

    `exact` is an object array of `mpf`, or the `prepare`d form of one (for `dtype`). The
    error is $|(\text{computed} / \operatorname{ulp} - hi) - lo|$: the division by a power of
    two is exact, the first difference too wherever the error is small (Sterbenz's lemma),
    and the second rounds at $2^{-53}$ relative, so the figure agrees with
    `ulp_error_scalar` to about 15 digits.

    >>> ulp_error(np.array([1.0 + 2.0**-52]), np.array([CTX.mpf(1)], dtype=object), np.float64)
    array([1.])
    """
    if not isinstance(exact, Prepared):
        exact = prepare(exact, dtype)
    elif exact.dtype != np.dtype(dtype):
        raise ValueError(f"exact was prepared for {exact.dtype}, not {np.dtype(dtype)}")
    c = np.asarray(computed, dtype=np.float64)
    if c.shape != exact.hi.shape:
        raise ValueError(f"shapes differ: {c.shape} and {exact.hi.shape}")
    with np.errstate(invalid="ignore", over="ignore"):
        # A huge computed value over a tiny ulp overflows to inf: it is that many ulps off.
        err = np.abs((c / exact.ulp - exact.hi) - exact.lo)
    special = exact.inf != 0
    matched = np.isinf(c) & (np.sign(c) == exact.inf)
    err = np.where(special, np.where(matched, 0.0, np.inf), np.where(np.isinf(c), np.inf, err))
    # NaN rules last: a NaN is wrong unless the exact value is NaN too.
    c_nan = np.isnan(c)
    return np.where(c_nan | exact.nan, np.where(c_nan & exact.nan, 0.0, np.inf), err)


def lse_condition(x, lse_exact):
    r"""$\kappa = \operatorname{log1p}(s) / |\operatorname{lse}|$ per row (inf where lse = 0)."""
    m = x.astype(np.float64).max(axis=-1)
    kappa = []
    for mi, lse in zip(m.tolist(), lse_exact.tolist(), strict=True):
        log1p_s = lse - CTX.mpf(mi)
        kappa.append(math.inf if lse == 0 else float(abs(log1p_s / lse)))
    return np.array(kappa)


def _as_float64(values):
    return np.array([float(v) for v in values.ravel()], dtype=np.float64).reshape(values.shape)


def softmax(x):
    """Reference softmax along the last axis, correctly rounded to float64."""
    return _as_float64(reference(x)[0])


def log_softmax(x):
    """Reference log-softmax along the last axis, correctly rounded to float64."""
    return _as_float64(reference(x)[1])


def logsumexp(x):
    """Reference log-sum-exp along the last axis, correctly rounded to float64."""
    return _as_float64(reference(x)[2])
