"""Markdown of the conformance pages: how each kind is called, and the peers' results.

`conform_kinds` fills the cite page's marker; `peers_page` is the page of every installed
peer library's results, one table per kind (`derivations.peers`).
"""

from __future__ import annotations

from derivations import conform
from derivations.pages import _text


def conform_kinds() -> str:
    rows = ["| `--kind` | how the function is called | claims checked |", "|---|---|---|"]
    for kind, call in conform.CALLING.items():
        ids = sorted({p.claim for p in conform.PROPERTIES if p.kind == kind})
        links = ", ".join(f"[{i}](claims/implementation.md#{i})" for i in ids) or "—"
        rows.append(f"| `{kind}` | `{call}` | {links} |")
    return "\n".join(rows)


def _cell(check) -> str:
    mark = "✓" if check.passed else "✗"
    number = check.detail.split(" vs ")[0].removeprefix("max error ")
    return f"{mark} {_text(number)}"


def peers_page(done, missing) -> str:
    """The conformance table of every installed peer, one table per kind."""
    out = [
        "# Accuracy and conformance of peers",
        "",
        "The numeric claims that this project's functions are verified against, run in this "
        "build on other libraries' implementations with `python -m derivations conform`. "
        "A cell gives the largest error found (in ulp against a 60-digit mpmath reference in "
        "the log1p form) or the property's result; ✗ marks a property that does not hold, "
        "and its counterexample is listed below the table.",
        "",
        "Each function is called with an explicit `axis`, because the libraries' defaults "
        "differ: this project reduces over the last axis by default (`axis=-1`, as PyTorch "
        "and JAX do), while `scipy.special.softmax`, `log_softmax` and `logsumexp` take the "
        "whole array (`axis=None`) unless told otherwise. A property that calls an argument "
        "a library lacks (a tuple of axes, `b=`, `return_sign=`) fails with the error that "
        "library raised.",
        "",
    ]
    if missing:
        out += ["Not installed in this build, so not run: " + ", ".join(f"`{m}`" for m in missing)]
        out.append("")
    for kind in dict.fromkeys(r.kind for r in done):
        group = [r for r in done if r.kind == kind]
        out += [f"## {kind}", ""]
        heads = " | ".join(f"{r.label}<br>`{r.display}`" for r in group)
        out.append(f"| claim | property | {heads} |")
        out.append("|---|---|" + "---|" * len(group))
        for n, (prop, _) in enumerate(group[0].results):
            cells = " | ".join(_cell(r.results[n][1]) for r in group)
            link = f"[{prop.claim}](claims/implementation.md#{prop.claim})"
            out.append(f"| {link} | {_text(prop.name)} | {cells} |")
        out.append(
            "| | **properties that hold** | "
            + " | ".join(f"**{r.held} of {len(r.results)}**" for r in group)
            + " |"
        )
        out.append("")
        fails = [(r.spec, c) for r in group for _, c in r.results if not c.passed]
        if fails:
            out += ['??? note "Counterexamples"', ""]
            out += [f"    - `{spec}`, {_text(c.name)}: {_text(c.detail)}" for spec, c in fails]
            out.append("")
    return "\n".join(out)
