"""The verifier's command line: the claim table, one claim in full, JSON, conformance, and
the inventory of the tutorial's formulas."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from derivations import conform
from derivations.formulas import as_dicts
from derivations.registry import RETIRED, claims, get
from derivations.verdict import Outcome, evaluate
from derivations.view import MARK, numeric_cell, scope, symbolic_cell, view


def _columns(rows: list[tuple[str, ...]], out) -> None:
    """`rows` in aligned columns, the first row a heading ruled off below it."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), file=out
        )
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def table(outcomes: list[Outcome], out=sys.stdout) -> bool:
    rows = [("id", "section", "verdict", "symbolic", "numeric", "latex", "ok")]
    known = {o.claim.id: o for o in outcomes}
    for d in (view(o, known) for o in outcomes):
        cells = (d["verdict"], symbolic_cell(d), numeric_cell(d), d["latex_check"]["status"])
        rows.append((d["id"], d["section"], *cells, MARK[d["ok"]]))
    _columns(rows, out)
    for claim_id, why in RETIRED.items():
        print(f"{claim_id}  retired: {why}", file=out)
    counts = Counter(o.verdict for o in outcomes)
    bad = [o.claim.id for o in outcomes if not o.ok]
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    status = (
        "every check ran and every verdict is as expected"
        if not bad
        else (f"NOT OK: {', '.join(bad)}")
    )
    print(f"\n{len(outcomes)} claims: {summary}; {status}", file=out)
    return not bad


def show(outcome: Outcome, out=sys.stdout) -> None:
    d = view(outcome)
    print(f"{d['id']}: {d['title']}", file=out)
    print(f"section:      {d['section']}   docs: {d['doc']}", file=out)
    print(f"verdict:      {d['verdict']} (expected {d['expected']}) {MARK[outcome.ok]}", file=out)
    print(f"as written:   {d['source']}", file=out)
    check = d["latex_check"]
    print(
        f"latex check:  {check['status']} ({check['backend'] or 'no parse'}): {check['detail']}",
        file=out,
    )
    print(f"proven:       {d['statement']}", file=out)
    if d["correction"]:
        print(f"correction:   {d['correction']}", file=out)
    for title, proof in (("as written", d["as_written"]), ("deciding proof", d["symbolic"])):
        if proof is None:
            continue
        print(f"\n{title} ({scope(proof)}): {'passes' if proof['passed'] else 'fails'}", file=out)
        for s in proof["steps"]:
            res = "" if s["passed"] else f"   residual: {s['residual']}"
            print(f"  {MARK[s['passed']]} {s['label']}: {s['latex']}{res}", file=out)
        if proof["note"]:
            print(f"  ({proof['note']})", file=out)
        if proof is d["symbolic"]:
            break
    if d["assumptions"]:
        print("\nassumptions:  " + "; ".join(d["assumptions"]), file=out)
    print("\nnumeric evidence:", file=out)
    for c in d["numeric"]["checks"]:
        print(f"  {MARK[c['passed']]} {c['name']}: {c['detail']}", file=out)
    if d["implementation"]:
        print(f"\nchecks:       {', '.join(d['implementation'])}", file=out)
    if d["uses"]:
        print(f"uses:         {', '.join(d['uses'])}", file=out)
    if d["used_by"]:
        print(f"used by:      {', '.join(d['used_by'])}", file=out)
    if d["rests_on_corrections_of"]:
        print(f"rests on the corrections of {', '.join(d['rests_on_corrections_of'])}", file=out)
    for a in d["inherited_assumptions"]:
        print(f"inherits:     {a['assumption']} (from {a['claim']})", file=out)
    if d["note"]:
        print(f"note:         {d['note']}", file=out)
    if d["error"]:
        print(f"\nERROR:\n{d['error']}", file=out)


#: The table cuts a formula's LaTeX at this many characters (the arrays run to 900).
CUT = 60


def formulas(rows: list[dict], out=sys.stdout) -> None:
    """The inventory of the tutorial's formulas: n, section, its claims or why none, LaTeX."""
    cells = [("n", "section", "claims, or why none", "latex")]
    for r in rows:
        latex = r["latex"] if len(r["latex"]) <= CUT else r["latex"][: CUT - 1] + "…"
        why = ", ".join(r["claims"]) or r["not_a_claim"]
        cells.append((str(r["n"]), r["section"], why, latex))
    _columns(cells, out)
    checked = sum(bool(r["claims"]) for r in rows)
    print(
        f"\n{len(rows)} formulas of the tutorial: {checked} checked by claims, "
        f"{len(rows) - checked} not claims (LaTeX cut at {CUT} characters; --json has it whole)",
        file=out,
    )


def run_conform(spec: str, kind: str, out=sys.stdout) -> bool:
    fn = conform.load(spec)
    results = conform.run(fn, kind)
    for prop, check in results:
        print(f"{MARK[check.passed]} {prop.claim:8} {check.name}: {check.detail}", file=out)
    held = sum(check.passed for _, check in results)
    print(f"\n{spec} ({kind}): {held} of {len(results)} verified properties hold", file=out)
    return held == len(results)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["show"]:
        parser = argparse.ArgumentParser(prog="python -m derivations show")
        parser.add_argument("id")
        args = parser.parse_args(argv[1:])
        try:
            outcome = evaluate(get(args.id))
        except KeyError as exc:
            parser.error(str(exc).strip("'\""))
        show(outcome)
        return 0 if outcome.ok else 1
    if argv[:1] == ["conform"]:
        parser = argparse.ArgumentParser(prog="python -m derivations conform")
        parser.add_argument("function", help="MODULE:FUNCTION, e.g. scipy.special:softmax")
        parser.add_argument("--kind", required=True, choices=conform.KINDS)
        args = parser.parse_args(argv[1:])
        try:
            return 0 if run_conform(args.function, args.kind) else 1
        except (ImportError, AttributeError, ValueError, TypeError) as exc:
            parser.error(f"cannot load {args.function}: {exc}")
    if argv[:1] == ["formulas"]:
        parser = argparse.ArgumentParser(prog="python -m derivations formulas")
        parser.add_argument("--json", action="store_true", help="print a JSON array of them")
        args = parser.parse_args(argv[1:])
        if args.json:
            json.dump(as_dicts(), sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            formulas(as_dicts(), sys.stdout)  # the stdout of now: a test may have replaced it
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m derivations",
        description="Check every claim of the softmax tutorial (subcommands: show ID, "
        "conform MODULE:FUNCTION --kind KIND, formulas [--json]).",
    )
    parser.add_argument("ids", nargs="*", help="only these claim ids")
    parser.add_argument("--json", action="store_true", help="print a JSON array of the claims")
    args = parser.parse_args(argv)
    selected = claims()
    if args.ids:
        unknown = set(args.ids) - {c.id for c in selected}
        if unknown:
            parser.error(f"unknown claim id(s): {', '.join(sorted(unknown))}")
        selected = [c for c in selected if c.id in args.ids]
    outcomes = [evaluate(c) for c in selected]
    if args.json:
        known = {o.claim.id: o for o in outcomes}
        json.dump([view(o, known) for o in outcomes], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0 if all(o.ok for o in outcomes) else 1
    return 0 if table(outcomes) else 1
