r"""BLAS threads for the products of `SoftmaxRegression`, chosen by their size.

Each evaluation of the objective in `fit` computes $X W^\mathsf{T}$ and $(Q - P)^\mathsf{T} X$,
$O (N + 1) M$ multiply-adds each: 0.9 million on scikit-learn's digits, a few tens of
microseconds. A second OpenBLAS thread does not pay for itself on products that small, and
on a 2-core machine busy with anything else it costs many times what it saves: the pool is
woken for every call and its threads spin between calls, so a call can wait for a thread
that is not running. Between the products, L-BFGS-B calls SciPy's own copy of OpenBLAS
(NumPy's and SciPy's wheels each bundle one, each with its own pool) on vectors of only
$M (N + 1)$ entries, and the spinning threads of the two pools compete for the same cores.
Measured on the project's 2-core machine under load (2026-11): the digits fit took
250–780 ms with the default 2 threads and 15–23 ms on one thread (17 ms also with NumPy's
pool on 2 threads and only SciPy's on one, in a quiet moment); a 30-iteration fit with
30 000 samples, 300 features and 10 classes took 1.7–2.1 s with the default threads,
1.0–1.1 s on one thread, and 0.7–0.9 s with NumPy's products on 2 threads and SciPy's pool
on one.

Hence, around the whole solve (`blas_threads`):

* products under `SMALL_PRODUCT` multiply-adds: every BLAS library on one thread;
* larger products: NumPy's BLAS is left as the caller has it, and a BLAS bundled inside
  SciPy's own package, which during a fit only L-BFGS-B uses, is put on one thread. Where
  NumPy and SciPy share one BLAS (conda, Linux distributions) nothing changes.

Limits only ever go down to one thread, so a caller's own lower limit (say
``threadpool_limits(1)``) stays in force, and threadpoolctl restores every pool on exit.
OpenBLAS's thread count is process-wide: while one fit holds limits, a fit running
concurrently in another thread (or nested in a callback) leaves them alone rather than
restore them out of order.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings

#: Products of fewer multiply-adds than this, $O (N + 1) M$ each, run on one BLAS thread.
#: Measured with whole 30-iteration fits (M = 10) on the project's 2-core machine: while
#: other work ran, one thread was 1.2-20x faster up to 1.5e7 (3000-5000 samples, 300
#: features); from 2.4e7 to 9e7 two threads for the products were 15-30% faster in most
#: runs, but stalled by 1.5-4x in a few of the busiest. On a quiet machine two threads
#: already gained 20% at 9e6, and nothing at the digits' 9e5.
SMALL_PRODUCT = 20_000_000

# The threadpoolctl controller, created on first use: threadpoolctl's import (2 ms) and the
# scan of the loaded libraries (4 ms) are not paid by `import softmax` or by a process that
# never fits. Libraries loaded after that first use are not seen, which is harmless here:
# NumPy's and SciPy's BLAS are loaded by `import softmax` itself.
_controller = None
_created = threading.Lock()
# Held, without blocking, by the one fit whose limits are in force (see the module notes).
_holder = threading.Lock()


def _get_controller():
    global _controller
    with _created:
        if _controller is None:
            import threadpoolctl

            with warnings.catch_warnings():
                # threadpoolctl warns about OpenMP runtimes it finds side by side; that is
                # the environment's business, not a fit's, and no reason to fail one.
                warnings.simplefilter("ignore", RuntimeWarning)
                _controller = threadpoolctl.ThreadpoolController()
    return _controller


def _inside_scipy(path):
    """Whether a shared library was bundled with SciPy (``scipy.libs``, ``scipy/.dylibs``)."""
    import scipy

    package = os.path.realpath(os.path.dirname(scipy.__file__))
    path = os.path.realpath(path)
    return any(path.startswith(root + os.sep) for root in (package, package + ".libs"))


def _pools(multiply_adds, lbfgs):
    """The BLAS pools to put on one thread for products of `multiply_adds` each."""
    blas = _get_controller().select(user_api="blas")
    if multiply_adds < SMALL_PRODUCT:
        return blas
    scipys = [lib.filepath for lib in blas.lib_controllers if lbfgs and _inside_scipy(lib.filepath)]
    return blas.select(filepath=scipys)


@contextlib.contextmanager
def blas_threads(multiply_adds, *, lbfgs=False):
    r"""Put BLAS on one thread for the enclosed products, if they are small.

    Parameters
    ----------
    multiply_adds : int
        Multiply-adds of one product, $O (N + 1) M$ for $X W^\mathsf{T}$ in `fit`.
    lbfgs : bool, default=False
        L-BFGS-B runs inside: a BLAS bundled with SciPy, which only it uses, is put on one
        thread whatever the size of the products.

    Notes
    -----
    Under `SMALL_PRODUCT` every BLAS library is put on one thread; above it, with `lbfgs`,
    only SciPy's own. A limit never raises a caller's, and all are restored on exit; a
    callback run inside sees the same limits. The fitted weights change at most by
    rounding: where OpenBLAS computes every entry of a product on one thread, as for the
    digits, one thread or two give the same bits (tests/test_model.py checks that fit);
    where it shares a product's sums among threads, one thread sums in another order.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from softmax._threads import blas_threads
    >>> def blas():
    ...     return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    >>> before = blas()
    >>> with blas_threads(1437 * 65 * 10):  # the digits fit's products
    ...     set(blas())
    {1}
    >>> blas() == before
    True
    """
    if not _holder.acquire(blocking=False):
        # Another fit, in this thread (a callback that fits) or another, holds the limits
        # and restores them when it ends; limiting again here could restore them too early.
        yield
        return
    try:
        pools = _pools(multiply_adds, lbfgs)
        if not pools.lib_controllers:
            yield
            return
        with pools.limit(limits=1):
            yield
    finally:
        _holder.release()
