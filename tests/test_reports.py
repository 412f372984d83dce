"""The benchmarks page and its plot, rendered from a results file (`benchmarks/README.md`)."""

from __future__ import annotations

import json

from derivations.reports import LOSS_FIGURE, bench_loss_figure, bench_page


def _results(tmp_path):
    row = {"function": "softmax.softmax", "peer": "scipy.special.softmax", "dtype": "float64"}
    rows = [
        {"path": "production", "O": 100, "seconds": 1e-3, "peak_bytes": 2**20, "skipped": None},
        {"path": "production", "O": 1000, "seconds": 2e-3, "peak_bytes": 2**21, "skipped": None},
        {"path": "literal", "O": 100, "seconds": 2e-4, "peak_bytes": 2**19, "skipped": None},
        {"path": "literal", "O": 1000, "seconds": None, "peak_bytes": None, "skipped": "not run"},
    ]
    results = {
        "created": "2026-12-01",
        "quick": True,
        "environment": {"python": "3.11", "machine": "x86_64", "cpu_count": 2},
        "functions": [
            {**row, "shape": [10, 10], "ours_s": 1.0, "peer_s": 2.0, "ratio": 0.5}
            | {"target": 0.6, "met": True}
        ],
        "loss": {
            "rows": rows,
            "target": {"O": 1000, "M": 10, "target_s": 1.0, "seconds": 2e-3, "met": True},
        },
    }
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    return path


def test_benchmarks_page_shows_the_loss_plot_it_is_given(tmp_path):
    path = _results(tmp_path)
    page = bench_page(path)
    assert f"]({LOSS_FIGURE})" in page
    assert "| production | 1e3 | 2 ms | 2 MiB |" in page
    assert "| float64 | 10 × 10 | 2 s | 0.50 ✓ |" in page  # one line per dtype and shape
    svg = bench_loss_figure(path)
    # Two panels: time and peak memory.
    assert svg.lstrip().startswith("<?xml") and 'id="axes_1"' in svg and 'id="axes_2"' in svg


def test_benchmarks_page_without_results_says_so_and_draws_nothing(tmp_path):
    missing = tmp_path / "absent.json"
    assert "has not been run" in bench_page(missing)
    assert LOSS_FIGURE not in bench_page(missing)
    assert bench_loss_figure(missing) is None
