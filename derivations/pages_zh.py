"""The Simplified Chinese errata page, for the tutorial's own readers.

Each erratum carries its Chinese title and explanation on the claim (`title_zh`,
`erratum_zh`); the formulas, the verdicts and the proofs are the English page's, since
mathematics reads the same in both languages.
"""

from __future__ import annotations

from derivations.pages import _math, _text, badge
from derivations.verdict import Outcome


def errata_page_zh(outcomes: list[Outcome]) -> str:
    out = [
        "# 勘误",
        "",
        "教程中按原文不成立的陈述：错在哪里，以及经过证明的更正。每一条都链接到对应的"
        "断言页面（英文），那里有逐步的符号证明、残差和数值检验。",
        "",
    ]
    for o in outcomes:
        if o.verdict != "false-as-written":
            continue
        claim = o.claim
        out += [
            f"## [{claim.id}](../{claim.doc}) · {_text(claim.title_zh or claim.title)}",
            "",
            badge(o),
            "",
            _text(claim.erratum_zh or ""),
            "",
            "原文：",
            _math(claim.source),
        ]
        if claim.correction:
            out += ["更正：", _math(claim.correction)]
    return "\n".join(out)
