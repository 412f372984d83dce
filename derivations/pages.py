"""Markdown views of the registry for the docs site: nothing on the site is typed twice.

The MkDocs hook `docs/hooks/claims.py` evaluates every claim at build time and writes one
page per tutorial section, the errata page and the verdict table of the home page from
these functions, so the site can only show a verdict that was computed in that build.
"""

from __future__ import annotations

import html
import json
import re
import types

from derivations.registry import REGISTRY, SECTIONS
from derivations.verdict import Outcome
from derivations.view import MARK, numeric_cell, scope, symbolic_cell, view

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


def title_markdown(title: str) -> str:
    """A claim title for the page: its prose escaped, its ``$…$`` formulas left for KaTeX."""
    parts = re.split(r"(\$[^$]+\$)", title)
    return "".join(p if p.startswith("$") else _text(p) for p in parts)


def _heading(d: dict) -> str:
    return f"{d['id']} · {title_markdown(d['title_tex'])}"


def _toc_label(d: dict) -> str:
    """The table of contents shows the plain title: TeX there would stay raw."""
    return f'data-toc-label="{html.escape(d["id"] + " · " + d["title"])}"'


def _math(latex: str) -> str:
    return f"\n$$\n{latex}\n$$\n"


#: Longer LaTeX is not typeset on the page: an expanded 3×3×2 matrix identity runs to
#: 50 000 characters, megabytes of KaTeX HTML. The CLI and the JSON export keep it whole.
MAX_LATEX = 2000


def _inline(latex: str, claim_id: str) -> str:
    """`latex` as inline math, or a pointer to the CLI when it is too long to typeset."""
    if len(latex) <= MAX_LATEX:
        return f"${latex}$"
    command = f"python -m derivations show {claim_id}"
    return f"*(an expression of {len(latex):,} characters, printed by `{command}`)*"


def _residual(item: dict, claim_id: str) -> str:
    """A residual as math when it is a SymPy expression, else as the message it is."""
    if item["residual_is_latex"]:
        return _inline(item["residual"], claim_id)
    return f"`{item['residual']}`"


def _steps(proof: dict, claim_id: str) -> list[str]:
    lines = []
    for s in proof["steps"]:
        shown = _inline(s["latex"], claim_id)
        if s["passed"]:
            lines.append(f"- ✓ {_text(s['label'])}: {shown}")
        else:
            lines.append(
                f"- ✗ {_text(s['label'])}: {shown}  \n  residual: {_residual(s, claim_id)}"
            )
    return lines


def claim_block(outcome: Outcome, shown: dict[str, str] | None = None, known=None) -> str:
    """The Markdown of one claim, part by part. `shown` maps each production object already
    rendered on the page to the claim that rendered it; it is updated with the ones here.
    `known`: the outcomes of this build, by id, which the consequences of `uses` read."""
    d = view(outcome, known)
    head = [f"## {_heading(d)} {{#{d['id']} {_toc_label(d)}}}", "", badge(outcome), ""]
    head += ["**As the tutorial writes it**", _math(d["source"]), *_latex_check(d)]
    if d["error"] or d["symbolic"] is None:
        crash = ["**The checks of this claim crashed:**", "", f"```\n{d['error']}\n```", ""]
        return "\n".join([*head, *crash])
    parts = (
        head,
        _as_written(d),
        _correction(d),
        _statement(d),
        _proof(d),
        _assumptions(d),
        _evidence(d),
        [line for fig in outcome.claim.figures for line in figure_markup(fig, "../")],
        [f"!!! note\n    {_text(d['note'])}", ""] if d["note"] else [],
        _uses(d),
        _production(d, outcome.claim.implementation, {} if shown is None else shown),
    )
    return "\n".join(line for part in parts for line in part)


def _latex_check(d: dict) -> list[str]:
    """Whether SymPy's reading of the quote is the statement checked (derivations.latex_check)."""
    check = d["latex_check"]
    if check["status"] == "not a formula":
        return []
    how = f" by {check['backend']}" if check["backend"] else ""
    # The parser's output as code: it is SymPy's text, with TeX in it, not math to typeset.
    detail = " ".join(check["detail"].replace("`", "'").split())  # one line
    return [f"*LaTeX cross-check{how}: {check['status']}.* `` {detail} ``", ""]


def _as_written(d: dict) -> list[str]:
    if d["verdict"] == "holds":
        return []
    written = d["as_written"]
    return [f"**Checked as written** ({scope(written)}): fails", "", *_steps(written, d["id"]), ""]


def _correction(d: dict) -> list[str]:
    return ["**Correction**", _math(d["correction"])] if d["correction"] else []


def _statement(d: dict) -> list[str]:
    if not d["statement"]:
        return []
    if len(d["statement"]) <= MAX_LATEX:
        return ["**The statement proven**", _math(d["statement"])]
    return ["**The statement proven**", "", _inline(d["statement"], d["id"]), ""]


def _proof(d: dict) -> list[str]:
    proof = d["symbolic"]
    out = [f"**Proof** ({scope(proof)})", "", *_steps(proof, d["id"]), ""]
    return out + ([f"*Why not general:* {_text(proof['note'])}", ""] if proof["note"] else [])


def _assumptions(d: dict) -> list[str]:
    if not d["assumptions"]:
        return []
    return ["**Assumptions:** " + "; ".join(f"${a}$" for a in d["assumptions"]), ""]


def _evidence(d: dict) -> list[str]:
    checks = d["numeric"]["checks"]
    lines = [f"- {MARK[c['passed']]} {_text(c['name'])}: {_text(c['detail'])}" for c in checks]
    return ["**Numeric evidence**", "", *lines, ""]


def figure_markup(fig, prefix: str) -> list[str]:
    """A figure with its caption (md_in_html); the SVG is drawn by docs/hooks/claims.py."""
    return [
        f'<figure markdown="span" id="figure-{fig.name}">',
        f"![{_text(fig.caption)}]({prefix}{fig.path})",
        f"<figcaption>{html.escape(fig.caption)}</figcaption>",  # raw HTML: not Markdown
        "</figure>",
        "",
    ]


def _link(claim_id: str) -> str:
    return f"[{claim_id}]({REGISTRY[claim_id].section}.md#{claim_id})"


def _uses(d: dict) -> list[str]:
    """The claim's neighbourhood, and what the verdicts of the claims it rests on imply."""
    out = []
    if d["uses"]:
        out += ["**Uses** " + ", ".join(map(_link, d["uses"])), ""]
    if d["used_by"]:
        out += ["**Used by** " + ", ".join(map(_link, d["used_by"])), ""]
    if rests := d["rests_on_corrections_of"]:
        which = ", ".join(map(_link, rests))
        out += [
            '!!! warning "Rests on a correction"',
            f"    This claim rests on the correction of {which}: false as written in the "
            "tutorial, so what holds here holds for the corrected statement.",
            "",
        ]
    if inherited := d["inherited_assumptions"]:
        held = "; ".join(f"${a['assumption']}$ (from {_link(a['claim'])})" for a in inherited)
        out += [f"**Inherited assumptions:** {held}", ""]
    return out


def _production(d: dict, objects: tuple, shown: dict[str, str]) -> list[str]:
    """Each production object's docstring and source, once per page (later: a link)."""
    if not objects:
        return []
    out = ["**Production code it checks**", ""]
    for name, obj in zip(d["implementation"], objects, strict=True):
        out += [f'=== "`{name}`"', ""]
        if name in shown:
            first = shown[name]
            out += [f"    Its documentation and source are shown with [{first}](#{first}).", ""]
            continue
        shown[name] = d["id"]
        out += [
            f"    ::: {name}",
            "        options:",
            "          show_root_heading: false",
            "          show_root_toc_entry: false",
            "          heading_level: 4",
            # A module shows its docstring only: its functions are production objects of
            # their own claims, rendered there (one anchor each).
            *(["          members: false"] if isinstance(obj, types.ModuleType) else []),
            "",
        ]
    return out


def section_page(section: str, outcomes: list[Outcome]) -> str:
    title, heading = SECTIONS[section]
    head = [f"# {title}", "", f"Tutorial section: {heading}.", ""]
    shown: dict[str, str] = {}
    known = {o.claim.id: o for o in outcomes}
    blocks = [claim_block(o, shown, known) for o in outcomes if o.claim.section == section]
    return "\n".join(head + blocks)


def verdict_table(outcomes: list[Outcome], link_prefix: str = "") -> str:
    rows = [
        "| id | claim | section | verdict | symbolic | numeric | LaTeX |",
        "|---|---|---|---|---|---|---|",
    ]
    known = {o.claim.id: o for o in outcomes}
    for o in outcomes:
        d = view(o, known)
        rows.append(
            f"| [{d['id']}]({link_prefix}{d['doc']}) | {title_markdown(d['title_tex'])} | "
            f"{d['section']} | {badge(o)} | {symbolic_cell(d)} | {numeric_cell(d)} | "
            f"{d['latex_check']['status']} |"
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
    known = {o.claim.id: o for o in outcomes}
    for o in outcomes:
        if o.verdict not in ("false-as-written", "holds-under-assumption"):
            continue
        d = view(o, known)
        out += [
            f"## [{d['id']}]({o.claim.doc}) · {title_markdown(d['title_tex'])} {{{_toc_label(d)}}}",
            "",
            badge(o),
            "",
            "As written:",
            _math(d["source"]),
            f"Residual of the statement as written: {_residual(d['as_written'], d['id'])}",
            "",
        ]
        if d["correction"]:
            out += ["Correction:", _math(d["correction"])]
        else:
            out += ["Holds under: " + "; ".join(f"${a}$" for a in d["assumptions"]), ""]
        proof = d["symbolic"]
        out += [
            f"Proof of the {'correction' if d['correction'] else 'statement under it'} "
            f"({scope(proof)}):",
            "",
            *_steps(proof, d["id"]),
            "",
        ]
        if d["note"]:
            out += [_text(d["note"]), ""]
    return "\n".join(out)


def claim_json(outcome: Outcome, known=None) -> str:
    """One claim's JSON export, as `python -m derivations --json ID` prints it."""
    text = json.dumps(view(outcome, known), ensure_ascii=False, indent=1)
    return f"```json\n{text}\n```"
