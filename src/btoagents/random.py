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
    """One named stream: block-buffered uniform and exponential draws, plus the Generator.

    A block is stored reversed and handed out with ``list.pop()`` (one C call per draw, the
    cheapest way to hand out a buffered value in CPython); the values come out in the
    order the Generator made them.
    """

    __slots__ = ("gen", "name", "_u", "_e")

    def __init__(self, seed: int, name: str) -> None:
        self.name = name
        self.gen = np.random.Generator(np.random.PCG64(stream_seed(seed, name)))
        self._u: list[float] = []
        self._e: list[float] = []

    def uniform(self) -> float:
        """A U(0,1) draw."""
        try:
            return self._u.pop()
        except IndexError:
            self._u = self.gen.random(BLOCK)[::-1].tolist()
            return self._u.pop()

    def pair(self) -> tuple[float, float]:
        """Two U(0,1) draws, the same as two calls of :meth:`uniform` (one call on the
        per-order path instead of two)."""
        u = self._u
        if len(u) > 1:
            return u.pop(), u.pop()
        return self.uniform(), self.uniform()

    def exponential(self) -> float:
        """An exponential draw with mean 1."""
        try:
            return self._e.pop()
        except IndexError:
            self._e = self.gen.standard_exponential(BLOCK)[::-1].tolist()
            return self._e.pop()


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
