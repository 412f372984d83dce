"""Start the docs build early, in a second process, when the browser test is collected.

`mkdocs build --strict` takes about as long as the claim tests; run side by side on two
cores they cost the wall time of one. The browser tests are moved to the end of the run,
so that nothing waits for the build while there are other tests to run. The build writes
to a temporary directory; the fixture `built_site` of tests/test_docs_browser.py waits for
it and fails on its errors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BUILD: dict = {}


@pytest.hookimpl(trylast=True)  # after -k / -m have deselected: `pytest -k GRAD` builds nothing
def pytest_collection_modifyitems(session, config, items):
    if _BUILD or not any(item.path.name == "test_docs_browser.py" for item in items):
        return
    # The browser tests last (a stable sort keeps their order): every other test then runs
    # while the site builds, instead of waiting for it halfway through the run.
    items.sort(key=lambda item: item.path.name == "test_docs_browser.py")
    site = Path(tempfile.mkdtemp(prefix="softmax-site-"))
    log = open(site.with_suffix(".log"), "w+", encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    _BUILD.update(
        site=site,
        log=log,
        process=subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env),
    )


def site_build():
    """(site directory, exit code, build log) of the build started at collection."""
    process = _BUILD["process"]
    code = process.wait(timeout=900)
    _BUILD["log"].seek(0)
    return _BUILD["site"], code, _BUILD["log"].read()


def pytest_unconfigure(config):
    if _BUILD:
        if _BUILD["process"].poll() is None:
            _BUILD["process"].kill()
        _BUILD["log"].close()
        shutil.rmtree(_BUILD["site"], ignore_errors=True)
        Path(_BUILD["log"].name).unlink(missing_ok=True)
