r"""Which entries form one slice: `axis` as an int, a tuple of ints, or None.

Every function computes on the slices of its input as the rows of an (O, M) array: the
axes of a slice are moved to the end and flattened, so that a slice over several axes is
one row of their $M = \prod_a n_a$ entries (claim IMPL-17: softmax over a tuple of axes
is softmax of the flattened slice, since its normaliser sums over every entry of it).
`None` means every axis, and a 0-d array is one slice of one entry whatever `axis` says
about its last (or first) axis, as in scipy.special and PyTorch.
"""

from __future__ import annotations

import math
import operator

import numpy as np


def _index(name, value, ndim):
    try:
        if isinstance(value, (bool, np.bool_)):  # refused, as NumPy does
            raise TypeError
        value = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name} must be an int, a tuple of ints or None, got {type(value).__name__}"
        ) from None
    if not -ndim <= value < ndim:
        raise ValueError(f"{name}={value} is out of range for an array of {ndim} dimension(s)")
    return value % ndim


def check_axes(name, axis, ndim):
    """`axis` as a sorted tuple of distinct non-negative axes below `ndim`.

    >>> check_axes("axis", -1, 3), check_axes("axis", (2, 0), 3), check_axes("axis", None, 2)
    ((2,), (0, 2), (0, 1))
    >>> check_axes("axis", -1, 0)   # a 0-d array is one slice
    ()
    """
    if axis is None:
        return tuple(range(ndim))
    if ndim == 0 and not isinstance(axis, (tuple, list)):
        try:  # a 0-d array is one slice, named by 0 or -1 as the one row of a 1-d array is
            _index(name, axis, 1)
        except ValueError:
            raise ValueError(
                f"{name}={axis} names no axis of a 0-d array: use 0, -1 or None"
            ) from None
        return ()
    if isinstance(axis, (tuple, list)):
        axes = tuple(_index(name, a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{name}={tuple(axis)} repeats an axis")
        return tuple(sorted(axes))
    return (_index(name, axis, ndim),)


class Slices:
    """The slices of `arr` along `axes` as the rows of an (O, M) array, and the way back.

    `rows` is a view where the slice axes are already last and contiguous in order.
    """

    def __init__(self, arr, axes):
        self.ndim, self.axes = arr.ndim, axes
        kept = [a for a in range(arr.ndim) if a not in axes]
        self.order = (*kept, *axes)
        moved = np.transpose(arr, self.order)
        self.moved_shape = moved.shape
        self.kept_shape = tuple(arr.shape[a] for a in kept)
        self.rows = moved.reshape(math.prod(self.kept_shape), math.prod(arr.shape[a] for a in axes))

    @property
    def in_place(self):
        """Whether the slice axes are already the last ones, in order (`rows` is a view)."""
        return self.order == tuple(range(self.ndim))

    def expand(self, rows_result):
        """An (O, M) result back in the input's shape and axis order."""
        moved = rows_result.reshape(self.moved_shape)
        return np.transpose(moved, np.argsort(self.order))

    def reduce(self, values, keepdims):
        """One value per slice, shaped as the input without (or with unit) slice axes."""
        values = values.reshape(self.kept_shape)
        if keepdims:
            values = np.expand_dims(values, self.axes)
        return values
