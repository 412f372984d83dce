"""The Benchmarks page's sections on training: the `loss`, `fit`, `fit_large` and `dask_fit`
parts (the cross-entropy and its gradient, then whole fits in memory and on a Dask cluster),
and the plot of the loss rows."""

from __future__ import annotations

from derivations.figures import svg
from derivations.reports_cells import count, seconds, size, verdict

#: Where the benchmarks page finds the plot of the loss rows (drawn by `loss_figure`).
LOSS_FIGURE = "figures/bench-loss.svg"


def loss_section(part) -> list[str]:
    t = part["target"]
    return [
        "## Cross-entropy and gradient against the literal matrix forms",
        "",
        "| path | O | time | peak memory |",
        "|---|---|---|---|",
        *(_loss_line(row) for row in part["rows"]),
        "",
        f"Target: O = {count(t['O'])}, M = {t['M']} in under {t['target_s']} s: "
        f"{seconds(t['seconds'])} {verdict(t['met'])}",
        "",
        f"![Time and peak memory of both paths against O, from the rows above]({LOSS_FIGURE})",
        "",
    ]


def _loss_line(row) -> str:
    mem = "—" if row["peak_bytes"] is None else f"{row['peak_bytes'] / 2**20:.3g} MiB"
    cell = seconds(row["seconds"]) if row["skipped"] is None else row["skipped"]
    return f"| {row['path']} | {count(row['O'])} | {cell} | {mem} |"


def loss_figure(rows) -> str:
    """SVG of the loss rows: time and peak memory of both paths against O."""

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


def _one_blas_thread(one) -> list[str]:
    if not one:
        return []
    return [
        f"With BLAS limited to one thread: {seconds(one['ours_s'])} against "
        f"{seconds(one['peer_s'])}, ratio {one['ratio']:.2f} {verdict(one['met'])}.",
        "",
    ]


def fit_section(f) -> list[str]:
    return [
        "## Fitting digits against scikit-learn",
        "",
        f"{f['ours']}: {seconds(f['ours_s'])}, test accuracy {f['ours_accuracy']:.2%}; "
        f"{f['peer']}: {seconds(f['peer_s'])}, test accuracy {f['peer_accuracy']:.2%}. "
        f"Ratio {f['ratio']:.2f}, target ≤ {f['target']} {verdict(f['met'])}.",
        "",
        *_one_blas_thread(f.get("one_blas_thread")),
    ]


def fit_large_section(f) -> list[str]:
    one = f.get("one_blas_thread") or {}
    return [
        f"## Fitting O = {count(f['O'])}, N = {f['N']}, M = {f['M']} against scikit-learn",
        "",
        f"{f['dataset']}. A fixed budget of L-BFGS iterations on both sides; the objective "
        "of both, evaluated alike, is the mean cross-entropy plus (α/2)‖coef‖² with α = 1/O.",
        "",
        "| model | iterations | final objective | time | one BLAS thread |",
        "|---|---|---|---|---|",
        *(_fit_large_line(f, side, one) for side in ("ours", "peer")),
        "",
        f"Ratio {f['ratio']:.2f} with the default BLAS threads, target ≤ {f['target']} "
        f"{verdict(f['met'])}.",
        "",
        *_one_blas_thread(one),
    ]


def _fit_large_line(f, side, one) -> str:
    """One model's line: `side` is "ours" or "peer"."""
    return (
        f"| `{f[side]}` | {f[f'{side}_iterations']} | {f[f'{side}_objective']:.6f} | "
        f"{seconds(f[f'{side}_s'])} | {seconds(one.get(f'{side}_s'))} |"
    )


def dask_fit_section(d) -> list[str]:
    """A fit on a Dask cluster whose data outgrow each worker's memory, and in memory."""
    head = ["## Scaling out: data larger than a worker's memory", ""]
    if d.get("skipped"):
        return [*head, f"Not run: {d['skipped']}.", ""]
    return [
        *head,
        *_dask_setup(d),
        "",
        *_dask_times(d),
        "",
        *_dask_workers(d),
        "",
        *_dask_memory(d),
        "",
    ]


def _dask_setup(d) -> list[str]:
    mem = d["in_memory"]
    return [
        f"{d['dataset']}; O = {count(d['O'])}, N = {d['N']}, M = {d['M']}, in chunks of "
        f"{count(d['chunk_rows'])} rows. `{d['model']}` on `{d['cluster']}`, started from "
        f"Python, X persisted on the workers (built in {seconds(d['build_s'])}); then on the "
        f"first chunks of the same data in the benchmark's own process, with NumPy: {mem['rule']}."
    ]


def _dask_times(d) -> list[str]:
    """The fit on the cluster and in memory: time per iteration, and per GiB of X."""
    out = [
        "| where | X | iterations | time | per iteration | per iteration and GiB of X |",
        "|---|---|---|---|---|---|",
    ]
    for where, r in (("on the cluster", d), ("in memory, one process", d["in_memory"])):
        out.append(
            f"| {where} | {size(r['x_bytes'])} | {r['iterations']} | {seconds(r['seconds'])} "
            f"| {seconds(r['per_iteration_s'])} | "
            f"{seconds(r['per_iteration_s'] * 2**30 / r['x_bytes'])} |"
        )
    return out


def _dask_workers(d) -> list[str]:
    """Each worker's peak memory in the fit against its limit, and what it spilled."""
    out = ["| worker | peak memory in the fit | limit | peak ÷ limit | written to disk |"]
    out.append("|---|---|---|---|---|")
    for i, w in enumerate(d["workers"], 1):
        out.append(
            f"| {i} | {size(w['peak_rss_bytes'])} | {size(w['limit_bytes'])} | "
            f"{w['peak_rss_bytes'] / w['limit_bytes']:.0%} | {size(w.get('disk_written_bytes'))} |"
        )
    return out


def _dask_memory(d) -> list[str]:
    log = d["worker_log"]
    return [
        f"Peak memory: the resident set size of each worker process, sampled every 20 ms. "
        f"In the whole run, workers paused {log['Pausing worker']} times (memory above "
        f"{d['memory_thresholds']['pause']:.0%} of the limit); a worker restarted: "
        f"{'yes' if d['restarted'] else 'no'}; warnings: {len(d['warnings'])}."
    ]
