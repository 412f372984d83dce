"""The docs site as a reader sees it: built strictly, served locally, opened in Chromium.

The site is built by `mkdocs build --strict` into a temporary directory (started at
collection by tests/conftest.py), served on 127.0.0.1 with an OS-chosen port, and every
page is opened in Debian's headless Chromium (/usr/bin/chromium, driven by Playwright; no
browser is downloaded). Without Chromium the browser tests skip, except under ``CI=true``,
where .ci/run installs it and a skip would hide a failure.
"""

from __future__ import annotations

import functools
import http.server
import inspect
import os
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from derivations import SECTIONS, claims
from derivations.figures import FIGURES, PAGES
from derivations.plain import formulas, plain
from tests.conftest import ROOT, site_build

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "build" / "screenshots"
# The flags this machine needs: no sandbox as root, and no background connections, which
# the closed network would refuse and report as console errors.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Text a reader would see if math were left unrendered; code blocks are excluded because
# the source shown beside each claim quotes docstrings with their `$…$`.
_UNRENDERED_JS = """() => {
  const body = document.querySelector('article') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('pre, code, .katex, script, style').forEach(e => e.remove());
  const text = copy.textContent;
  return {
    raw: ['$$', '\\\\(', '\\\\[', '\\\\frac', '\\\\sum'].filter(s => text.includes(s)),
    arithmatex: document.querySelectorAll('.arithmatex').length,
    errors: document.querySelectorAll('.katex-error').length,
    katex: document.querySelectorAll('.katex').length,
    images: [...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    toc: [...document.querySelectorAll('.md-nav--secondary .md-nav__link')].map(
      a => a.textContent.trim()),
    headings: [...document.querySelectorAll('article h2[id]')].map(
      h => [h.id, h.querySelectorAll('.katex').length]),
    nodes: [...document.querySelectorAll('svg.derivation-graph a.node')].map(
      a => [a.dataset.claim, a.getAttribute('href')]),
  };
}"""


@pytest.fixture(scope="module")
def built_site():
    site, code, log = site_build()
    assert code == 0, f"mkdocs build --strict failed:\n{log[-4000:]}"
    return site


def test_docs_build_strict_has_every_page(built_site):
    pages = {p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html")}
    want = {f"claims/{key}/index.html" for key in SECTIONS}
    want |= {"index.html", "errata/index.html", "reference/index.html", "cite/index.html"}
    want |= {"peers/index.html", "digits/index.html", "benchmarks/index.html"}
    assert want <= pages, sorted(want - pages)
    for fig in FIGURES.values():
        svg = (built_site / fig.path).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg, fig.path
    assert not (built_site / "hooks").exists(), "build hooks must not be published"
    assert (built_site / "assets/katex/katex.min.css").exists()
    assert list((built_site / "assets/katex/fonts").glob("*.woff2"))


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output to the test results
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The browser may drop a connection it no longer needs (a prefetch cut short at
        # navigation); that is not a failure of the site. Anything else is re-raised.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required under CI=true and is missing at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def _pages(site: Path) -> list[str]:
    return sorted(
        "/" + p.relative_to(site).parent.as_posix().removeprefix(".") + "/"
        if p.parent != site
        else "/"
        for p in site.rglob("index.html")
    )


def _open(browser, base, path):
    """Open `path`; return the page, what it holds, foreign requests and console errors."""
    foreign, errors = [], []
    host = urlsplit(base).netloc
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(r):
        if urlsplit(r.request.url).netloc != host and not r.request.url.startswith("data:"):
            foreign.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(base + path, wait_until="load")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    found = page.evaluate(_UNRENDERED_JS)
    found.update(status=response.status, foreign=foreign, console=errors)
    return context, page, found


@pytest.fixture(scope="module")
def visits(built_site, server, browser):
    """Every page of the site, opened once; the home and gradient pages are screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "/": "home",
        "/zh/": "home-zh",
        "/errata/": "errata",
        "/zh/errata/": "errata-zh",
        "/peers/": "peers",
        "/graph/": "graph",
        "/claims/gradient/": "gradient",
    }
    seen = {}
    for path in _pages(built_site):
        context, page, seen[path] = _open(browser, server, path)
        if path in shots:
            page.screenshot(path=str(ARTIFACTS / f"{shots[path]}.png"))
        context.close()
    return seen


def test_every_page_renders_its_math_and_loads_nothing_from_elsewhere(visits):
    problems = {}
    for path, found in visits.items():
        bad = {
            "status": found["status"] if found["status"] != 200 else None,
            "unrendered": found["raw"] or found["arithmatex"] or None,
            "katex errors": found["errors"] or None,
            "foreign requests": found["foreign"] or None,
            "console errors": found["console"] or None,
            "images not loaded": [i[0] for i in found["images"] if not (i[1] and i[2] > 0)] or None,
        }
        bad = {k: v for k, v in bad.items() if v is not None}
        if bad:
            problems[path] = bad
    assert not problems, problems


def test_every_claim_has_its_anchor_and_every_figure_shows(visits):
    for key in SECTIONS:
        found = visits[f"/claims/{key}/"]
        ids = set(found["ids"])
        missing = [c.id for c in claims() if c.section == key and c.id not in ids]
        assert not missing, f"claims/{key}: no anchor for {missing}"
        assert found["katex"] > 0, f"claims/{key}: no rendered math"
        shown = {src.rsplit("/", 1)[-1] for src, ok, width in found["images"] if ok and width}
        for fig in (f for c in claims() if c.section == key for f in c.figures):
            assert f"{fig.name}.svg" in shown, f"figure {fig.name} not shown on {key}"
    for page, figures in PAGES.items():
        images = visits[f"/{page}/"]["images"]
        shown = {src.rsplit("/", 1)[-1] for src, ok, width in images if ok and width}
        for fig in figures:
            assert f"{fig.name}.svg" in shown, f"figure {fig.name} not shown on {page}"


def test_claim_titles_typeset_their_math_and_the_contents_show_it_as_text(visits):
    for key in SECTIONS:
        found = visits[f"/claims/{key}/"]
        katex = dict(found["headings"])
        for claim in (c for c in claims() if c.section == key):
            want = len(formulas(claim.title))
            assert katex.get(claim.id, 0) >= want, f"{claim.id}: {want} formulas, not typeset"
        raw = [t for t in found["toc"] if "\\" in t or "$" in t]
        assert not raw, f"claims/{key}: TeX in the table of contents: {raw}"
        assert any(plain(c.title) in " ".join(found["toc"]) for c in claims() if c.section == key)


def test_the_graph_page_has_a_node_per_claim_and_every_node_links_to_its_claim(visits, built_site):
    nodes = visits["/graph/"]["nodes"]
    assert sorted(claim for claim, _ in nodes) == sorted(c.id for c in claims())
    for claim, href in nodes:
        link = urlsplit(urljoin("/graph/", href))  # relative to the graph page
        target = built_site / link.path.lstrip("/") / "index.html"
        assert link.fragment == claim and target.exists(), href
        assert f'id="{claim}"' in target.read_text(encoding="utf-8"), href


def test_the_verdict_and_peers_tables_fit_a_1400_pixel_window(built_site, server, browser):
    """No table is wider than its page at 1400 px: every column shows, none is clipped."""
    wide = {}
    for path in ("/", "/peers/", "/errata/"):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(server + path, wait_until="load")
        over = page.evaluate(
            "[...document.querySelectorAll('article table')].map(t => "
            "t.scrollWidth - t.closest('article').clientWidth).filter(d => d > 1)"
        )
        context.close()
        if over:
            wide[path] = over
    assert not wide, f"tables wider than the page by these pixels: {wide}"


def test_screenshots_of_the_home_errata_peers_and_gradient_pages_are_saved(visits):
    """Saved to build/screenshots/ (both languages of the home and errata pages) for a person
    to look at; asserted to be non-trivial."""
    for name in ("home", "home-zh", "errata", "errata-zh", "peers", "gradient"):
        target = ARTIFACTS / f"{name}.png"
        assert target.stat().st_size > 20_000, f"{target} looks empty"


def _resolve(dotted: str):
    import importlib

    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


def _public_api() -> set[str]:
    import importlib

    import softmax

    names = {"softmax"}
    for name in softmax.__all__:
        names.add(f"softmax.{name}")
        obj = getattr(softmax, name)
        if inspect.ismodule(obj):
            names |= {f"softmax.{name}.{member}" for member in obj.__all__}
    for module in ("functions", "loss", "gradient", "model", "persist", "solvers"):
        mod = importlib.import_module(f"softmax.{module}")
        names |= {f"softmax.{module}", *(f"softmax.{module}.{m}" for m in mod.__all__)}
    return names


def test_api_reference_documents_exactly_the_public_api(visits):
    """The anchors of the API reference page and the public API match both ways."""
    ids = {i for i in visits["/reference/"]["ids"] if i == "softmax" or i.startswith("softmax.")}
    # A class's methods are documented with it; they are not names of the API themselves.
    members = {i for i in ids if "." in i and inspect.isclass(_resolve(i.rpartition(".")[0]))}
    documented = ids - members
    public = _public_api()
    assert public <= documented, f"public but not documented: {sorted(public - documented)}"
    assert documented <= public, f"documented but not public: {sorted(documented - public)}"
