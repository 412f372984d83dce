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


#: Columns of the functions table: (heading, function name in the results file).
_FUNCTION_COLUMNS = (
    ("softmax", "softmax.softmax"),
    ("log_softmax", "softmax.log_softmax"),
    ("softmax, all CPUs", "softmax.softmax (workers=-1)"),
    ("log_softmax, all CPUs", "softmax.log_softmax (workers=-1)"),
    ("floor: copy", "np.copyto (memory floor)"),
    ("floor: exp", "np.exp (exponential floor)"),
    ("floor: float64 exp", "np.exp in float64 (floor at this accuracy)"),
)


def _functions_table(rows) -> list[str]:
    """One line per dtype and shape, one column per function: a ratio to SciPy each."""
    cells: dict = {}
    for row in rows:
        key = (row["dtype"], " × ".join(_count(n) for n in row["shape"]))
        mark = "" if row["target"] is None else " " + _met(row["met"])[0]
        cells.setdefault(key, {"scipy": None})[row["function"]] = f"{row['ratio']:.2f}{mark}"
        if row["function"] == "softmax.softmax":
            cells[key]["scipy"] = row["peer_s"]
    columns = [c for c in _FUNCTION_COLUMNS if any(c[1] in v for v in cells.values())]
    lines = [
        "| dtype | O × M | SciPy's softmax | " + " | ".join(h for h, _ in columns) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    for (dtype, shape), v in cells.items():
        ratios = " | ".join(v.get(name, "—") for _, name in columns)
        lines.append(f"| {dtype} | {shape} | {_seconds(v['scipy'])} | {ratios} |")
    return lines


def bench_page(path: Path = RESULTS) -> str:
    head = [
        "# Benchmarks",
        "",
        "Every figure is a ratio against a peer measured in the same run of `make bench` "
        "(median of alternated repeats), so that the load of the machine cancels as far as "
        "it can. Timings belong to one machine: the environment of the run is listed below.",
        "",
    ]
    if not path.exists():
        return "\n".join(
            [
                *head,
                "!!! warning",
                "    `make bench` has not been run on the machine "
                "that built this site, so there are no measurements to show.",
            ]
        )
    r = json.loads(path.read_text(encoding="utf-8"))
    env = r["environment"]
    out = [
        *head,
        f"Run of {r['created']}{' (quick)' if r['quick'] else ''}: "
        f"Python {env['python']}, {env['machine']}, {env['cpu_count']} cores, "
        f"BLAS threads {env.get('blas_threads')}, "
        f"OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE')}.",
        "",
    ]
    if "functions" in r:
        out += [
            "## softmax and log_softmax against SciPy",
            "",
            "Each cell is this project's time over SciPy's for the function of the same name "
            "(SciPy uses one thread), with the target ≤ 0.6 met (✓) or not (✗). The "
            "*all CPUs* columns pass `workers=-1`, which shares the work among the "
            f"{env['cpu_count']} CPUs of this machine; the others use one thread. The "
            "floors time a plain copy of the same array (`np.copyto`) and NumPy's "
            "exponential of it (`np.exp`), which every softmax evaluates once per entry, "
            "over SciPy's softmax: no ratio can go below the exponential's. For float32 a "
            "third floor times the float64 exponential of every entry: this project "
            "computes float32 input in float64 to round its result correctly, so none of "
            "its float32 ratios can go below that one.",
            "",
            *_functions_table(r["functions"]),
            "",
        ]
    if "loss" in r:
        t = r["loss"]["target"]
        out += [
            "## Cross-entropy and gradient against the literal matrix forms",
            "",
            "| path | O | time | peak memory |",
            "|---|---|---|---|",
        ]
        for row in r["loss"]["rows"]:
            mem = "—" if row["peak_bytes"] is None else f"{row['peak_bytes'] / 2**20:.3g} MiB"
            cell = _seconds(row["seconds"]) if row["skipped"] is None else row["skipped"]
            out.append(f"| {row['path']} | {_count(row['O'])} | {cell} | {mem} |")
        out += [
            "",
            f"Target: O = {_count(t['O'])}, M = {t['M']} in under {t['target_s']} s: "
            f"{_seconds(t['seconds'])} {_met(t['met'])}",
            "",
            f"![Time and peak memory of both paths against O, from the rows above]({LOSS_FIGURE})",
            "",
        ]
    if "fit" in r:
        f = r["fit"]
        out += [
            "## Fitting digits against scikit-learn",
            "",
            f"{f['ours']}: {_seconds(f['ours_s'])}, test accuracy {f['ours_accuracy']:.2%}; "
            f"{f['peer']}: {_seconds(f['peer_s'])}, test accuracy {f['peer_accuracy']:.2%}. "
            f"Ratio {f['ratio']:.2f}, target ≤ {f['target']} {_met(f['met'])}.",
            "",
        ]
        one = f.get("one_blas_thread")
        if one:
            out += [
                f"With BLAS limited to one thread: {_seconds(one['ours_s'])} against "
                f"{_seconds(one['peer_s'])}, ratio {one['ratio']:.2f} {_met(one['met'])}.",
                "",
            ]
    if "verifier" in r:
        out += ["## Cost of the verifier", "", "| command | wall time | exit |", "|---|---|---|"]
        for v in r["verifier"]:
            out.append(f"| `{v['command']}` | {_seconds(v['seconds'])} | {v['returncode']} |")
        out.append("")
    return "\n".join(out)


def bench_loss_figure(path: Path = RESULTS) -> str | None:
    """SVG of the loss rows of `path` (time and peak memory against O), or None without them."""
    if not path.exists():
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
