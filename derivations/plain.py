r"""Claim titles: their math as TeX between ``$…$``, and the same title as plain text.

A title is written once, with its formulas in TeX (``$g_i = \sum_j w_{ij} x_j$``). The
pages typeset them with KaTeX; where TeX cannot show (the command line, the table of
contents, the JSON ``title``), `plain` writes the title in Unicode by the rules below, which
cover the commands the titles use.
"""

from __future__ import annotations

import re

#: TeX commands and their Unicode, longest names first where one prefixes another.
SYMBOLS = {
    r"\sum": "Σ",
    r"\prod": "∏",
    r"\partial": "∂",
    r"\nabla": "∇",
    r"\eta": "η",
    r"\infty": "∞",
    r"\varnothing": "∅",
    r"\leftarrow": "←",
    r"\to": "→",
    r"\cdot": "·",
    r"\times": "×",
    r"\approx": "≈",
    r"\le": "≤",
    r"\ge": "≥",
    r"\ne": "≠",
    r"\Vert": "‖",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\ln": "ln",
    r"\log": "log",
    r"\exp": "exp",
    r"\lse": "lse",
    r"\,": " ",
    r"\quad": " ",
}
#: Symbols that TeX sets tight against what follows (``\partial L`` is ∂L): the space
#: after them in the source is not printed.
TIGHT = {r"\partial", r"\nabla", r"\Vert", r"\lvert"}
_COMMAND = re.compile(
    "|".join(
        re.escape(c) + (r"(?![A-Za-z])" if c[-1].isalpha() else "") + (" *" if c in TIGHT else "")
        for c in SYMBOLS
    )
)
#: \mathrm{…}, \operatorname{…}, \text{…}: the argument, as it is.
_WORD = re.compile(r"\\(?:mathrm|operatorname|text|mathsf)\{([^{}]*)\}")
_SCRIPT = re.compile(r"([_^])\{([^{}]*)\}")
_MATH = re.compile(r"\$([^$]+)\$")


def _script(match: re.Match) -> str:
    """``x_{ij}`` → ``x_ij``; ``e^{g_i}`` → ``e^(g_i)`` (a superscript of several symbols
    in parentheses); ``A^{\\mathsf{T}}``, ``A^T`` → ``Aᵀ``."""
    mark, body = match.groups()
    if mark == "^" and body in ("T", "ᵀ"):
        return "ᵀ"
    if mark == "_" or len(body) == 1:
        return mark + body
    return "^\0" + body + "\1"  # parentheses at the end, so that the loop stops


def math_text(tex: str) -> str:
    r"""One formula in Unicode.

    >>> math_text(r"g_i = \sum_j w_{ij} x_j")
    'g_i = Σ_j w_ij x_j'
    >>> math_text(r"\mathrm{softmax}(X) = e^{XW^{\mathsf{T}}} / (e^{XW^{\mathsf{T}}}E)")
    'softmax(X) = e^(XWᵀ) / (e^(XWᵀ)E)'
    >>> math_text(r"\log_2 26 \approx 4.7004"), math_text(r"q_1 \to 1"), math_text("C = -1")
    ('log_2 26 ≈ 4.7004', 'q_1 → 1', 'C = −1')
    """
    text = _WORD.sub(r"\1", tex)
    text = _COMMAND.sub(lambda m: SYMBOLS[m.group(0).rstrip(" ")], text)
    while _SCRIPT.search(text):
        text = _SCRIPT.sub(_script, text)
    text = text.replace("\0", "(").replace("\1", ")")
    return text.replace("^T", "ᵀ").replace("-", "−")


def plain(title: str) -> str:
    r"""`title` with each ``$…$`` formula in Unicode.

    >>> plain(r"Setup: the logits are $g_i = \sum_j w_{ij} x_j$, i.e. $g = Wx$")
    'Setup: the logits are g_i = Σ_j w_ij x_j, i.e. g = Wx'
    """
    return _MATH.sub(lambda m: math_text(m.group(1)), title)


def formulas(title: str) -> list[str]:
    """The TeX of each formula in `title`, in order."""
    return _MATH.findall(title)
