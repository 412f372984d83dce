"""The four-way fold trees of `softmax._tree` (claim IMPL-12), on the rows that stress them.

Sizes on both sides of `BASE` and of every multiple of 4 at each level, ties at the
maximum, $-\\infty$ and NaN entries: the maximum must be the row's, its index must hold it,
and the sum must be the proven tree's, bit for bit.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

from derivations.sum_order import fold_to_base, kernel_order
from softmax import _tree

pytestmark = pytest.mark.claim("IMPL-12")

SIZES = [1, 2, 3, 15, 16, 17, 18, 19, 20, 63, 64, 65, 67, 255, 257, 1000, 1027, 4099]


def _tree_max(row):
    return _tree.tree_max(row, np.empty(_tree.scratch_size(row.size)))


@pytest.mark.parametrize("n", SIZES)
def test_tree_max_is_the_row_maximum_and_its_index_holds_it(n):
    rng = np.random.default_rng(n)
    for ties in (1, 2, 5):
        row = rng.integers(-50, 50, n).astype(float)
        where = rng.choice(n, min(ties, n), replace=False)
        row[where] = 60.0  # several entries hold the maximum
        m, k = _tree_max(row)
        assert m == 60.0
        assert row[k] == m


@pytest.mark.parametrize("n", [n for n in SIZES if 2 < n <= _tree.BASE])
def test_tree_max_of_a_short_row_gives_the_first_maximal_index(n):
    """Up to BASE entries the column layout picks the first maximal index; so must the tree."""
    for first in range(n - 1):
        row = np.zeros(n)
        row[[first, n - 1]] = 1.0
        assert _tree_max(row) == (1.0, first)


def _first_of_a_tie(a, b):
    return a if a[0] >= b[0] else b


@pytest.mark.parametrize("n", SIZES)
def test_tree_max_index_is_the_first_maximal_one_in_the_tree_order(n):
    """Among tied maxima the documented one: fold (value, index) pairs as the kernel folds
    values, keeping the first of tied sources, then take the first maximal pair left. A
    short row is not folded, so this is its first maximal index."""
    rng = np.random.default_rng(n + 4)
    for _ in range(8):
        row = rng.integers(0, 3, n).astype(float)  # the maximum held many times over
        pairs = [(v, i) for i, v in enumerate(row.tolist())]
        top = fold_to_base(pairs, _first_of_a_tie)
        m, k = max(top, key=operator.itemgetter(0))
        assert _tree_max(row) == (m, k)


@pytest.mark.parametrize("n", SIZES)
def test_tree_max_handles_minus_infinity_and_float32(n):
    rng = np.random.default_rng(n + 1)
    row = rng.normal(size=n)
    row[rng.random(n) < 0.5] = -np.inf
    m, k = _tree_max(row)
    assert m == row.max() and row[k] == m
    r32 = row.astype(np.float32)
    m32, k32 = _tree_max(r32)
    assert m32 == r32.max() and r32[k32] == m32
    assert _tree_max(np.full(n, -np.inf))[0] == -np.inf


@pytest.mark.parametrize("n", SIZES)
def test_a_nan_anywhere_gives_a_nan_or_the_maximum_of_the_rest(n):
    """The non-finite policy makes such a row NaN either way; the index must stay inside."""
    rng = np.random.default_rng(n + 2)
    for where in {0, n // 2, n - 1}:
        row = rng.normal(size=n)
        row[where] = np.nan
        m, k = _tree_max(row)
        rest = np.delete(row, where)
        assert np.isnan(m) or m == (rest.max() if rest.size else -np.inf)
        assert 0 <= k < n


@pytest.mark.parametrize("n", SIZES)
def test_a_row_without_a_number_still_gives_an_index_inside_it(n):
    """No entry is above $-\\infty$ here: a row of NaN leaves no entry equal to the maximum
    to trace back, so each trace step falls through to its fallback (and NaN beside
    $-\\infty$ may), and the index must still be one of the row's."""
    rows = [np.full(n, np.nan), np.where(np.arange(n) % 2, np.nan, -np.inf)]
    for row in rows:
        m, k = _tree_max(row)
        assert np.isnan(m) or m == -np.inf
        assert 0 <= k < n


@pytest.mark.parametrize("n", [n for n in SIZES if n <= 1100])
def test_tree_sum_is_the_proven_grouping_bit_for_bit(n):
    rng = np.random.default_rng(n + 3)
    # A wide range of magnitudes, then rows of one binade: there most additions round, so
    # any other grouping (e.g. a fold where the proof reduces in lanes) gives another sum.
    rows = [rng.exponential(size=n) * np.exp(rng.normal(0.0, 5.0, n)), *rng.uniform(1, 2, (16, n))]
    for row in rows:
        got = _tree.tree_sum(row, np.empty(_tree.scratch_size(n)))
        assert got == kernel_order([float(v) for v in row], operator.add)
