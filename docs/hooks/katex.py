"""MkDocs hook: render every formula with KaTeX at build time, with no network.

`pymdownx.arithmatex` (generic mode) marks math as ``\\(...\\)`` and ``\\[...\\]``; this hook
sends each formula to one long-lived `node` process running KaTeX from `node_modules`
(installed by the Makefile from package.json), and copies KaTeX's CSS and woff2 fonts into
the site. A LaTeX error stops the build with the page and the formula.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
KATEX = ROOT / "node_modules" / "katex" / "dist"
_MATH = re.compile(
    r'<(span|div) class="arithmatex">(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])</\1>',
    re.DOTALL,
)
_node: subprocess.Popen | None = None


def _start():
    global _node
    node = shutil.which("node")
    if node is None or not (KATEX / "katex.min.css").exists():
        raise PluginError("KaTeX needs node and node_modules/katex: run `make setup` (npm ci)")
    _node = subprocess.Popen(
        [node, str(Path(__file__).with_name("katex_render.js"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )


def render(tex: str, display: bool) -> str:
    if _node is None:
        _start()
    _node.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
    _node.stdin.flush()
    answer = json.loads(_node.stdout.readline())
    if "error" in answer:
        raise ValueError(answer["error"])
    return answer["html"]


def on_page_content(content, page, config, files):
    def replace(match):
        display = match.group("block") is not None
        tex = html.unescape(match.group("block") if display else match.group("inline"))
        try:
            rendered = render(tex.strip(), display)
        except ValueError as exc:
            raise PluginError(f"{page.file.src_uri}: KaTeX cannot render {tex!r}: {exc}") from None
        return f'<div class="math">{rendered}</div>' if display else rendered

    return _MATH.sub(replace, content)


def on_post_build(config):
    global _node
    target = Path(config["site_dir"]) / "assets" / "katex"
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copy2(KATEX / "katex.min.css", target / "katex.min.css")
    for font in (KATEX / "fonts").glob("*.woff2"):
        shutil.copy2(font, target / "fonts" / font.name)
    if _node is not None:
        _node.stdin.close()
        _node.wait(timeout=10)
        _node = None
