"""The benchmarks page and its plot, rendered from a results file (`benchmarks/README.md`)."""

from __future__ import annotations

import json

from derivations.reports import LOSS_FIGURE, bench_loss_figure, bench_page

ENVIRONMENT = {"python": "3.11", "machine": "x86_64", "cpu_count": 2}


def _function_row(function, shape, ratio, **extra):
    """A schema-1 row of the functions part (no torch and no floor fields)."""
    return {
        "function": function,
        "peer": "scipy.special.softmax",
        "dtype": "float64",
        "shape": shape,
        "ours_s": ratio * 2.0,
        "peer_s": 2.0,
        "ratio": ratio,
        "target": 0.5,
        "met": ratio <= 0.5,
        **extra,
    }


def _targeted(function, shape, ratio, torch_ratio, multiple, aim=3.0):
    """A schema-2 row with the torch and floor figures and their targets."""
    return _function_row(
        function,
        shape,
        ratio,
        torch_s=ratio * 2.0 / torch_ratio,
        torch_ratio=torch_ratio,
        torch_target=1.0,
        torch_met=torch_ratio <= 1.0,
        torch_note=None,
        floor_multiple=multiple,
        floor_aim=aim,
        floor_met=None if aim is None else multiple <= aim,
    )


def _write(tmp_path, results):
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    return path


def _schema_2_functions(torch=True):
    rows = [
        _targeted("softmax.softmax", [10_000, 1_000], 0.4, 0.9, 2.5),
        _targeted("softmax.log_softmax", [10_000, 1_000], 0.6, 1.2, 3.5),
        _targeted("softmax.logsumexp", [10_000, 1_000], 0.3, 0.8, 1.25),
        _targeted("softmax.softmax", [100_000, 10], 0.45, 0.7, 12.0, aim=None),
        _function_row("softmax.logsumexp (workers=-1)", [10_000, 1_000], 0.2, target=None),
        _function_row("np.copyto (memory floor)", [10_000, 1_000], 0.16, target=None),
    ]
    if not torch:
        for row in rows:
            if "torch_s" in row:
                row.update(torch_s=None, torch_ratio=None, torch_met=None)
                row["torch_note"] = "torch not installed"
    return rows


def _results(tmp_path):
    rows = [
        {"path": "production", "O": 100, "seconds": 1e-3, "peak_bytes": 2**20, "skipped": None},
        {"path": "production", "O": 1000, "seconds": 2e-3, "peak_bytes": 2**21, "skipped": None},
        {"path": "literal", "O": 100, "seconds": 2e-4, "peak_bytes": 2**19, "skipped": None},
        {"path": "literal", "O": 1000, "seconds": None, "peak_bytes": None, "skipped": "not run"},
    ]
    results = {
        "schema": 2,
        "created": "2026-12-01",
        "quick": True,
        "environment": ENVIRONMENT,
        "functions": _schema_2_functions(),
        "loss": {
            "rows": rows,
            "target": {"O": 1000, "M": 10, "target_s": 1.0, "seconds": 2e-3, "met": True},
        },
    }
    return _write(tmp_path, results)


def test_benchmarks_page_shows_the_loss_plot_it_is_given(tmp_path):
    path = _results(tmp_path)
    page = bench_page(path)
    assert f"]({LOSS_FIGURE})" in page
    assert "| production | 1e3 | 2 ms | 2 MiB |" in page
    svg = bench_loss_figure(path)
    # Two panels: time and peak memory.
    assert svg.lstrip().startswith("<?xml") and 'id="axes_1"' in svg and 'id="axes_2"' in svg


def test_functions_table_has_one_column_group_per_function(tmp_path):
    page = bench_page(_results(tmp_path))
    heading = (
        "| dtype | O × M | SciPy's softmax | softmax ÷ SciPy | ÷ torch | × copy | "
        "log_softmax ÷ SciPy | ÷ torch | × copy | logsumexp ÷ SciPy | ÷ torch | × copy |"
    )
    assert heading in page
    # One line per dtype and shape: ratios to SciPy and torch, multiple of the copy, marked.
    assert (
        "| float64 | 1e4 × 1e3 | 2 s | 0.40 ✓ | 0.90 ✓ | 2.5 ✓ | 0.60 ✗ | 1.20 ✗ | 3.5 ✗ "
        "| 0.30 ✓ | 0.80 ✓ | 1.2 ✓ |"
    ) in page
    # No aim for the copy at M = 10: the multiple without a mark; absent functions as —.
    assert "| float64 | 1e5 × 10 | 2 s | 0.45 ✓ | 0.70 ✓ | 12.0 | — | — | — | — | — | — |" in page
    # The information table: all CPUs and floors, without marks (no target).
    assert "| SciPy's softmax | logsumexp, all CPUs | floor: copy |" in page
    assert "| float64 | 1e4 × 1e3 | 2 s | 0.20 | 0.16 |" in page
    assert "target ≤ 0.5" in page and "target ≤ 1.0" in page and "aim ≤ 3.0" in page
    assert "not installed" not in page


def test_functions_table_without_torch_says_so(tmp_path):
    results = {"schema": 2, "created": "2026-12-01", "quick": False, "environment": ENVIRONMENT}
    page = bench_page(_write(tmp_path, {**results, "functions": _schema_2_functions(False)}))
    assert "÷ torch" not in page
    assert "torch: torch not installed in this run." in page
    assert "| softmax ÷ SciPy | × copy | log_softmax ÷ SciPy | × copy |" in page


def _with_jax(rows, jax_ratio=2.0, note=None):
    """`rows` as a run with JAX writes them: its figures on every function row, no target."""
    out = []
    for row in rows:
        if "torch_s" in row:
            jax_s = None if note else row["ours_s"] / jax_ratio
            row = row | {
                "jax_peer": "jax.nn.softmax",
                "jax_s": jax_s,
                "jax_ratio": None if note else jax_ratio,
                "jax_target": None,
                "jax_met": None,
                "jax_note": note,
            }
        out.append(row)
    return out


def test_jax_ratios_are_an_information_table_beside_the_targets(tmp_path):
    results = {"schema": 2, "created": "2026-12-02", "quick": True, "environment": ENVIRONMENT}
    page = bench_page(_write(tmp_path, {**results, "functions": _with_jax(_schema_2_functions())}))
    # The table of targets is as before: JAX has no target, so it has a table of its own.
    assert "| softmax ÷ SciPy | ÷ torch | × copy | log_softmax ÷ SciPy |" in page
    assert (
        "| dtype | O × M | JAX's softmax | softmax ÷ JAX | log_softmax ÷ JAX | logsumexp ÷ JAX |"
        in (page)
    )
    # JAX's softmax time for scale (ours 0.8 s at a ratio of 2), then ratios without marks.
    assert "| float64 | 1e4 × 1e3 | 400 ms | 2.00 | 2.00 | 2.00 |" in page
    assert "| float64 | 1e5 × 10 | 450 ms | 2.00 | — | — |" in page
    assert "Against JAX, information (no target)" in page and "JAX:" not in page


def test_a_missing_peer_says_why_by_one_rule_for_torch_and_jax(tmp_path):
    from benchmarks.peers import JAX_NAMES, Peer
    from derivations.reports_functions import peer_absence

    # Not installed in the run: the note that benchmarks/peers.py writes for either peer.
    missing = Peer("jax", JAX_NAMES, None).fields("softmax", 1.0, None)
    assert missing["jax_note"] == "jax not installed" and missing["jax_ratio"] is None
    results = {"schema": 2, "created": "2026-12-02", "quick": True, "environment": ENVIRONMENT}
    rows = [row | missing if "torch_s" in row else row for row in _schema_2_functions(False)]
    page = bench_page(_write(tmp_path, {**results, "functions": rows}))
    assert "torch: torch not installed in this run." in page
    assert "JAX: jax not installed in this run." in page and "÷ JAX" not in page
    # A file written before JAX was timed (the committed record of 2026-12-02): said so.
    page = bench_page(_write(tmp_path, {**results, "functions": _schema_2_functions()}))
    assert "JAX: not in this record." in page and "÷ JAX" not in page
    assert peer_absence(_schema_2_functions(), "torch") is None
    assert peer_absence(_schema_2_functions(), "jax") == "not in this record"
    assert peer_absence(_with_jax(_schema_2_functions()), "jax") is None


def test_compile_and_fit_large_tables(tmp_path):
    call = {"function": "softmax.softmax", "dtype": "float32", "shape": [3, 5000]}
    compile_part = {
        "calls": [call | {"cold_s": 1.5, "warm_s": 0.004, "hot_s": 1e-4}],
        "cold_total_s": 1.5,
        "warm_total_s": 0.004,
        "cache_files": 6,
        "import": {
            "median_s": 0.25,
            "runs_s": [0.2, 0.25, 0.3],
            "cold_cache_s": 0.3,
            "numba_loaded": False,
            "baseline": {"command": "import numpy", "median_s": 0.1},
            "target": "report only",
        },
    }
    fit_large = {
        "dataset": "Synthetic",
        "O": 30_000,
        "N": 300,
        "M": 10,
        "ours": "ours()",
        "peer": "peer()",
        "repeats": 3,
        "ours_s": 3.0,
        "peer_s": 5.0,
        "ratio": 0.6,
        "ours_iterations": 30,
        "peer_iterations": 30,
        "ours_objective": 0.1526971,
        "peer_objective": 0.1526974,
        "target": 0.7,
        "met": True,
        "one_blas_thread": {"ours_s": 0.9, "peer_s": 0.8, "ratio": 1.125, "met": False},
    }
    results = {"schema": 2, "created": "2026-12-01", "quick": True, "environment": ENVIRONMENT}
    page = bench_page(
        _write(tmp_path, {**results, "compile": compile_part, "fit_large": fit_large})
    )
    assert "| `softmax.softmax` | float32 | 3 × 5000 | 1.5 s | 4 ms | 0.1 ms |" in page
    assert "`import softmax` takes 250 ms" in page and "does not load numba" in page
    assert "## Fitting O = 30000, N = 300, M = 10 against scikit-learn" in page
    assert "| `ours()` | 30 | 0.152697 | 3 s | 900 ms |" in page
    assert "| `peer()` | 30 | 0.152697 | 5 s | 800 ms |" in page
    assert "Ratio 0.60 with the default BLAS threads, target ≤ 0.7 ✓ met." in page
    assert "ratio 1.12 ✗ not met" in page


def test_schema_1_file_renders_what_it_has(tmp_path):
    row = _function_row("softmax.softmax", [10, 10], 0.5) | {"target": 0.6, "met": True}
    old = {"schema": 1, "created": "2026-11-01", "quick": True, "environment": ENVIRONMENT}
    page = bench_page(_write(tmp_path, {**old, "functions": [row]}))
    assert "older `make bench` (schema 1)" in page
    assert "| dtype | O × M | SciPy's softmax | softmax ÷ SciPy |\n" in page
    assert "| float64 | 10 × 10 | 2 s | 0.50 ✓ |" in page
    assert "target ≤ 0.6" in page and "÷ torch" not in page


def test_benchmarks_page_without_results_says_so_and_draws_nothing(tmp_path):
    missing = tmp_path / "absent.json"
    assert "has not been run" in bench_page(missing)
    assert LOSS_FIGURE not in bench_page(missing)
    assert bench_loss_figure(missing) is None


def test_arguments_table_shows_each_call_against_scipy_and_against_the_plain_call(tmp_path):
    row = {
        "function": "softmax.softmax",
        "arguments": "axis=(1, 2)",
        "peer": "scipy.special.softmax",
        "dtype": "float64",
        "shape": [1000, 100, 10],
        "ours_s": 0.002,
        "peer_s": 0.004,
        "ratio": 0.5,
        "target": 0.5,
        "met": True,
        "plain": "softmax.softmax(z.reshape(1000, 1000), axis=-1)",
        "plain_s": 0.002,
        "plain_ratio": 1.0,
    }
    weighted = {**row, "function": "softmax.logsumexp", "arguments": "b=b", "target": None}
    weighted.update(met=None, ratio=0.55, shape=[10_000, 1_000])
    results = {"schema": 2, "created": "2026-12-02", "quick": False, "environment": ENVIRONMENT}
    page = bench_page(_write(tmp_path, {**results, "arguments": [row, weighted]}))
    assert "## SciPy's extra arguments" in page
    assert "| call | shape | SciPy's | ÷ SciPy | ÷ plain | plain call |" in page
    assert "| `softmax.softmax(z, axis=(1, 2))` | 1e3 × 100 × 10 | 4 ms | 0.50 ✓ | 1.00 |" in page
    assert "| `softmax.logsumexp(z, b=b)` | 1e4 × 1e3 | 4 ms | 0.55 | 1.00 |" in page


def test_dask_fit_section_shows_the_cluster_against_memory_and_each_worker(tmp_path):
    worker = {"restarted": False, "limit_bytes": 2**30, "peak_rss_bytes": 870 * 2**20}
    part = {
        "skipped": None,
        "dataset": "Synthetic",
        "model": "SoftmaxRegression()",
        "cluster": "LocalCluster()",
        "memory_thresholds": {"pause": 0.8},
        "O": 8_388_608,
        "N": 32,
        "M": 3,
        "chunk_rows": 262_144,
        "x_bytes": 2**31,
        "build_s": 6.0,
        "seconds": 80.0,
        "iterations": 20,
        "per_iteration_s": 4.0,
        "workers": [worker | {"disk_written_bytes": 20 * 2**30}, worker | {"restarted": True}],
        "restarted": True,
        "worker_log": {"Pausing worker": 15},
        "in_memory": {
            "x_bytes": 256 * 2**20,
            "rule": "the largest subset",
            "seconds": 2.0,
            "iterations": 20,
            "per_iteration_s": 0.1,
        },
        "warnings": [],
    }
    results = {"schema": 2, "created": "2026-12-02", "quick": False, "environment": ENVIRONMENT}
    page = bench_page(_write(tmp_path, {**results, "dask_fit": part}))
    assert "## Scaling out: data larger than a worker's memory" in page
    assert "| on the cluster | 2 GiB | 20 | 80 s | 4 s | 2 s |" in page
    assert "| in memory, one process | 256 MiB | 20 | 2 s | 100 ms | 400 ms |" in page
    assert "| 1 | 870 MiB | 1 GiB | 85% | 20 GiB |" in page
    # A worker that restarted has no disk counters: —.
    assert "| 2 | 870 MiB | 1 GiB | 85% | — |" in page
    assert "paused 15 times (memory above 80% of the limit); a worker restarted: yes" in page
    skipped = {"skipped": "dask or distributed not installed (dask)"}
    page = bench_page(_write(tmp_path, {**results, "dask_fit": skipped}))
    assert "Not run: dask or distributed not installed (dask)." in page


def test_the_page_shows_the_committed_record_unless_a_local_run_is_as_new(tmp_path, monkeypatch):
    from derivations import reports

    environment = {**ENVIRONMENT, "cpu_model": "Some CPU @ 2.0GHz"}
    base = {"schema": 2, "quick": False, "environment": environment}
    (tmp_path / "local").mkdir()
    record = _write(tmp_path, {**base, "created": "2026-12-02T09:00:00+00:00"})
    local = tmp_path / "local" / "latest.json"
    assert reports.results_file(local, record) == (record, True)  # no local run
    local.write_text(json.dumps({**base, "created": "2026-12-01T00:00:00+00:00"}))
    assert reports.results_file(local, record) == (record, True)  # an older local run
    local.write_text(json.dumps({**base, "created": "2026-12-03T00:00:00+00:00"}))
    assert reports.results_file(local, record) == (local, False)  # a newer one replaces it
    assert reports.results_file(tmp_path / "none.json", tmp_path / "no.json") == (None, False)
    monkeypatch.setattr(reports, "results_file", lambda: (record, True))
    page = reports.bench_page()
    assert '!!! info "Recorded on 2026-12-02, Some CPU @ 2.0GHz"' in page
    assert "committed with the project as `benchmarks/record.json`" in page
