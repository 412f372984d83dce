"""MkDocs hook: evaluate the claim registry at build time and generate its pages.

Adds one page per tutorial section (claims/<section>.md), the errata page, the conformance
page of peer libraries (peers.md), the digits experiment (digits.md), the last benchmark
results (benchmarks.md), the last mutation-testing report (mutation.md), the derivation
graph (graph.md), the figures (figures/<name>.svg, drawn by matplotlib in this build), and
fills the markers of hand-written pages with what this build computed:
`<!-- verdict-table -->`, `<!-- claim-json: ID -->` and `<!-- conform-kinds -->`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.structure.files import File

from derivations import SECTIONS, claims, evaluate, peers
from derivations.figures import FIGURES, render
from derivations.graph import graph_page
from derivations.pages import claim_json, errata_page, section_page, verdict_table
from derivations.pages_mutation import mutation_page
from derivations.pages_peers import conform_kinds, peers_page
from derivations.pages_zh import errata_page_zh
from derivations.reports import LOSS_FIGURE, bench_loss_figure, bench_page, digits_page

_OUTCOMES = []
_CLAIM_JSON = re.compile(r"<!-- claim-json: ([A-Z]+-\d+) -->")
log = logging.getLogger("mkdocs.hooks.claims")


def on_config(config):
    # The nav lists the generated pages from the registry's section list (typed once).
    derivations = [{SECTIONS[key][0]: f"claims/{key}.md"} for key in SECTIONS]
    nav = []
    for item in config["nav"]:
        if item == {"Derivations": "GENERATED"}:
            nav.append({"Derivations": derivations})
        else:
            nav.append(item)
    config["nav"] = nav
    return config


def on_files(files, config):
    _OUTCOMES[:] = [evaluate(c) for c in claims()]
    for o in _OUTCOMES:
        if not o.ok:  # a warning, so that `mkdocs build --strict` fails
            log.warning(
                "claim %s is not verified: verdict %s, expected %s",
                o.claim.id,
                o.verdict,
                o.claim.expect,
            )
    for key in SECTIONS:
        files.append(
            File.generated(config, f"claims/{key}.md", content=section_page(key, _OUTCOMES))
        )
    files.append(File.generated(config, "errata.md", content=errata_page(_OUTCOMES)))
    files.append(File.generated(config, "graph.md", content=graph_page(_OUTCOMES)))
    files.append(File.generated(config, "zh/errata.md", content=errata_page_zh(_OUTCOMES)))
    files.append(File.generated(config, "peers.md", content=peers_page(*peers.run_all())))
    files.append(File.generated(config, "digits.md", content=digits_page()))
    files.append(File.generated(config, "benchmarks.md", content=bench_page()))
    files.append(File.generated(config, "mutation.md", content=mutation_page()))
    for fig in FIGURES.values():  # drawn in this build from the claims' own data
        files.append(File.generated(config, fig.path, content=render(fig.name)))
    loss_plot = bench_loss_figure()
    if loss_plot is not None:
        files.append(File.generated(config, LOSS_FIGURE, content=loss_plot))
    return files


def _json_of(match):
    found = [o for o in _OUTCOMES if o.claim.id == match.group(1)]
    if not found:
        log.warning("claim-json marker names an unknown claim %s", match.group(1))
        return match.group(0)
    return claim_json(found[0], {o.claim.id: o for o in _OUTCOMES})


def on_page_markdown(markdown, page, config, files):
    prefix = "../" * page.file.src_uri.count("/")  # the Chinese home page is one level down
    markdown = markdown.replace("<!-- verdict-table -->", verdict_table(_OUTCOMES, prefix))
    markdown = markdown.replace("<!-- conform-kinds -->", conform_kinds())
    return _CLAIM_JSON.sub(_json_of, markdown)


def on_post_build(config):
    # Material's language selector reads the other language's sitemap to find a page's
    # counterpart; the Chinese pages live in this same site, so they share its sitemap.
    site = Path(config["site_dir"])
    (site / "zh" / "sitemap.xml").write_bytes((site / "sitemap.xml").read_bytes())
