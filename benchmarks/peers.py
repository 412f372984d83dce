"""The optional peers of the `functions` part, torch and JAX: one code path for both.

Each is a `Peer`: loaded with one thread where its library is installed, and otherwise kept
with its name and the note ``"<name> not installed"``, so that a row has the same fields
either way (`Peer.fields`: ``<name>_peer``, ``_s``, ``_ratio``, ``_target``, ``_met`` and
``_note``, the figures null where the peer is missing). Both are in the ``bench`` extra.

- **torch** (target ≤ 1.0, issue 9): `torch.softmax`, `torch.log_softmax` and
  `torch.logsumexp` on `torch.from_numpy(x)` (a view, no copy), ``dim=-1``; one thread by
  `torch.set_num_threads(1)` while the part runs, its count restored after.
- **JAX** (information, no target): `jax.nn.softmax`, `jax.nn.log_softmax` and
  `jax.scipy.special.logsumexp`, ``axis=-1``, float64 enabled (``jax_enable_x64``), on a
  `jax.numpy` array made once from x; each function is compiled for the array's shape and
  dtype by `jax.jit(...).lower(array).compile()` before the timing, and the timed call ends
  in `block_until_ready()` (JAX dispatches asynchronously: without it the time would be
  the dispatch's). XLA sizes its CPU thread pool once, when it makes its CPU client, from
  the environment: `PJRT_NPROC=1` (the pool's size; `--xla_cpu_multi_thread_eigen=false` in
  `XLA_FLAGS` is not enough, XLA splits a fused loop among the pool's threads) and
  ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false`` (Eigen's matrix products) are set before
  jax is imported and the client made, and the environment is restored after, so that the
  subprocesses of later parts do not inherit them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The optional peers, in the order of their fields and columns.
NAMES = ("torch", "jax")
#: Issue 9: at most torch's time (one thread each).
TORCH_TARGET = 1.0
#: Our functions, by the short name that the peers' share.
SHORT_NAMES = ("softmax", "log_softmax", "logsumexp")
JAX_NAMES = {
    "softmax": "jax.nn.softmax",
    "log_softmax": "jax.nn.log_softmax",
    "logsumexp": "jax.scipy.special.logsumexp",
}
#: The environment that gives XLA's CPU client one thread (read when the client is made).
XLA_ONE_THREAD = {"PJRT_NPROC": "1", "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}


def missing(name):
    """The note of a peer whose library is not installed."""
    return f"{name} not installed"


def met(value, target):
    """Whether `value` meets `target` (at most); None where either is missing."""
    return None if target is None or value is None else bool(value <= target)


@dataclass(frozen=True)
class Peer:
    """One optional peer: its functions' names, target, and (where installed) how to call it."""

    name: str  # the prefix of its fields in a row: "torch" or "jax"
    functions: dict[str, str]  # our short name -> the peer's function
    target: float | None  # at one thread; None: information
    prepare: Callable[[Any], Any] | None = None  # x -> the peer's array, once per array
    bind: Callable[[Any, str], Callable[[], Any]] | None = None  # (array, short) -> timed call
    threads: Callable[[], Any] = contextlib.nullcontext  # one thread while the part runs

    @property
    def note(self):
        return None if self.bind is not None else missing(self.name)

    def calls(self, x):
        """`short -> timed call` on the peer's form of `x`; empty where the peer is missing."""
        if self.bind is None:
            return {}
        array = self.prepare(x)
        return {short: self.bind(array, short) for short in self.functions}

    def fields(self, short, ours_s, seconds, one_thread=True):
        """A row's fields for this peer: its time `seconds` (None where missing), ratio, target."""
        target = self.target if one_thread else None
        ratio = None if seconds is None else ours_s / seconds
        return {
            f"{self.name}_peer": self.functions[short],
            f"{self.name}_s": seconds,
            f"{self.name}_ratio": ratio,
            f"{self.name}_target": target,
            f"{self.name}_met": met(ratio, target),
            f"{self.name}_note": self.note,
        }


def torch_peer():
    """torch, on `torch.from_numpy(x)` with one thread while the part runs; target ≤ 1.0."""
    names = {short: f"torch.{short}" for short in SHORT_NAMES}
    try:
        import torch
    except ImportError:
        return Peer("torch", names, TORCH_TARGET)

    @contextlib.contextmanager
    def threads():
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)

    def bind(t, short):
        return functools.partial(getattr(torch, short), t, dim=-1)

    return Peer("torch", names, TORCH_TARGET, torch.from_numpy, bind, threads)


def jax_peer():
    """JAX on a `jax.numpy` copy of x, each function compiled before its timing; no target."""
    jax = _import_jax_one_thread()
    if jax is None:
        return Peer("jax", JAX_NAMES, None)
    import jax.numpy as jnp
    import jax.scipy.special

    jitted = {
        "softmax": jax.jit(functools.partial(jax.nn.softmax, axis=-1)),
        "log_softmax": jax.jit(functools.partial(jax.nn.log_softmax, axis=-1)),
        "logsumexp": jax.jit(functools.partial(jax.scipy.special.logsumexp, axis=-1)),
    }

    def bind(array, short):
        compiled = jitted[short].lower(array).compile()  # once, before the timing
        return lambda: compiled(array).block_until_ready()

    return Peer("jax", JAX_NAMES, None, jnp.asarray, bind)


def _import_jax_one_thread():
    """jax with float64 and its CPU client made under `XLA_ONE_THREAD`; None if not installed."""
    if sys.modules.get("jax") is not None:
        warnings.warn(
            "jax was imported before the functions part: its CPU client may use every CPU",
            RuntimeWarning,
            stacklevel=3,
        )
    before = {key: os.environ.get(key) for key in XLA_ONE_THREAD}
    os.environ["PJRT_NPROC"] = XLA_ONE_THREAD["PJRT_NPROC"]
    os.environ["XLA_FLAGS"] = f"{before['XLA_FLAGS'] or ''} {XLA_ONE_THREAD['XLA_FLAGS']}".strip()
    try:
        import jax
    except ImportError:
        return None
    else:
        jax.config.update("jax_enable_x64", True)
        # Make the CPU client, and compile once so that XLA has read its flags, while the
        # environment says one thread.
        jax.jit(lambda a: a + 1)(jax.numpy.zeros(2)).block_until_ready()
        return jax
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@functools.cache
def load():
    """torch and JAX, each loaded once per process (JAX's threads are set when it loads)."""
    loaded = (torch_peer(), jax_peer())
    assert tuple(p.name for p in loaded) == NAMES
    return loaded
