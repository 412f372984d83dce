"""What verification costs: the wall time of the verifier and of the test suite.

Each command runs in a fresh interpreter (a subprocess, from the repository root), so the
time includes imports, as a user or CI pays it.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

from benchmarks import timing

ROOT = pathlib.Path(__file__).resolve().parent.parent

COMMANDS = {
    "verifier": [sys.executable, "-m", "derivations"],
    "pytest": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
}


def run(quick=False):
    """One row per command; ``--quick`` leaves out the whole pytest run."""
    rows = []
    for name, cmd in COMMANDS.items():
        if quick and name == "pytest":
            rows.append(
                {
                    "name": name,
                    "command": _shown(cmd),
                    "seconds": None,
                    "returncode": None,
                    "skipped": "--quick",
                }
            )
            continue
        box = {}

        def call(cmd=cmd, box=box):
            box["proc"] = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)

        seconds = timing.once(call)
        proc = box["proc"]
        rows.append(
            {
                "name": name,
                "command": _shown(cmd),
                "seconds": seconds,
                "returncode": proc.returncode,
                "last_line": (proc.stdout.strip().splitlines() or [""])[-1],
                "skipped": None,
            }
        )
    return rows


def _shown(cmd):
    return " ".join(["python", *cmd[1:]])
