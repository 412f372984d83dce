"""The derivation graph: one node per claim, coloured by its verdict, an edge per `uses`.

Drawn at build time as SVG markup written into the page itself (no image file, no script,
nothing fetched), so that each node is a link to its claim's anchor. Columns are the
tutorial's sections in order; within a column the claims stand in the registry's order.
An edge runs from a claim to each claim that uses it.
"""

from __future__ import annotations

import html

from derivations.outline import SECTIONS
from derivations.plain import plain
from derivations.verdict import Outcome

COLUMN, ROW, WIDTH, HEIGHT, TOP = 112, 30, 84, 20, 56  # pixels
COLOURS = {
    "holds": "#2e7d32",
    "holds-under-assumption": "#b26a00",
    "false-as-written": "#c62828",
}


def _positions(outcomes: list[Outcome]) -> dict[str, tuple[float, float]]:
    """The top-left corner of each claim's box."""
    rows: dict[str, int] = {}
    where = {}
    for o in outcomes:
        column = list(SECTIONS).index(o.claim.section)
        row = rows[o.claim.section] = rows.get(o.claim.section, -1) + 1
        where[o.claim.id] = (8 + column * COLUMN, TOP + row * ROW)
    return where


def _edge(a: tuple[float, float], b: tuple[float, float]) -> str:
    """A curve from the box at `a` (used) to the box at `b` (using)."""
    (ax, ay), (bx, by) = a, b
    ay, by = ay + HEIGHT / 2, by + HEIGHT / 2
    if ax == bx:  # the same section: an arc on the right of the column
        x = ax + WIDTH
        bulge = x + 10 + abs(by - ay) / 8
        return f"M{x},{ay} C{bulge},{ay} {bulge},{by} {x},{by}"
    start, end = (ax + WIDTH, bx) if ax < bx else (ax, bx + WIDTH)
    middle = (start + end) / 2
    return f"M{start},{ay} C{middle},{ay} {middle},{by} {end},{by}"


def svg(outcomes: list[Outcome], prefix: str = "../") -> str:
    """The graph of `outcomes` (every claim, evaluated in this build) as SVG markup; node
    links are relative to a page one level below the site root (`prefix`)."""
    where = _positions(outcomes)
    width = len(SECTIONS) * COLUMN
    height = TOP + max(y for _, y in where.values()) + HEIGHT + 8
    out = [
        f'<svg class="derivation-graph" viewBox="0 0 {width} {height}" width="{width}" '
        f'aria-label="Derivation graph of {len(outcomes)} claims" '
        'xmlns="http://www.w3.org/2000/svg">',
        '<g class="edges" fill="none" stroke="#78909c" stroke-opacity="0.55">',
    ]
    out += [
        f'<path d="{_edge(where[used], where[o.claim.id])}"/>'
        for o in outcomes
        for used in o.claim.uses
    ]
    out.append("</g>")
    for n, (key, (title, _)) in enumerate(SECTIONS.items()):
        x = 8 + n * COLUMN
        out.append(
            f'<a href="{prefix}claims/{key}/"><text x="{x}" y="{TOP - 14}" '
            f'font-size="10" fill="currentColor">{html.escape(title[:20])}</text></a>'
        )
    for o in outcomes:
        x, y = where[o.claim.id]
        colour = COLOURS.get(o.verdict, "#616161")
        tip = html.escape(f"{o.claim.id}: {plain(o.claim.title)} ({o.verdict})")
        out.append(
            f'<a href="{prefix}{o.claim.doc.replace(".md#", "/#")}" class="node" '
            f'data-claim="{o.claim.id}" data-verdict="{o.verdict}"><title>{tip}</title>'
            f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{HEIGHT}" rx="4" fill="{colour}"/>'
            f'<text x="{x + WIDTH / 2}" y="{y + 14}" font-size="11" text-anchor="middle" '
            f'fill="#fff">{o.claim.id}</text></a>'
        )
    out.append("</svg>")
    return "\n".join(out)


def graph_page(outcomes: list[Outcome]) -> str:
    """The Markdown of the graph page: a legend, then the graph."""
    legend = " · ".join(
        f'<span class="verdict verdict-{verdict}">{verdict}</span>' for verdict in COLOURS
    )
    return "\n".join(
        [
            "# Derivation graph",
            "",
            "Every claim, coloured by the verdict computed in this build, in the columns of "
            "the tutorial's sections. A line joins a claim to each claim that uses it (the "
            "`uses` of its declaration); a node links to the claim. A claim that rests on one "
            "that is false as written says so on its page, with the correction it rests on.",
            "",
            legend,
            "",
            # At its natural size (labels of 11 px), scrolled sideways within the column.
            '<div class="graph" markdown="0" style="overflow-x: auto">',
            svg(outcomes),
            "</div>",
            "",
        ]
    )
