"""The Benchmarks page's sections on single calls: the `functions` and `arguments` parts.

`functions`: `softmax`, `log_softmax` and `logsumexp` against SciPy's (target), torch's
(target) and JAX's (information), one thread each, with the `workers=-1` rows and the floors
as information. torch and JAX are the optional peers of benchmarks/peers.py: one code path
(`peer_absence`) says why a peer's figures are missing, whether it was not installed in the
run (its note) or the file was written before the peer was timed (JAX before 2026-12).
`arguments`: SciPy's extra arguments, against SciPy's call with the same arguments.
"""

from __future__ import annotations

from derivations.reports_cells import figure, first, seconds, shape

#: Functions with a target, in the order of their column groups: (heading, name in the file).
FUNCTIONS = (
    ("softmax", "softmax.softmax"),
    ("log_softmax", "softmax.log_softmax"),
    ("logsumexp", "softmax.logsumexp"),
)
#: Columns of the information table, ratios to SciPy: (heading, function name in the file).
INFO_COLUMNS = (
    ("softmax, all CPUs", "softmax.softmax (workers=-1)"),
    ("log_softmax, all CPUs", "softmax.log_softmax (workers=-1)"),
    ("logsumexp, all CPUs", "softmax.logsumexp (workers=-1)"),
    ("floor: copy", "np.copyto (memory floor)"),
    ("floor: exp", "np.exp (exponential floor)"),
    ("floor: float64 exp", "np.exp in float64 (floor at this accuracy)"),
)
#: A line's time for scale, the third column of a table: (heading, its rows -> seconds).
SCIPY_SCALE = ("SciPy's softmax", lambda v: v.get("softmax.softmax", {}).get("peer_s"))
JAX_SCALE = ("JAX's softmax", lambda v: v.get("softmax.softmax", {}).get("jax_s"))


def peer_absence(rows, peer) -> str | None:
    """Why `rows` have no figures of the optional `peer` ("torch", "jax"): None where they
    have some; its note (not installed) in this run; else not in this record."""
    if first(rows, f"{peer}_ratio") is not None:
        return None
    note = first(rows, f"{peer}_note")
    return f"{note} in this run" if note else "not in this record"


def functions_section(rows, cpu_count) -> list[str]:
    return [
        "## softmax, log_softmax and logsumexp against SciPy and torch",
        "",
        *_intro(rows),
        "",
        *_one_thread_table(rows),
        "",
        *_absent("torch", peer_absence(rows, "torch")),
        *_jax_part(rows),
        *_info_part(rows, cpu_count),
    ]


def _intro(rows) -> list[str]:
    scipy_t, torch_t, aim = (first(rows, k) for k in ("target", "torch_target", "floor_aim"))
    notes = [f"*÷ SciPy* is over `scipy.special`'s function of the same name, target ≤ {scipy_t}"]
    if torch_t is not None and first(rows, "torch_ratio") is not None:
        notes.append(
            f"*÷ torch* over torch's (`torch.softmax`, `torch.log_softmax`, `torch.logsumexp` "
            f"on `torch.from_numpy(x)`), target ≤ {torch_t}"
        )
    if aim is not None:
        notes.append(
            "*× copy* is the multiple of the time of a plain copy of the same array "
            "(`np.copyto`), the least that any function reading every entry and writing a "
            f"result can take, with the aim ≤ {aim} where M ≥ 1e3"
        )
    return [
        "With one thread on every side (BLAS limited to one, torch too; SciPy has one). The "
        "third column gives the time of SciPy's softmax, for scale; each later cell is this "
        "project's time over a peer's, with its target met (✓) or not (✗): "
        + "; ".join(notes)
        + "."
    ]


def _absent(label, absence) -> list[str]:
    return [f"{label}: {absence}.", ""] if absence else []


def _by_dtype_and_shape(rows) -> dict:
    """``{(dtype, "O × M"): {function: row}}``, in the order of the file."""
    cells: dict = {}
    for row in rows:
        cells.setdefault((row["dtype"], shape(row["shape"])), {})[row["function"]] = row
    return cells


def _grid(cells, columns, scale=SCIPY_SCALE) -> list[str]:
    """A table with one line per dtype and shape: the `scale` time, then `columns`
    (heading, cell of a line's rows); a column that is — on every line is left out."""
    body = {key: [cell(v) for _, cell in columns] for key, v in cells.items()}
    keep = [i for i in range(len(columns)) if any(c[i] != "—" for c in body.values())]
    if not keep:
        return []
    lines = [
        f"| dtype | O × M | {scale[0]} | " + " | ".join(columns[i][0] for i in keep) + " |",
        "|---|---|---|" + "---|" * len(keep),
    ]
    for (dtype, dims), v in cells.items():
        figures = " | ".join(body[(dtype, dims)][i] for i in keep)
        lines.append(f"| {dtype} | {dims} | {seconds(scale[1](v))} | {figures} |")
    return lines


def _one_thread_table(rows) -> list[str]:
    """One column group per function: its ratio to SciPy, to torch, its multiple of the copy."""
    columns = []
    for heading, name in FUNCTIONS:
        columns += [
            (f"{heading} ÷ SciPy", lambda v, n=name: figure(v.get(n))),
            ("÷ torch", lambda v, n=name: figure(v.get(n), *_peer_keys("torch"))),
            (
                "× copy",
                lambda v, n=name: figure(v.get(n), "floor_multiple", "floor_aim", "floor_met", 1),
            ),
        ]
    return _grid(_by_dtype_and_shape(rows), columns)


def _peer_keys(peer):
    """A row's ratio, target and target-met fields of an optional peer."""
    return f"{peer}_ratio", f"{peer}_target", f"{peer}_met"


def _jax_part(rows) -> list[str]:
    """Ours over JAX's, one thread each: information, no target."""
    absence = peer_absence(rows, "jax")
    if absence:
        return _absent("JAX", absence)
    columns = [
        (f"{heading} ÷ JAX", lambda v, n=name: figure(v.get(n), *_peer_keys("jax")))
        for heading, name in FUNCTIONS
    ]
    return [
        "Against JAX, information (no target): each cell is this project's time over JAX's "
        "function of the same name (`jax.nn.softmax`, `jax.nn.log_softmax`, "
        "`jax.scipy.special.logsumexp`, float64 enabled) on a `jax.numpy` array made once "
        "from x, compiled by `jax.jit` before the timing and with XLA on one thread, timed "
        "in the same rounds as the table above; the third column gives the time of JAX's "
        "softmax, for scale.",
        "",
        *_grid(_by_dtype_and_shape(rows), columns, JAX_SCALE),
        "",
    ]


def _info_part(rows, cpu_count) -> list[str]:
    """All CPUs and floors, each over SciPy's function of the same name (floors: softmax)."""
    columns = [(heading, lambda v, n=name: figure(v.get(n))) for heading, name in INFO_COLUMNS]
    table = _grid(_by_dtype_and_shape(rows), columns)
    if not table:
        return []
    return [
        "Information, no target: the *all CPUs* columns pass `workers=-1`, which shares the "
        f"work among the {cpu_count} CPUs of this machine, over SciPy's function of the same "
        "name (one thread). The "
        "floors time a plain copy (`np.copyto`) and NumPy's exponential (`np.exp`), which "
        "every softmax evaluates once per entry, over SciPy's softmax: no ratio can go below "
        "the exponential's. For float32 a third floor times the float64 exponential of every "
        "entry: this project computes float32 input in float64 to round its result "
        "correctly, so none of its float32 ratios can go below that one.",
        "",
        *table,
        "",
    ]


def arguments_section(rows) -> list[str]:
    """SciPy's extra arguments: ours over SciPy's with the same arguments, and over our
    plain call on the same slices (what the argument costs)."""
    return [
        "## SciPy's extra arguments: axes as a tuple or None, weights and signs",
        "",
        "One thread, float64. Each call against `scipy.special`'s with the same arguments, "
        f"target ≤ {first(rows, 'target')} where marked (the weighted `logsumexp` is "
        "composed of NumPy operations: information); *÷ plain* is over our own call on the "
        "same slices without the argument, timed in the same rounds.",
        "",
        "| call | shape | SciPy's | ÷ SciPy | ÷ plain | plain call |",
        "|---|---|---|---|---|---|",
        *(_arguments_line(r) for r in rows),
        "",
    ]


def _arguments_line(r) -> str:
    return (
        f"| `{r['function']}(z, {r['arguments']})` | {shape(r['shape'])} | "
        f"{seconds(r['peer_s'])} | {figure(r)} | {figure(r, 'plain_ratio', 'plain_target')} | "
        f"`{r['plain']}` |"
    )
