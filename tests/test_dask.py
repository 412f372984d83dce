"""`SoftmaxRegression` on Dask arrays, against a real `distributed` cluster (claim IMPL-18).

The cluster is started here (two worker processes of one thread each), with no outside
service. A fit on a Dask array must equal the in-memory fit, never bring X to the client,
survive or clearly report a lost worker, and refuse data it cannot split by rows.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import tracemalloc
import types
from contextlib import redirect_stderr

import numpy as np
import pytest

# Dask is the optional `dask` extra (installed by `make`); without it there is nothing here to test.
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
from dask.utils import SerializableLock  # noqa: E402

from softmax import SoftmaxRegression, _dask  # noqa: E402
from softmax.solvers import DivergenceError  # noqa: E402

pytestmark = pytest.mark.claim("IMPL-18")


#: Under mutation testing (`make mutants`) the workers are threads of the test process: mutmut
#: learns which tests call a function by recording calls in its own process, so code that ran
#: only in worker processes would count as tested by none and its mutants would never run.
IN_PROCESS = "MUTANT_UNDER_TEST" in os.environ


def _cluster(processes=not IN_PROCESS):
    """Two workers of one thread (processes unless under mutmut); no dashboard, and a free
    port for its HTTP server."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=":0",
        scheduler_kwargs={"dashboard": False},
    )


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture
def process_client(request):
    """A client whose workers are processes even under mutmut, for the tests that need the
    workers' memory and warnings kept out of the test process (elsewhere the module's client)."""
    if not IN_PROCESS:
        yield request.getfixturevalue("client")
        return
    with _cluster(processes=True) as cluster, distributed.Client(cluster) as c:
        yield c


def _weights(model):
    return np.column_stack([model.intercept_, model.coef_])


def _relative(got, want):
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


def _data(seed=0, n=3000, features=5, classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features))
    y = np.argmax(X[:, :classes] + rng.normal(0.0, 0.5, (n, classes)), axis=1)
    return X, y


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_a_fit_on_a_dask_array_equals_the_in_memory_fit(client, solver):
    X, y = _data()
    Xd, yd = da.from_array(X, chunks=(700, 5)), da.from_array(y, chunks=(700,))
    calls = {"numpy": [], "dask": []}
    errs = {}
    for name, data in (("numpy", (X, y)), ("dask", (Xd, yd))):
        errs[name] = io.StringIO()
        model = SoftmaxRegression(
            solver=solver,
            max_iter=40,
            verbose=10,
            callback=lambda k, loss, n=name: calls[n].append(loss),
        )
        with redirect_stderr(errs[name]):
            model.fit(*data)
        calls[name + "_model"] = model
    a, b = calls["numpy_model"], calls["dask_model"]
    assert a.n_iter_ == b.n_iter_ and len(calls["numpy"]) == len(calls["dask"]) == a.n_iter_
    # The standard: the weights within 1e-10 of the in-memory ones, relative to the
    # largest weight (the block sums add the same terms in another order, IMPL-18), and the
    # losses along the way to the same relative standard.
    assert _relative(_weights(b), _weights(a)) <= 1e-10
    np.testing.assert_allclose(calls["dask"], calls["numpy"], rtol=1e-10, atol=0)
    assert errs["numpy"].getvalue().count("\n") == errs["dask"].getvalue().count("\n") > 0
    np.testing.assert_array_equal(b.classes_, a.classes_)


def test_divergence_on_a_dask_array_raises_as_in_memory_and_leaves_no_fit(process_client):
    X = da.from_array(np.array([[1e200], [-1e200]] * 10), chunks=(5, 1))
    y = da.from_array(np.array([0, 1] * 10), chunks=(5,))
    model = SoftmaxRegression(solver="gd", step=1e6)
    with pytest.raises(DivergenceError, match="gradient descent diverged at iteration 1"):
        model.fit(X, y)
    assert not hasattr(model, "coef_")


def test_predictions_on_a_dask_array_are_lazy_and_equal_the_in_memory_ones(client):
    X, y = _data(1)
    model = SoftmaxRegression().fit(X, y)
    Xd, yd = da.from_array(X, chunks=(1000, 5)), da.from_array(y, chunks=(1000,))
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        lazy = getattr(model, method)(Xd)
        assert isinstance(lazy, da.Array), method
        # The lazy array declares what its blocks hold: (O, M) logits, not X's (O, N).
        expected = getattr(model, method)(X)
        assert (lazy.shape, lazy.dtype) == (expected.shape, expected.dtype), method
        # Each row is computed from that row alone (the same product and kernel per block):
        # the same bits as in memory.
        np.testing.assert_array_equal(lazy.compute(), getattr(model, method)(X))
    score = model.score(Xd, yd)
    assert isinstance(score, da.Array)
    assert float(score.compute()) == model.score(X, y)
    # Lazy labels stay lazy: the score's graph computes them, rather than taking a copy of
    # y computed and brought to the client (from_array of the same values would be named
    # like yd itself, so the labels here are a derived array).
    lazy_y = yd + 0
    graph = model.score(Xd, lazy_y).__dask_graph__()
    assert any(lazy_y.name in str(key) for key in graph)
    # NumPy labels are split like the predictions.
    assert float(model.score(Xd, y).compute()) == model.score(X, y)


def test_a_score_on_a_dask_array_names_y_of_the_wrong_shape_or_a_ragged_y(client):
    X, y = _data(1, n=100)
    model = SoftmaxRegression(max_iter=5).fit(X, y)
    Xd = da.from_array(X, chunks=(50, 5))
    with pytest.raises(ValueError, match=r"^y must have shape \(100,\), got \(99,\)$"):
        model.score(Xd, y[:-1])
    with pytest.raises(TypeError, match=r"^y must be a rectangular array: "):
        model.score(Xd, [[0]] * 99 + [[0, 1]])
    # A list of labels is array_like as for in-memory data.
    assert float(model.score(Xd, y.tolist()).compute()) == model.score(X, y)


def test_no_chunk_of_X_reaches_the_client(process_client):
    """X (160 MB) is made and kept on the workers; the client's NumPy allocations during the
    fit (traced) stay far below one chunk of it (20 MB)."""
    rng = da.random.default_rng(3)
    X = rng.normal(size=(1_000_000, 20), chunks=(125_000, 20)).persist()
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64).persist()
    distributed.wait([X, y])
    tracemalloc.start()
    try:
        model = SoftmaxRegression(max_iter=4).fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert model.n_iter_ >= 1
    assert peak < 125_000 * 20 * 8 / 4, f"the client allocated {peak / 2**20:.1f} MiB"


def test_a_worker_lost_in_the_middle_of_a_fit_gives_the_same_weights_or_a_clear_error():
    X, y = _data(2)
    expected = SoftmaxRegression(max_iter=30).fit(X, y)
    with _cluster(processes=True) as cluster, distributed.Client(cluster) as c:
        Xd, yd = da.from_array(X, chunks=(500, 5)), da.from_array(y, chunks=(500,))
        victim = sorted(c.scheduler_info()["workers"])[0]
        pid = c.run(os.getpid, workers=[victim])[victim]

        def kill(k, loss):
            if k == 2:  # SIGKILL: the worker process dies with its blocks of X
                os.kill(pid, signal.SIGKILL)

        try:
            got = SoftmaxRegression(max_iter=30, callback=kill).fit(Xd, yd)
        except Exception as exc:  # a clear error is allowed, silently wrong weights are not
            assert "worker" in str(exc).lower() or type(exc).__name__ == "KilledWorker", exc
            return
    assert got.n_iter_ == expected.n_iter_
    assert _relative(_weights(got), _weights(expected)) <= 1e-10


def _rows(X, chunks=(500, 5)):
    return da.from_array(X, chunks=chunks)


def _with_row_7(X, value):
    X = X.copy()
    X[7] = value
    return X


# (make data from X and y, 1000 rows of 5 features and 3 classes; exception; its message)
BAD_DATA = {
    "X 1-d": (
        lambda X, y: (_rows(X[:, 0], 500), y),
        ValueError,
        "X must be 2-dimensional (n_samples, n_features), got shape (1000,)",
    ),
    "X complex": (
        lambda X, y: (_rows(X.astype(complex)), y),
        TypeError,
        "X must hold real numbers, got dtype complex128",
    ),
    "X of unknown chunk sizes": (
        # The first block's size is known, the second's is not (a boolean selection).
        lambda X, y: (
            da.concatenate([_rows(X[:500]), _rows(X[500:])[_rows(X[500:, 0] < 9, 500)]]),
            y,
        ),
        ValueError,
        "X has unknown chunk sizes: call X.compute_chunk_sizes() first",
    ),
    "X chunked by columns": (
        lambda X, y: (_rows(X, (500, 2)), y),
        ValueError,
        "X must be chunked along its rows only, got 3 chunks along its columns: "
        "pass X.rechunk({1: -1})",
    ),
    "X with NaN": (
        lambda X, y: (_rows(_with_row_7(X, np.nan)), y),
        ValueError,
        "X may not contain NaN or inf",
    ),
    "X with inf": (
        lambda X, y: (_rows(_with_row_7(X, -np.inf)), y),
        ValueError,
        "X may not contain NaN or inf",
    ),
    "NumPy y too short": (
        lambda X, y: (_rows(X), y[:999]),
        ValueError,
        "y must be 1-d with one label per row of X (1000), got (999,)",
    ),
    "y 2-d": (
        lambda X, y: (_rows(X), _rows(y[:, None], (500, 1))),
        ValueError,
        "y must be 1-d with one label per row of X (1000), got (1000, 1)",
    ),
    "y ragged": (
        lambda X, y: (_rows(X), [[0], [1, 2]]),
        TypeError,
        "y must be a rectangular array: ",
    ),
    "y chunked unlike X": (
        lambda X, y: (_rows(X), _rows(y, (700,))),
        ValueError,
        "y must be chunked like the rows of X: y has chunks (700, 300), X has (500, 500); "
        "pass y.rechunk((500, 500))",
    ),
    "y of strings": (
        lambda X, y: (_rows(X), _rows(y.astype("U2"), (500,))),
        ValueError,
        "y must hold integer labels on a Dask array, got dtype <U2",
    ),
    "y fractional": (
        lambda X, y: (_rows(X), _rows(y + 0.5, (500,))),
        ValueError,
        "y must hold integer labels: it holds values that are not integers",
    ),
    "y with inf": (
        lambda X, y: (_rows(X), _rows(np.where(np.arange(1000) == 3, np.inf, y), (500,))),
        ValueError,
        "y must hold integer labels: it holds values that are not integers",
    ),
    "y of one class": (
        lambda X, y: (_rows(X), _rows(y * 0 + 2, (500,))),
        ValueError,
        "y has only one class [2]: at least 2 are needed",
    ),
    "y of one class, float": (
        lambda X, y: (_rows(X), y * 0 + 2.0),
        ValueError,
        "y has only one class [2.0]: at least 2 are needed",
    ),
}


@pytest.mark.parametrize(("make", "error", "message"), BAD_DATA.values(), ids=BAD_DATA.keys())
def test_dask_data_a_fit_cannot_take_gets_an_error_naming_it(make, error, message):
    X, y = _data(4, n=1000)
    # The ragged y's message goes on with NumPy's own words, so only its start is fixed.
    pattern = re.escape(message) + ("" if message.endswith(": ") else "$")
    with pytest.raises(error, match=f"^{pattern}"):
        SoftmaxRegression().fit(*make(X, y))


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_predicting_from_X_chunked_by_columns_gets_the_same_value_error_as_fit(method):
    # Dask would compute X @ coef_.T over column chunks too, summing each row's products in
    # another order than the in-memory prediction; the rule is the one fit applies.
    X, y = _data(4, n=1000)
    model = SoftmaxRegression(max_iter=5).fit(X, y)
    message = (
        "X must be chunked along its rows only, got 3 chunks along its columns: "
        "pass X.rechunk({1: -1})"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(model, method)(da.from_array(X, chunks=(500, 2)))


def test_a_dask_collection_is_of_a_dask_type_and_has_a_task_graph():
    # Both, since is_dask decides without importing dask: an object of dask's that is not a
    # collection, or anyone's object with an attribute named `dask`, is array_like data.
    assert _dask.is_dask(da.zeros(3)) and _dask.is_dask(dask.delayed(1))
    assert not _dask.is_dask(SerializableLock())
    assert not _dask.is_dask(types.SimpleNamespace(dask={}))
    assert not _dask.is_dask(np.zeros(3))


def test_importing_softmax_and_fitting_numpy_data_never_imports_dask():
    code = (
        "import sys, numpy as np, softmax\n"
        "softmax.SoftmaxRegression(max_iter=5).fit(np.eye(4), [0, 1, 0, 1])\n"
        "print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
