"""Markdown views of the registry for the docs site: nothing on the site is typed twice.

The MkDocs hook `docs/hooks/claims.py` evaluates every claim at build time and writes one
page per tutorial section, the errata page and the verdict table of the home page from
these functions, so the site can only show a verdict that was computed in that build.
"""

from __future__ import annotations

from derivations.registry import SECTIONS
from derivations.verdict import Outcome

BADGE = {
    "holds": "✓ holds",
    "holds-under-assumption": "✓ holds under an assumption",
    "false-as-written": "✗ false as written",
}


def badge(outcome: Outcome) -> str:
    text = BADGE.get(outcome.verdict, outcome.verdict)
    return f'<span class="verdict verdict-{outcome.verdict}">{text}</span>'


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _text(prose: str) -> str:
    """Plain text of the registry (labels, titles, notes) with Markdown's active characters
    escaped, so that e.g. `[p_i − q_i](g)'` is not read as a link."""
    return prose.translate(_MARKDOWN)


def _math(latex: str) -> str:
    return f"\n$$\n{latex}\n$$\n"


def _scope(proof: dict) -> str:
    return "for symbolic sizes" if proof["general"] else f"exactly for {proof['sizes']}"


def _residual(item: dict) -> str:
    """A residual as math when it is a SymPy expression, else as the message it is."""
    if item["residual_is_latex"]:
        return f"${item['residual']}$"
    return f"`{item['residual']}`"


def _steps(proof: dict) -> list[str]:
    lines = []
    for s in proof["steps"]:
        if s["passed"]:
            lines.append(f"- ✓ {_text(s['label'])}: ${s['latex']}$")
        else:
            lines.append(f"- ✗ {_text(s['label'])}: ${s['latex']}$  \n  residual: {_residual(s)}")
    return lines


def claim_block(outcome: Outcome) -> str:
    d = outcome.as_dict()
    out = [f"## {d['id']} · {_text(d['title'])} {{#{d['id']}}}", "", badge(outcome), ""]
    out += ["**As the tutorial writes it**", _math(d["source"])]
    if d["error"] or d["symbolic"] is None:
        return "\n".join(
            [*out, "**The checks of this claim crashed:**", "", f"```\n{d['error']}\n```", ""]
        )
    if d["verdict"] != "holds":
        written = d["as_written"]
        out += [f"**Checked as written** ({_scope(written)}): fails", "", *_steps(written), ""]
    if d["correction"]:
        out += ["**Correction**", _math(d["correction"])]
    proof = d["symbolic"]
    out += [f"**Proof** ({_scope(proof)})", "", *_steps(proof), ""]
    if proof["note"]:
        out += [f"*Why not general:* {_text(proof['note'])}", ""]
    if d["assumptions"]:
        out += ["**Assumptions:** " + "; ".join(f"${a}$" for a in d["assumptions"]), ""]
    out += ["**Numeric evidence**", ""]
    out += [
        f"- {'✓' if c['passed'] else '✗'} {_text(c['name'])}: {_text(c['detail'])}"
        for c in d["numeric"]["checks"]
    ]
    out.append("")
    if d["note"]:
        out += [f"!!! note\n    {_text(d['note'])}", ""]
    if d["implementation"]:
        out += ["**Production code it checks**", ""]
        for name in d["implementation"]:
            out += [
                f'=== "`{name}`"',
                "",
                f"    ::: {name}",
                "        options:",
                "          show_root_heading: false",
                "          show_root_toc_entry: false",
                "          heading_level: 4",
                "",
            ]
    return "\n".join(out)


def section_page(section: str, outcomes: list[Outcome]) -> str:
    title, heading = SECTIONS[section]
    head = [f"# {title}", "", f"Tutorial section: {heading}.", ""]
    return "\n".join(head + [claim_block(o) for o in outcomes if o.claim.section == section])


def verdict_table(outcomes: list[Outcome], link_prefix: str = "") -> str:
    rows = ["| id | claim | section | verdict | symbolic | numeric |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        proof = o.deciding
        scope = (
            "error"
            if proof is None
            else (("general" if proof.general else proof.sizes) if proof.passed else "failed")
        )
        numeric = f"{sum(c.passed for c in o.checks)}/{len(o.checks)}"
        rows.append(
            f"| [{o.claim.id}]({link_prefix}{o.claim.doc}) | {_text(o.claim.title)} | "
            f"{o.claim.section} | {badge(o)} | {scope} | {numeric} |"
        )
    ok = sum(o.ok for o in outcomes)
    rows += ["", f"{ok} of {len(outcomes)} claims verified as expected in this build."]
    return "\n".join(rows)


def errata_page(outcomes: list[Outcome]) -> str:
    out = [
        "# Errata",
        "",
        "Statements of the tutorial that do not hold as written, what fails, and the "
        "proven correction. Each links to its claim.",
        "",
    ]
    for o in outcomes:
        if o.verdict not in ("false-as-written", "holds-under-assumption"):
            continue
        d = o.as_dict()
        out += [
            f"## [{d['id']}]({o.claim.doc}) · {_text(d['title'])}",
            "",
            badge(o),
            "",
            "As written:",
            _math(d["source"]),
            f"Residual of the statement as written: {_residual(d['as_written'])}",
            "",
        ]
        if d["correction"]:
            out += ["Correction:", _math(d["correction"])]
        else:
            out += ["Holds under: " + "; ".join(f"${a}$" for a in d["assumptions"]), ""]
        if d["note"]:
            out += [_text(d["note"]), ""]
    return "\n".join(out)
