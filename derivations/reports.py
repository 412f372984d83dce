"""Markdown pages of measurements: the digits experiment and the benchmark results.

The digits page is computed in the build that shows it. The benchmark page renders the JSON
that `make bench` wrote last (benchmarks/results/latest.json, not committed): timings belong
to one machine and one run, so the page says which, and when there is none it says so
instead of showing stale or typed-in numbers.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from derivations import digits
from derivations.figures import for_page, svg

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


#: Where the benchmarks page finds the plot of the loss rows (drawn by `bench_loss_figure`).
LOSS_FIGURE = "figures/bench-loss.svg"


def _figures(page: str) -> list[str]:
    out = []
    for fig in for_page(page):
        out += [
            f'<figure markdown="span" id="figure-{fig.name}">',
            f"![{html.escape(fig.caption)}]({fig.path})",
            f"<figcaption>{html.escape(fig.caption)}</figcaption>",
            "</figure>",
            "",
        ]
    return out


def _objective(fitted, X, y) -> float:
    """Our objective at scikit-learn's solution: the mean cross-entropy of its
    probabilities plus (α/2)‖coef‖², the intercept unpenalised, as in ours."""
    logq = fitted.predict_log_proba(X)[range(len(y)), y]
    return float(-logq.mean() + 0.5 * digits.alpha() * (fitted.coef_**2).sum())


def digits_page() -> str:
    from sklearn.linear_model import LogisticRegression

    Xtr, Xte, ytr, yte = digits.split()
    runs = digits.experiment()
    peer = LogisticRegression(C=digits.C).fit(Xtr, ytr)
    rows = [
        (
            '`SoftmaxRegression(solver="lbfgs")`',
            runs["lbfgs"].score(Xte, yte),
            runs["lbfgs"].n_iter_,
            runs["lbfgs"].loss_curve_[-1],
        ),
        (
            '`SoftmaxRegression(solver="gd", step=0.5)`, the tutorial\'s loop',
            runs["gd"].score(Xte, yte),
            runs["gd"].n_iter_,
            runs["gd"].loss_curve_[-1],
        ),
        (
            "`sklearn.linear_model.LogisticRegression()`",
            peer.score(Xte, yte),
            int(peer.n_iter_.max()),
            _objective(peer, Xtr, ytr),
        ),
    ]
    table = ["| model | test accuracy | iterations | final objective |", "|---|---|---|---|"]
    for name, acc, its, f in rows:
        table.append(f"| {name} | {acc:.2%} | {its} | {f:.6f} |")
    return "\n".join(
        [
            "# Real data: handwritten digits",
            "",
            "The tutorial promises a test on MNIST-like data. scikit-learn ships such a set, "
            f"8×8 images of digits, so nothing is downloaded: {len(Xtr)} training and "
            f"{len(Xte)} test images, split 80/20 by class with `random_state=0`, pixels "
            "standardized with the training part's mean and scale. Every model minimises "
            "the same objective, the mean cross-entropy plus "
            r"$\frac{\alpha}{2}\lVert W\rVert^2$ with "
            f"$\\alpha = 1/O = {digits.alpha():.3g}$ "
            "(scikit-learn's default C = 1). Computed in this build:",
            "",
            *table,
            "",
            "The training curves of both solvers are on the "
            "[training loop](claims/training.md#figure-digits-curve) page.",
            "",
            *_figures("digits"),
        ]
    )


def _count(n: int) -> str:
    """10000 -> 1e4; sizes that are not powers of ten as they are."""
    k = len(str(n)) - 1
    return f"1e{k}" if n >= 1000 and n == 10**k else str(n)


def _seconds(s) -> str:
    return "—" if s is None else (f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s")


def _met(v) -> str:
    return {True: "✓ met", False: "✗ not met", None: ""}[v]


#: Functions with a target, in the order of their column groups: (heading, name in the file).
_FUNCTIONS = (
    ("softmax", "softmax.softmax"),
    ("log_softmax", "softmax.log_softmax"),
    ("logsumexp", "softmax.logsumexp"),
)
#: Columns of the information table, ratios to SciPy: (heading, function name in the file).
_INFO_COLUMNS = (
    ("softmax, all CPUs", "softmax.softmax (workers=-1)"),
    ("log_softmax, all CPUs", "softmax.log_softmax (workers=-1)"),
    ("logsumexp, all CPUs", "softmax.logsumexp (workers=-1)"),
    ("floor: copy", "np.copyto (memory floor)"),
    ("floor: exp", "np.exp (exponential floor)"),
    ("floor: float64 exp", "np.exp in float64 (floor at this accuracy)"),
)


def _figure(row, value="ratio", target="target", met="met", digits=2) -> str:
    """`row[value]`, with ✓ or ✗ where the row has a target for it; — where it has none."""
    if row is None or row.get(value) is None:
        return "—"
    mark = "" if row.get(target) is None else " " + _met(row.get(met))[0]
    return f"{row[value]:.{digits}f}{mark}"


def _by_dtype_and_shape(rows) -> dict:
    """``{(dtype, "O × M"): {function: row}}``, in the order of the file."""
    cells: dict = {}
    for row in rows:
        key = (row["dtype"], " × ".join(_count(n) for n in row["shape"]))
        cells.setdefault(key, {})[row["function"]] = row
    return cells


def _grid(cells, columns) -> list[str]:
    """A table with one line per dtype and shape: SciPy's softmax time, then `columns`
    (heading, cell of a line's rows); a column that is — on every line is left out."""
    body = {key: [cell(v) for _, cell in columns] for key, v in cells.items()}
    keep = [i for i in range(len(columns)) if any(c[i] != "—" for c in body.values())]
    if not keep:
        return []
    lines = [
        "| dtype | O × M | SciPy's softmax | " + " | ".join(columns[i][0] for i in keep) + " |",
        "|---|---|---|" + "---|" * len(keep),
    ]
    for (dtype, shape), v in cells.items():
        scipy_s = v.get("softmax.softmax", {}).get("peer_s")
        figures = " | ".join(body[(dtype, shape)][i] for i in keep)
        lines.append(f"| {dtype} | {shape} | {_seconds(scipy_s)} | {figures} |")
    return lines


def _one_thread_table(rows) -> list[str]:
    """One column group per function: its ratio to SciPy, to torch, its multiple of the copy."""
    columns = []
    for heading, name in _FUNCTIONS:
        columns += [
            (f"{heading} ÷ SciPy", lambda v, n=name: _figure(v.get(n))),
            (
                "÷ torch",
                lambda v, n=name: _figure(v.get(n), "torch_ratio", "torch_target", "torch_met"),
            ),
            (
                "× copy",
                lambda v, n=name: _figure(v.get(n), "floor_multiple", "floor_aim", "floor_met", 1),
            ),
        ]
    return _grid(_by_dtype_and_shape(rows), columns)


def _info_table(rows) -> list[str]:
    """All CPUs and floors, each over SciPy's function of the same name (floors: softmax)."""
    columns = [(heading, lambda v, n=name: _figure(v.get(n))) for heading, name in _INFO_COLUMNS]
    return _grid(_by_dtype_and_shape(rows), columns)


def _first(rows, key):
    """The first value of `key` that is not null among `rows` (a target of the file)."""
    return next((row[key] for row in rows if row.get(key) is not None), None)


def _functions_section(rows, cpu_count) -> list[str]:
    scipy_t, torch_t, aim = (_first(rows, k) for k in ("target", "torch_target", "floor_aim"))
    notes = [f"*÷ SciPy* is over `scipy.special`'s function of the same name, target ≤ {scipy_t}"]
    if torch_t is not None and _first(rows, "torch_ratio") is not None:
        notes.append(
            f"*÷ torch* over torch's (`torch.softmax`, `torch.log_softmax`, `torch.logsumexp` "
            f"on `torch.from_numpy(x)`), target ≤ {torch_t}"
        )
    if aim is not None:
        notes.append(
            "*× copy* is the multiple of the time of a plain copy of the same array "
            "(`np.copyto`), the least that any function reading every entry and writing a "
            f"result can take, with the aim ≤ {aim} where M ≥ 1e3"
        )
    missing = _first(rows, "torch_note")
    return [
        "## softmax, log_softmax and logsumexp against SciPy and torch",
        "",
        "With one thread on every side (BLAS limited to one, torch too; SciPy has one). The "
        "third column gives the time of SciPy's softmax, for scale; each later cell is this "
        "project's time over a peer's, with its target met (✓) or not (✗): "
        + "; ".join(notes)
        + ".",
        "",
        *_one_thread_table(rows),
        "",
        *([f"torch: {missing} in this run.", ""] if missing else []),
        *_info_part(rows, cpu_count),
    ]


def _info_part(rows, cpu_count) -> list[str]:
    table = _info_table(rows)
    if not table:
        return []
    return [
        "Information, no target: the *all CPUs* columns pass `workers=-1`, which shares the "
        f"work among the {cpu_count} CPUs of this machine, over SciPy's function of the same "
        "name (one thread). The "
        "floors time a plain copy (`np.copyto`) and NumPy's exponential (`np.exp`), which "
        "every softmax evaluates once per entry, over SciPy's softmax: no ratio can go below "
        "the exponential's. For float32 a third floor times the float64 exponential of every "
        "entry: this project computes float32 input in float64 to round its result "
        "correctly, so none of its float32 ratios can go below that one.",
        "",
        *table,
        "",
    ]


def _arguments_section(rows) -> list[str]:
    """SciPy's extra arguments: ours over SciPy's with the same arguments, and over our
    plain call on the same slices (what the argument costs)."""
    lines = [
        "## SciPy's extra arguments: axes as a tuple or None, weights and signs",
        "",
        "One thread, float64. Each call against `scipy.special`'s with the same arguments, "
        f"target ≤ {_first(rows, 'target')} where marked (the weighted `logsumexp` is "
        "composed of NumPy operations: information); *÷ plain* is over our own call on the "
        "same slices without the argument, timed in the same rounds.",
        "",
        "| call | shape | SciPy's | ÷ SciPy | ÷ plain | plain call |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        shape = " × ".join(_count(n) for n in r["shape"])
        lines.append(
            f"| `{r['function']}(z, {r['arguments']})` | {shape} | {_seconds(r['peer_s'])} | "
            f"{_figure(r)} | {_figure(r, 'plain_ratio', 'plain_target')} | `{r['plain']}` |"
        )
    return [*lines, ""]


def _compile_section(part) -> list[str]:
    imp = part["import"]
    lines = [
        "## First calls: compiling and loading the kernels",
        "",
        "The first call of each function in a fresh interpreter with an empty numba cache "
        "directory (*cold*: it compiles what no earlier call of the same process compiled), "
        "then in a second fresh interpreter with the same directory (*warm*: it loads the "
        "compiled code from disk), and the same call once more in the same process.",
        "",
        "| first call of | dtype | shape | cold cache | warm cache | once compiled |",
        "|---|---|---|---|---|---|",
    ]
    for c in part["calls"]:
        shape = " × ".join(_count(n) for n in c["shape"])
        lines.append(
            f"| `{c['function']}` | {c['dtype']} | {shape} | {_seconds(c['cold_s'])} | "
            f"{_seconds(c['warm_s'])} | {_seconds(c['hot_s'])} |"
        )
    loads = "loads" if imp["numba_loaded"] else "does not load"
    return [
        *lines,
        "",
        f"In all: {_seconds(part['cold_total_s'])} with a cold cache, "
        f"{_seconds(part['warm_total_s'])} with a warm one ({part['cache_files']} files "
        f"cached). `import softmax` takes {_seconds(imp['median_s'])} (median of "
        f"{len(imp['runs_s'])} fresh interpreters; `{imp['baseline']['command']}` alone "
        f"{_seconds(imp['baseline']['median_s'])}) and {loads} numba.",
        "",
    ]


def _loss_section(part) -> list[str]:
    t = part["target"]
    out = [
        "## Cross-entropy and gradient against the literal matrix forms",
        "",
        "| path | O | time | peak memory |",
        "|---|---|---|---|",
    ]
    for row in part["rows"]:
        mem = "—" if row["peak_bytes"] is None else f"{row['peak_bytes'] / 2**20:.3g} MiB"
        cell = _seconds(row["seconds"]) if row["skipped"] is None else row["skipped"]
        out.append(f"| {row['path']} | {_count(row['O'])} | {cell} | {mem} |")
    return [
        *out,
        "",
        f"Target: O = {_count(t['O'])}, M = {t['M']} in under {t['target_s']} s: "
        f"{_seconds(t['seconds'])} {_met(t['met'])}",
        "",
        f"![Time and peak memory of both paths against O, from the rows above]({LOSS_FIGURE})",
        "",
    ]


def _one_blas_thread(one) -> list[str]:
    if not one:
        return []
    return [
        f"With BLAS limited to one thread: {_seconds(one['ours_s'])} against "
        f"{_seconds(one['peer_s'])}, ratio {one['ratio']:.2f} {_met(one['met'])}.",
        "",
    ]


def _fit_section(f) -> list[str]:
    return [
        "## Fitting digits against scikit-learn",
        "",
        f"{f['ours']}: {_seconds(f['ours_s'])}, test accuracy {f['ours_accuracy']:.2%}; "
        f"{f['peer']}: {_seconds(f['peer_s'])}, test accuracy {f['peer_accuracy']:.2%}. "
        f"Ratio {f['ratio']:.2f}, target ≤ {f['target']} {_met(f['met'])}.",
        "",
        *_one_blas_thread(f.get("one_blas_thread")),
    ]


def _fit_large_section(f) -> list[str]:
    one = f.get("one_blas_thread") or {}
    return [
        f"## Fitting O = {_count(f['O'])}, N = {f['N']}, M = {f['M']} against scikit-learn",
        "",
        f"{f['dataset']}. A fixed budget of L-BFGS iterations on both sides; the objective "
        "of both, evaluated alike, is the mean cross-entropy plus (α/2)‖coef‖² with α = 1/O.",
        "",
        "| model | iterations | final objective | time | one BLAS thread |",
        "|---|---|---|---|---|",
        f"| `{f['ours']}` | {f['ours_iterations']} | {f['ours_objective']:.6f} | "
        f"{_seconds(f['ours_s'])} | {_seconds(one.get('ours_s'))} |",
        f"| `{f['peer']}` | {f['peer_iterations']} | {f['peer_objective']:.6f} | "
        f"{_seconds(f['peer_s'])} | {_seconds(one.get('peer_s'))} |",
        "",
        f"Ratio {f['ratio']:.2f} with the default BLAS threads, target ≤ {f['target']} "
        f"{_met(f['met'])}.",
        "",
        *_one_blas_thread(one),
    ]


def _dask_fit_section(d) -> list[str]:
    """A fit on a Dask cluster whose data outgrow each worker's memory, and in memory."""
    head = ["## Scaling out: data larger than a worker's memory", ""]
    if d.get("skipped"):
        return [*head, f"Not run: {d['skipped']}.", ""]

    def size(b):
        if b is None:
            return "—"
        return f"{b / 2**30:.3g} GiB" if b >= 2**30 else f"{b / 2**20:.3g} MiB"

    mem, log = d["in_memory"], d["worker_log"]
    out = [
        *head,
        f"{d['dataset']}; O = {_count(d['O'])}, N = {d['N']}, M = {d['M']}, in chunks of "
        f"{_count(d['chunk_rows'])} rows. `{d['model']}` on `{d['cluster']}`, started from "
        f"Python, X persisted on the workers (built in {_seconds(d['build_s'])}); then on the "
        f"first chunks of the same data in the benchmark's own process, with NumPy: {mem['rule']}.",
        "",
        "| where | X | iterations | time | per iteration | per iteration and GiB of X |",
        "|---|---|---|---|---|---|",
    ]
    for where, r in (("on the cluster", d), ("in memory, one process", mem)):
        out.append(
            f"| {where} | {size(r['x_bytes'])} | {r['iterations']} | {_seconds(r['seconds'])} "
            f"| {_seconds(r['per_iteration_s'])} | "
            f"{_seconds(r['per_iteration_s'] * 2**30 / r['x_bytes'])} |"
        )
    out += ["", "| worker | peak memory in the fit | limit | peak ÷ limit | written to disk |"]
    out.append("|---|---|---|---|---|")
    for i, w in enumerate(d["workers"], 1):
        out.append(
            f"| {i} | {size(w['peak_rss_bytes'])} | {size(w['limit_bytes'])} | "
            f"{w['peak_rss_bytes'] / w['limit_bytes']:.0%} | {size(w.get('disk_written_bytes'))} |"
        )
    return [
        *out,
        "",
        f"Peak memory: the resident set size of each worker process, sampled every 20 ms. "
        f"In the whole run, workers paused {log['Pausing worker']} times (memory above "
        f"{d['memory_thresholds']['pause']:.0%} of the limit); a worker restarted: "
        f"{'yes' if d['restarted'] else 'no'}; warnings: {len(d['warnings'])}.",
        "",
    ]


def _verifier_section(rows) -> list[str]:
    out = ["## Cost of the verifier", "", "| command | wall time | exit |", "|---|---|---|"]
    for v in rows:
        out.append(f"| `{v['command']}` | {_seconds(v['seconds'])} | {v['returncode']} |")
    return [*out, ""]


def _run_line(r, recorded=False) -> list[str]:
    env = r["environment"]
    lines = []
    if recorded:
        machine = env.get("cpu_model") or env["machine"]
        lines += [
            f'!!! info "Recorded on {r["created"][:10]}, {machine}"',
            "    The published run, committed with the project as `benchmarks/record.json`. "
            "A local `make bench` replaces it in the site that machine builds.",
            "",
        ]
    lines += [
        f"Run of {r['created']}{' (quick)' if r['quick'] else ''}: "
        f"Python {env['python']}, {env['machine']}, {env['cpu_count']} cores, "
        f"BLAS threads {env.get('blas_threads')}, "
        f"OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE')}.",
        "",
    ]
    if r.get("schema", 1) < 2:
        lines += [
            f"This file was written by an older `make bench` (schema {r.get('schema', 1)}): "
            "the figures it lacks are shown as — and its parts as they were.",
            "",
        ]
    return lines


def bench_page(path: Path | None = None) -> str:
    head = [
        "# Benchmarks",
        "",
        "Every figure is a ratio against a peer measured in the same run of `make bench` "
        "(median of alternated repeats), so that the load of the machine cancels as far as "
        "it can. Timings belong to one machine: the environment of the run is listed below.",
        "",
    ]
    path, recorded = results_file() if path is None else (path, False)
    if path is None or not path.exists():
        return "\n".join(
            [
                *head,
                "!!! warning",
                "    `make bench` has not been run on the machine "
                "that built this site, so there are no measurements to show.",
            ]
        )
    r = json.loads(path.read_text(encoding="utf-8"))
    sections = {
        "functions": lambda part: _functions_section(part, r["environment"]["cpu_count"]),
        "arguments": _arguments_section,
        "compile": _compile_section,
        "loss": _loss_section,
        "fit": _fit_section,
        "fit_large": _fit_large_section,
        "dask_fit": _dask_fit_section,
        "verifier": _verifier_section,
    }
    out = [*head, *_run_line(r, recorded)]
    for name, section in sections.items():
        if name in r:
            out += section(r[name])
    return "\n".join(out)


def bench_loss_figure(path: Path | None = None) -> str | None:
    """SVG of the loss rows of `path` (time and peak memory against O), or None without them;
    by default of the run the Benchmarks page shows (`results_file`)."""
    path = results_file()[0] if path is None else path
    if path is None or not path.exists():
        return None
    rows = json.loads(path.read_text(encoding="utf-8")).get("loss", {}).get("rows")
    if not rows:
        return None

    def draw(fig):
        time_ax, mem_ax = fig.subplots(1, 2)
        for name, style in (("production", "o-"), ("literal", "s--")):
            done = [r for r in rows if r["path"] == name and r["skipped"] is None]
            o = [r["O"] for r in done]
            time_ax.plot(o, [r["seconds"] for r in done], style, label=name)
            mem = [(r["O"], r["peak_bytes"] / 2**20) for r in done if r["peak_bytes"] is not None]
            mem_ax.plot(*zip(*mem, strict=True), style, label=name)
        time_ax.set(ylabel="seconds")
        mem_ax.set(ylabel="peak MiB")
        for ax in (time_ax, mem_ax):
            ax.set(xscale="log", yscale="log", xlabel="samples O (M = 10)")
            ax.grid(alpha=0.3)
            ax.legend(fontsize="small")

    return svg(draw, (7.2, 3.2), "bench-loss")
