"""The conformance command on this project's and other libraries' functions."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from derivations import conform, peers
from derivations.properties import rowwise


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "derivations", "conform", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.claim("IMPL-7")
def test_conform_cli_runs_the_properties_that_section_modules_register():
    # Regression: without loading the registry the command saw only the accuracy
    # properties, and `--kind cross_entropy` checked nothing at all.
    result = _cli("softmax:cross_entropy", "--kind", "cross_entropy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "IMPL-7" in result.stdout and "2 of 2 verified properties hold" in result.stdout


@pytest.mark.claim("IMPL-4")
def test_conform_reports_scipys_log_softmax_zero_at_the_max_with_a_counterexample():
    result = _cli("scipy.special:log_softmax", "--kind", "log_softmax")
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "two_entries" in x and "float64" in x)
    assert line.startswith("✗ IMPL-4") and "got 0.0 (float64)" in line


def test_conform_refuses_a_spec_that_is_not_module_colon_function():
    result = _cli("scipy.special.softmax", "--kind", "softmax")
    assert result.returncode == 2 and "expected MODULE:FUNCTION" in result.stderr


def test_a_function_of_2d_arrays_only_is_checked_one_row_at_a_time():
    calls = []

    def two_d_only(x):
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError("needs a 2-D array")
        calls.append(x.shape)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    got = rowwise(two_d_only)(np.array([[0.0, 1.0], [2.0, 2.0]]))
    np.testing.assert_allclose(got, [[1 / (1 + np.e), np.e / (1 + np.e)], [0.5, 0.5]])
    assert calls == [(1, 2), (1, 2)]


@pytest.mark.parametrize("spec, kind", [p[1:] for p in peers.PEERS if p[0] == "this project"])
def test_this_projects_functions_satisfy_every_property_of_their_kind(spec, kind):
    results = conform.run(conform.load(spec), kind)
    failed = [f"{c.name}: {c.detail}" for _, c in results if not c.passed]
    assert results and not failed, failed


def test_jax_and_torch_peers_are_listed_and_shown_as_not_installed_when_absent(monkeypatch):
    specs = {spec for _, spec, _ in peers.PEERS}
    assert {"derivations.peers:jax_softmax", "derivations.peers:torch_softmax"} <= specs
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name in ("jax", "torch") else real(name)
    )
    assert not peers.available("derivations.peers:jax_logsumexp")
    assert not peers.available("derivations.peers:torch_softmax")
    assert peers.available("scipy.special:softmax")
    shown = peers.PeerResult("JAX", "derivations.peers:jax_log_softmax", "log_softmax", [])
    assert shown.display == "jax.nn.log_softmax"


def test_the_jax_adapters_compute_in_float64_when_jax_is_installed():
    pytest.importorskip("jax")  # JAX is in the bench extra only; the peers page says so
    q = peers.jax_softmax(np.array([[1.0, 2.0]]))
    assert q.dtype == np.float64
    # What is tested is that the arithmetic is float64 (JAX's accuracy is the peers page's
    # business): a float32 computation errs by about 2^-25 relative, far above 2^-40.
    exact = 1 / (1 + mpmath.e)
    assert abs(q[0, 0] - exact) / exact < 2.0**-40
    lse, sign = peers.jax_logsumexp(np.array([1.0, 2.0]), b=np.array([1.0, -1.0]), return_sign=True)
    assert sign == -1.0 and lse.dtype == np.float64
