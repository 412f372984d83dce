"""``python -m benchmarks [--quick] [--only NAME ...]``: run, print a table, write JSON."""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib

from benchmarks import fit, functions, loss, timing, verifier

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "latest.json"
SCHEMA = 1
PARTS = ("functions", "loss", "fit", "verifier")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no pytest run")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, help="parts to run")
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS, help="JSON file")
    args = parser.parse_args(argv)

    report = {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        "environment": timing.environment(),
        "method": "median of alternated repeats after one warm-up call, time.perf_counter",
    }
    if "functions" in args.only:
        report["functions"] = functions.run(args.quick)
        _print_functions(report["functions"])
    if "loss" in args.only:
        rows = loss.run(args.quick)
        report["loss"] = {"rows": rows, "target": loss.target(rows), "agreement": loss.agreement()}
        _print_loss(report["loss"])
    if "fit" in args.only:
        report["fit"] = fit.run(args.quick)
        _print_fit(report["fit"])
    if "verifier" in args.only:
        report["verifier"] = verifier.run(args.quick)
        _print_verifier(report["verifier"])

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.output}")


def _met(row):
    return {True: "yes", False: "NO", None: "-"}[row["met"]]


def _print_functions(rows):
    print(
        f"\n{'function':<26} {'dtype':<8} {'O x M':>15} {'ours s':>9} {'peer s':>9} "
        f"{'ratio':>6}  target met"
    )
    for r in rows:
        shape = "x".join(f"{n:.0e}".replace("+0", "") for n in r["shape"])
        target = "" if r["target"] is None else f"<= {r['target']}"
        print(
            f"{r['function']:<26} {r['dtype']:<8} {shape:>15} {r['ours_s']:9.4f} "
            f"{r['peer_s']:9.4f} {r['ratio']:6.2f}  {target:<6} {_met(r)}"
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
