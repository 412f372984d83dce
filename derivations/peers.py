"""Other libraries' softmax functions, run through the conformance checks (`conform`).

Each peer is a ``MODULE:FUNCTION`` spec and a kind. torch and JAX are peers only where they
are installed (the ``bench`` extra); their functions take tensors, so thin adapters below
call them on NumPy arrays (JAX with float64 enabled, as a user wanting float64 sets it).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from derivations import conform


@dataclass(frozen=True)
class PeerResult:
    label: str
    spec: str
    kind: str
    results: list  # [(conform.Property, Check)]

    @property
    def display(self) -> str:
        """The function as its users call it (torch's through the adapters below)."""
        module, _, name = self.spec.partition(":")
        if module == "derivations.peers":
            library, _, function = name.partition("_")
            return {"torch": "torch.", "jax": "jax.nn."}[library] + function
        return f"{module}.{name}"

    @property
    def held(self) -> int:
        return sum(check.passed for _, check in self.results)


PEERS = (  # (who, MODULE:FUNCTION, kind)
    ("this project", "softmax:softmax", "softmax"),
    ("this project", "softmax:log_softmax", "log_softmax"),
    ("this project", "softmax:logsumexp", "logsumexp"),
    ("SciPy", "scipy.special:softmax", "softmax"),
    ("SciPy", "scipy.special:log_softmax", "log_softmax"),
    ("SciPy", "scipy.special:logsumexp", "logsumexp"),
    ("scikit-learn", "sklearn.utils.extmath:softmax", "softmax"),
    ("PyTorch", "derivations.peers:torch_softmax", "softmax"),
    ("PyTorch", "derivations.peers:torch_log_softmax", "log_softmax"),
    ("PyTorch", "derivations.peers:torch_logsumexp", "logsumexp"),
    ("JAX", "derivations.peers:jax_softmax", "softmax"),
    ("JAX", "derivations.peers:jax_log_softmax", "log_softmax"),
    ("JAX", "derivations.peers:jax_logsumexp", "logsumexp"),
)


def _torch(name, z, axis):
    import torch

    # np.array(order="C"), not np.ascontiguousarray, which would make a 0-d input 1-d.
    tensor = torch.from_numpy(np.array(z, order="C", copy=None))
    return getattr(torch, name)(tensor, dim=axis).numpy()


def torch_softmax(z, axis=-1):
    """`torch.softmax` on a NumPy array (keeps its dtype)."""
    return _torch("softmax", z, axis)


def torch_log_softmax(z, axis=-1):
    """`torch.log_softmax` on a NumPy array."""
    return _torch("log_softmax", z, axis)


def torch_logsumexp(z, axis=-1):
    """`torch.logsumexp` on a NumPy array."""
    return _torch("logsumexp", z, axis)


def _jax(name, z, **kwargs):
    import jax

    # float64 as a JAX user gets it: without x64, JAX computes float64 input in float32.
    jax.config.update("jax_enable_x64", True)
    module, _, attr = name.rpartition(".")
    function = getattr(importlib.import_module(module), attr)
    result = function(jax.numpy.asarray(z), **kwargs)
    return tuple(np.asarray(r) for r in result) if isinstance(result, tuple) else np.asarray(result)


def jax_softmax(z, axis=-1):
    """`jax.nn.softmax` on a NumPy array (with float64 enabled)."""
    return _jax("jax.nn.softmax", z, axis=axis)


def jax_log_softmax(z, axis=-1):
    """`jax.nn.log_softmax` on a NumPy array (with float64 enabled)."""
    return _jax("jax.nn.log_softmax", z, axis=axis)


def jax_logsumexp(z, axis=-1, b=None, keepdims=False, return_sign=False):
    """`jax.scipy.special.logsumexp` on a NumPy array (with float64 enabled)."""
    kwargs = {"axis": axis, "b": b, "keepdims": keepdims, "return_sign": return_sign}
    return _jax("jax.scipy.special.logsumexp", z, **kwargs)


def available(spec: str) -> bool:
    module, _, name = spec.partition(":")
    if module == "derivations.peers":
        return importlib.util.find_spec(name.partition("_")[0]) is not None
    return importlib.util.find_spec(module.partition(".")[0]) is not None


def run_all() -> tuple[list[PeerResult], list[str]]:
    """Conformance of every installed peer, and the specs left out as not installed."""
    done, missing = [], []
    for label, spec, kind in PEERS:
        if not available(spec):
            missing.append(spec)
            continue
        done.append(PeerResult(label, spec, kind, conform.run(conform.load(spec), kind)))
    return done, missing
