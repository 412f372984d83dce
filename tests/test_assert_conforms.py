"""`derivations.assert_conforms`: the verified properties as an assertion in anyone's tests.

This project's functions pass it silently; a softmax that widens float32 to float64, one
that works in place and one that ignores `axis` each fail it, naming the claim and showing
the counterexample.
"""

from __future__ import annotations

import numpy as np
import pytest

import softmax as sm
from derivations import assert_conforms


def _widening(z, axis=-1):
    return sm.softmax(np.asarray(z, dtype=float), axis=axis)


def _in_place(z, axis=-1):
    z = np.asarray(z)
    z -= z.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def _last_axis_only(z, axis=-1):
    return sm.softmax(z, axis=-1)


@pytest.mark.parametrize("kind", ["softmax", "log_softmax", "logsumexp"])
def test_this_projects_functions_conform_silently(kind):
    assert assert_conforms(getattr(sm, kind), kind) is None


@pytest.mark.parametrize(
    ("func", "claim", "property_"),
    [
        (_widening, "IMPL-19", "float32 in, float32 out: got float64"),
        (_in_place, "IMPL-19", "input unmodified"),
        (_last_axis_only, "IMPL-19", "axis honoured: they differ by"),
    ],
    ids=["widens float32", "works in place", "ignores axis"],
)
def test_a_broken_softmax_fails_with_the_claim_and_its_counterexample(func, claim, property_):
    with pytest.raises(AssertionError) as info:
        assert_conforms(func, "softmax")
    message = str(info.value)
    assert f"{claim}  {property_}" in message, message


def test_dtypes_and_properties_narrow_the_run():
    assert_conforms(_widening, "softmax", dtypes=(np.float64,))  # its float32 fault unseen
    assert_conforms(_in_place, "softmax", properties=["the shape is kept (less the reduced axis)"])
    with pytest.raises(AssertionError, match="input unmodified"):
        assert_conforms(_in_place, "softmax", properties=["the input is left unmodified"])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: assert_conforms("softmax"), TypeError, "func must be callable, got str"),
        (lambda: assert_conforms(sm.softmax, "sigmoid"), ValueError, "kind must be one of"),
        (
            lambda: assert_conforms(sm.softmax, properties=["no such property"]),
            ValueError,
            r"unknown properties for kind 'softmax': \['no such property'\]",
        ),
    ],
    ids=["func not callable", "unknown kind", "unknown property"],
)
def test_bad_arguments_get_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
