"""Cells of the measurement pages: counts, durations, sizes, ratios and their marks.

Shared by every section of the Benchmarks page (`derivations.reports`); a figure that a
results file lacks is shown as — (older files lack the fields added since).
"""

from __future__ import annotations


def count(n: int) -> str:
    """10000 -> 1e4; sizes that are not powers of ten as they are."""
    k = len(str(n)) - 1
    return f"1e{k}" if n >= 1000 and n == 10**k else str(n)


def shape(dims) -> str:
    """[10000, 1000] -> 1e4 × 1e3."""
    return " × ".join(count(n) for n in dims)


def seconds(s) -> str:
    return "—" if s is None else (f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s")


def size(b) -> str:
    """Bytes in GiB from 1 GiB on, else in MiB; — where unknown."""
    if b is None:
        return "—"
    return f"{b / 2**30:.3g} GiB" if b >= 2**30 else f"{b / 2**20:.3g} MiB"


def verdict(v) -> str:
    """A target met or not, or nothing where there is no target."""
    return {True: "✓ met", False: "✗ not met", None: ""}[v]


def figure(row, value="ratio", target="target", met="met", digits=2) -> str:
    """`row[value]`, with ✓ or ✗ where the row has a target for it; — where it has none."""
    if row is None or row.get(value) is None:
        return "—"
    mark = "" if row.get(target) is None else " " + verdict(row.get(met))[0]
    return f"{row[value]:.{digits}f}{mark}"


def first(rows, key):
    """The first value of `key` that is not null among `rows` (a target of the file)."""
    return next((row[key] for row in rows if row.get(key) is not None), None)
