"""Named random streams from one seed, for common random numbers.

Every stochastic source (``demand``, ``customer_choice``, ``routing``, ``production``, ...)
draws from its own ``numpy.random.Generator``, spawned from one ``SeedSequence`` with a
spawn key derived from the stream's name. Two policies run under the same seed therefore see
the same arrival times and the same customers' choices, whatever else they do differently.

Draws are taken in blocks (numpy is fast per block, slow per scalar) and handed out one at a
time; the block size is fixed, so a run is bit-identical for the same seed.
"""

from __future__ import annotations

import zlib

import numpy as np

BLOCK = 4096


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The SeedSequence of stream ``name`` under root ``seed`` (stable across runs/machines)."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode()),))


class Stream:
    """One named stream: block-buffered uniform and exponential draws, plus the Generator."""

    __slots__ = ("gen", "name", "_u", "_ui", "_e", "_ei")

    def __init__(self, seed: int, name: str) -> None:
        self.name = name
        self.gen = np.random.Generator(np.random.PCG64(stream_seed(seed, name)))
        self._u: list[float] = []
        self._ui = 0
        self._e: list[float] = []
        self._ei = 0

    def uniform(self) -> float:
        """A U(0,1) draw."""
        i = self._ui
        if i >= len(self._u):
            self._u = self.gen.random(BLOCK).tolist()
            i = 0
        self._ui = i + 1
        return self._u[i]

    def exponential(self) -> float:
        """An exponential draw with mean 1."""
        i = self._ei
        if i >= len(self._e):
            self._e = self.gen.standard_exponential(BLOCK).tolist()
            i = 0
        self._ei = i + 1
        return self._e[i]


class Streams:
    """The set of named streams of one replication, created on first use."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, Stream] = {}

    def __getitem__(self, name: str) -> Stream:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = Stream(self.seed, name)
        return stream


def replication_seed(root: int, replication: int) -> int:
    """Seed of replication ``replication`` under root seed ``root`` (independent streams)."""
    ss = np.random.SeedSequence(entropy=root, spawn_key=(replication,))
    return int(ss.generate_state(1, dtype=np.uint32)[0])
