"""``python -m benchmarks [--quick] [--only NAME ...]``: run, print a table, write JSON."""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib

from benchmarks import arguments, dask_fit, fit, functions, loss, peers, timing, verifier
from benchmarks import compile as compile_times

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "latest.json"
SCHEMA = 2
PARTS = (
    "functions",
    "arguments",
    "compile",
    "loss",
    "fit",
    "fit_large",
    "dask_fit",
    "verifier",
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no pytest run")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, help="parts to run")
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS, help="JSON file")
    args = parser.parse_args(argv)

    report = {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "environment": timing.environment(),
        "method": "median of alternated repeats after one warm-up call, time.perf_counter",
    }
    if "functions" in args.only:
        report["functions"] = functions.run(args.quick)
        _print_functions(report["functions"])
    if "arguments" in args.only:
        report["arguments"] = arguments.run(args.quick)
        _print_arguments(report["arguments"])
    if "compile" in args.only:
        report["compile"] = compile_times.run(args.quick)
        _print_compile(report["compile"])
    if "loss" in args.only:
        rows = loss.run(args.quick)
        report["loss"] = {"rows": rows, "target": loss.target(rows), "agreement": loss.agreement()}
        _print_loss(report["loss"])
    if "fit" in args.only:
        report["fit"] = fit.run(args.quick)
        _print_fit(report["fit"])
    if "fit_large" in args.only:
        report["fit_large"] = fit.run_large(args.quick)
        _print_fit_large(report["fit_large"])
    if "dask_fit" in args.only:
        report["dask_fit"] = dask_fit.run(args.quick)
        _print_dask_fit(report["dask_fit"])
    if "verifier" in args.only:
        report["verifier"] = verifier.run(args.quick)
        _print_verifier(report["verifier"])

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.output}")


def _met(row, key="met"):
    return {True: "yes", False: "NO", None: "-"}[row[key]]


def _print_functions(rows):
    optional = "".join(f" {p + ' s':>9} {'ratio':>6} met" for p in peers.NAMES)
    print(
        f"\n{'function':<34} {'dtype':<8} {'O x M':>9} {'ours s':>9} {'scipy s':>9} "
        f"{'ratio':>6} met{optional} {'x copy':>7} met"
    )
    for r in rows:
        shape = "x".join(f"{n:.0e}".replace("+0", "") for n in r["shape"])
        line = (
            f"{r['function']:<34} {r['dtype']:<8} {shape:>9} {r['ours_s']:9.4f} "
            f"{r['peer_s']:9.4f} {r['ratio']:6.2f} {_met(r):<3}"
        )
        if "floor_multiple" in r:
            line += "".join(f" {_peer_columns(r, p)}" for p in peers.NAMES)
            line += f" {r['floor_multiple']:7.1f} {_met(r, 'floor_met')}"
        print(line)


def _peer_columns(r, peer):
    """An optional peer's time, ratio and target met, or why it has none (20 characters)."""
    if r.get(f"{peer}_s") is None:
        return f"{r.get(f'{peer}_note') or '-':<20}"
    return f"{r[f'{peer}_s']:9.4f} {r[f'{peer}_ratio']:6.2f} {_met(r, f'{peer}_met'):<3}"


def _print_arguments(rows):
    print(
        f"\n{'function, arguments':<50} {'shape':>14} {'ours s':>9} {'scipy s':>9} "
        f"{'ratio':>6} met {'plain s':>9} {'x plain':>7}"
    )
    for r in rows:
        call = f"{r['function']}({r['arguments']})"
        shape = "x".join(map(str, r["shape"]))
        print(
            f"{call:<50} {shape:>14} {r['ours_s']:9.4f} {r['peer_s']:9.4f} "
            f"{r['ratio']:6.2f} {_met(r):<3} {r['plain_s']:9.4f} {r['plain_ratio']:7.2f}"
        )


def _print_compile(part):
    print(
        f"\n{'first call of':<36} {'dtype':<8} {'shape':>8} "
        f"{'cold s':>8} {'warm s':>8} {'then s':>8}"
    )
    for c in part["calls"]:
        shape = "x".join(map(str, c["shape"]))
        print(
            f"{c['function']:<36} {c['dtype']:<8} {shape:>8} {c['cold_s']:8.4f} "
            f"{c['warm_s']:8.4f} {c['hot_s']:8.5f}"
        )
    imp = part["import"]
    print(
        f"total: cold {part['cold_total_s']:.2f} s, warm {part['warm_total_s']:.2f} s "
        f"({part['cache_files']} cache files); import softmax {imp['median_s']:.3f} s "
        f"(median of {len(imp['runs_s'])}; import numpy {imp['baseline']['median_s']:.3f} s), "
        f"numba loaded by the import: {imp['numba_loaded']}"
    )


def _print_loss(part):
    print(f"\n{'loss + grad path':<12} {'O':>9} {'seconds':>9} {'peak MiB':>9}  note")
    for r in part["rows"]:
        if r["skipped"]:
            print(f"{r['path']:<12} {r['O']:>9} {'-':>9} {'-':>9}  not run: {r['skipped']}")
        else:
            print(f"{r['path']:<12} {r['O']:>9} {r['seconds']:9.4f} {r['peak_bytes'] / 2**20:9.1f}")
    t, a = part["target"], part["agreement"]
    print(
        f"target: production at O = {t['O']:.0e}, M = {t['M']} under {t['target_s']} s: "
        f"{_met(t)}; paths agree at O = {a['O']}: |dL| = {a['loss_abs_diff']:.1e}, "
        f"max |dgrad| = {a['grad_max_abs_diff']:.1e}"
    )


def _print_fit(r):
    print(
        f"\nfit on digits: ours {r['ours_s']:.4f} s (accuracy {r['ours_accuracy']:.4f}), "
        f"scikit-learn {r['peer_s']:.4f} s (accuracy {r['peer_accuracy']:.4f}); "
        f"ratio {r['ratio']:.2f}, target <= {r['target']}: {_met(r)}"
    )
    one = r["one_blas_thread"]
    print(
        f"  with one BLAS thread: ours {one['ours_s']:.4f} s, scikit-learn {one['peer_s']:.4f} s; "
        f"ratio {one['ratio']:.2f}: {_met(one)}"
    )
    for w in r["convergence_warnings"]:
        print(f"  warning: {w}")


def _print_fit_large(r):
    one = r["one_blas_thread"]
    print(
        f"\nfit, O={r['O']} N={r['N']} M={r['M']}, {r['ours_iterations']} and "
        f"{r['peer_iterations']} iterations: ours {r['ours_s']:.3f} s (objective "
        f"{r['ours_objective']:.6f}), scikit-learn {r['peer_s']:.3f} s (objective "
        f"{r['peer_objective']:.6f}); ratio {r['ratio']:.2f}, target <= {r['target']}: "
        f"{_met(r)}\n  with one BLAS thread: ours {one['ours_s']:.3f} s, scikit-learn "
        f"{one['peer_s']:.3f} s; ratio {one['ratio']:.2f}: {_met(one)}"
    )


def _print_dask_fit(r):
    if r["skipped"]:
        print(f"\nfit on a Dask cluster: not run ({r['skipped']})")
        return
    mem = r["in_memory"]
    print(
        f"\nfit on a Dask cluster, X of {r['x_bytes'] / 2**30:.2f} GiB (O={r['O']}, N={r['N']}, "
        f"M={r['M']}), built in {r['build_s']:.1f} s: {r['iterations']} iterations in "
        f"{r['seconds']:.1f} s, {r['per_iteration_s']:.3f} s each; in memory, "
        f"{mem['x_bytes'] / 2**20:.0f} MiB of X: {mem['per_iteration_s']:.4f} s each"
    )
    for w in r["workers"]:
        print(
            f"  worker: peak {w['peak_rss_bytes'] / 2**20:.0f} MiB of "
            f"{w['limit_bytes'] / 2**20:.0f} MiB, written to disk "
            f"{w.get('disk_written_bytes', 0) / 2**20:.0f} MiB, restarted: {w['restarted']}"
        )
    print(f"  worker log: {r['worker_log']}; warnings: {len(r['warnings'])}")


def _print_verifier(rows):
    print()
    for r in rows:
        if r["skipped"]:
            print(f"{r['command']:<40} not run ({r['skipped']})")
        else:
            print(
                f"{r['command']:<40} {r['seconds']:8.1f} s  exit {r['returncode']}  "
                f"{r['last_line'][:60]}"
            )


if __name__ == "__main__":
    main()
