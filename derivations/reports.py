"""Markdown pages of measurements: the digits experiment and the benchmark results.

The digits page (`derivations.reports_digits`) is computed in the build that shows it. The
benchmark page renders the JSON that `make bench` wrote last (benchmarks/results/latest.json,
not committed), or the committed record: timings belong to one machine and one run, so the
page says which, and when there is none it says so instead of showing stale or typed-in
numbers. This module chooses the file and assembles the page; each part's section is in the
module of its concept: `reports_functions` (single calls), `reports_training` (the loss and
the fits), `reports_costs` (compiling, the verifier), their cells in `reports_cells`.
"""

from __future__ import annotations

import json
from pathlib import Path

from derivations.reports_costs import compile_section, verifier_section
from derivations.reports_digits import digits_page
from derivations.reports_functions import arguments_section, functions_section
from derivations.reports_training import (
    LOSS_FIGURE,
    dask_fit_section,
    fit_large_section,
    fit_section,
    loss_figure,
    loss_section,
)

__all__ = [
    "LOSS_FIGURE",
    "RECORD",
    "RESULTS",
    "bench_loss_figure",
    "bench_page",
    "digits_page",
    "results_file",
]

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "latest.json"
#: The published run, committed with the project: shown where no newer local run exists.
RECORD = Path(__file__).resolve().parents[1] / "benchmarks" / "record.json"


def results_file(local: Path = RESULTS, record: Path = RECORD) -> tuple[Path | None, bool]:
    """The run the Benchmarks page shows, and whether it is the committed record: a local
    run of `make bench` when there is one at least as new as the record, else the record."""

    def created(path):
        return json.loads(path.read_text(encoding="utf-8")).get("created", "")

    if local.exists() and (not record.exists() or created(local) >= created(record)):
        return local, False
    return (record, True) if record.exists() else (None, False)


_HEAD = [
    "# Benchmarks",
    "",
    "Every figure is a ratio against a peer measured in the same run of `make bench` "
    "(median of alternated repeats), so that the load of the machine cancels as far as "
    "it can. Timings belong to one machine: the environment of the run is listed below.",
    "",
]


def bench_page(path: Path | None = None) -> str:
    path, recorded = results_file() if path is None else (path, False)
    if path is None or not path.exists():
        return "\n".join([*_HEAD, *_no_run()])
    r = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join([*_HEAD, *_run_line(r, recorded), *_sections(r)])


def _no_run() -> list[str]:
    return [
        "!!! warning",
        "    `make bench` has not been run on the machine "
        "that built this site, so there are no measurements to show.",
    ]


def _sections(r) -> list[str]:
    """Each part of the file that it has, in the order of `make bench`."""
    sections = {
        "functions": lambda part: functions_section(part, r["environment"]["cpu_count"]),
        "arguments": arguments_section,
        "compile": compile_section,
        "loss": loss_section,
        "fit": fit_section,
        "fit_large": fit_large_section,
        "dask_fit": dask_fit_section,
        "verifier": verifier_section,
    }
    out = []
    for name, section in sections.items():
        if name in r:
            out += section(r[name])
    return out


def _run_line(r, recorded=False) -> list[str]:
    return [*(_recorded(r) if recorded else []), *_environment(r), *_old_schema(r)]


def _recorded(r) -> list[str]:
    env = r["environment"]
    machine = env.get("cpu_model") or env["machine"]
    return [
        f'!!! info "Recorded on {r["created"][:10]}, {machine}"',
        "    The published run, committed with the project as `benchmarks/record.json`. "
        "A local `make bench` replaces it in the site that machine builds.",
        "",
    ]


def _environment(r) -> list[str]:
    env = r["environment"]
    return [
        f"Run of {r['created']}{' (quick)' if r['quick'] else ''}: "
        f"Python {env['python']}, {env['machine']}, {env['cpu_count']} cores, "
        f"BLAS threads {env.get('blas_threads')}, "
        f"OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE')}.",
        "",
    ]


def _old_schema(r) -> list[str]:
    if r.get("schema", 1) >= 2:
        return []
    return [
        f"This file was written by an older `make bench` (schema {r.get('schema', 1)}): "
        "the figures it lacks are shown as — and its parts as they were.",
        "",
    ]


def bench_loss_figure(path: Path | None = None) -> str | None:
    """SVG of the loss rows of `path` (time and peak memory against O), or None without them;
    by default of the run the Benchmarks page shows (`results_file`)."""
    path = results_file()[0] if path is None else path
    if path is None or not path.exists():
        return None
    rows = json.loads(path.read_text(encoding="utf-8")).get("loss", {}).get("rows")
    return loss_figure(rows) if rows else None
