"""MkDocs hook: evaluate the claim registry at build time and generate its pages.

Adds one page per tutorial section (claims/<section>.md), the errata page, and replaces
the `<!-- verdict-table -->` marker of the home page with the table computed in this build.
"""

from __future__ import annotations

import logging

from mkdocs.structure.files import File

from derivations import SECTIONS, claims, evaluate
from derivations.pages import errata_page, section_page, verdict_table

_OUTCOMES = []
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
    return files


def on_page_markdown(markdown, page, config, files):
    if "<!-- verdict-table -->" in markdown:
        markdown = markdown.replace("<!-- verdict-table -->", verdict_table(_OUTCOMES))
    return markdown
