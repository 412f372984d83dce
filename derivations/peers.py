"""Other libraries' softmax functions, run through the conformance checks (`conform`).

Each peer is a ``MODULE:FUNCTION`` spec and a kind. torch is a peer only where it is
installed (the ``bench`` extra); its functions take tensors, so thin adapters below call
them on NumPy arrays.
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
            return "torch." + name.removeprefix("torch_")
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


def available(spec: str) -> bool:
    module = spec.partition(":")[0]
    if module == "derivations.peers":
        return importlib.util.find_spec("torch") is not None
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
