"""Samplers of positive durations (service, lead and design times) with a given mean.

Each sampler is a small callable object drawing from one named stream; families:
exponential, deterministic, gamma and lognormal (the last two set by a coefficient of
variation ``cv``), all parameterised by their mean so that configs speak in days.
"""

from __future__ import annotations

import math

import numpy as np

from btoagents.random import BLOCK, Stream


class Duration:
    """A positive random duration with mean ``mean`` (days)."""

    __slots__ = ("mean", "kind", "cv", "_stream", "_buf")

    def __init__(self, kind: str, mean: float, stream: Stream, cv: float = 1.0) -> None:
        if kind not in ("exponential", "deterministic", "gamma", "lognormal"):
            raise ValueError(f"unknown distribution {kind!r}")
        self.kind = kind
        self.mean = float(mean)
        self.cv = float(cv)
        self._stream = stream
        self._buf: list[float] = []  # a block, reversed: handed out with pop()

    def _refill(self) -> None:
        gen: np.random.Generator = self._stream.gen
        if self.kind == "gamma":
            shape = 1.0 / (self.cv * self.cv)
            block = gen.gamma(shape, self.mean / shape, BLOCK)
        else:  # lognormal with the given mean and cv
            s2 = math.log1p(self.cv * self.cv)
            block = gen.lognormal(math.log(self.mean) - s2 / 2, math.sqrt(s2), BLOCK)
        self._buf = block[::-1].tolist()

    def __call__(self) -> float:
        kind = self.kind
        if kind == "exponential":
            return self.mean * self._stream.exponential()
        if kind == "deterministic" or self.mean == 0.0:
            return self.mean
        try:
            return self._buf.pop()
        except IndexError:
            self._refill()
            return self._buf.pop()
