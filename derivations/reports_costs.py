"""The Benchmarks page's sections on one-off costs: the `compile` part (first calls with a
cold and a warm numba cache, `import softmax`) and the `verifier` part (wall time of
`python -m derivations` and of the test suite)."""

from __future__ import annotations

from derivations.reports_cells import seconds, shape


def compile_section(part) -> list[str]:
    return [
        "## First calls: compiling and loading the kernels",
        "",
        "The first call of each function in a fresh interpreter with an empty numba cache "
        "directory (*cold*: it compiles what no earlier call of the same process compiled), "
        "then in a second fresh interpreter with the same directory (*warm*: it loads the "
        "compiled code from disk), and the same call once more in the same process.",
        "",
        "| first call of | dtype | shape | cold cache | warm cache | once compiled |",
        "|---|---|---|---|---|---|",
        *(_compile_line(c) for c in part["calls"]),
        "",
        _compile_totals(part),
        "",
    ]


def _compile_line(c) -> str:
    return (
        f"| `{c['function']}` | {c['dtype']} | {shape(c['shape'])} | {seconds(c['cold_s'])} | "
        f"{seconds(c['warm_s'])} | {seconds(c['hot_s'])} |"
    )


def _compile_totals(part) -> str:
    """All first calls together, with a cold and a warm cache, and `import softmax`."""
    imp = part["import"]
    loads = "loads" if imp["numba_loaded"] else "does not load"
    return (
        f"In all: {seconds(part['cold_total_s'])} with a cold cache, "
        f"{seconds(part['warm_total_s'])} with a warm one ({part['cache_files']} files "
        f"cached). `import softmax` takes {seconds(imp['median_s'])} (median of "
        f"{len(imp['runs_s'])} fresh interpreters; `{imp['baseline']['command']}` alone "
        f"{seconds(imp['baseline']['median_s'])}) and {loads} numba."
    )


def verifier_section(rows) -> list[str]:
    return [
        "## Cost of the verifier",
        "",
        "| command | wall time | exit |",
        "|---|---|---|",
        *(f"| `{v['command']}` | {seconds(v['seconds'])} | {v['returncode']} |" for v in rows),
        "",
    ]
