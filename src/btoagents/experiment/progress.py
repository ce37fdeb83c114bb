"""Sweep progress: a live bar on a terminal, plain periodic lines otherwise (CI, logs).

A search sets :attr:`Progress.note` (its best candidate so far), shown after the counts.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts finished runs and reports done, failed, rate and ETA."""

    def __init__(
        self, total: int, label: str, stream: TextIO | None = None, every: float = 10.0
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.every = every
        self.done = 0
        self.failed = 0
        #: a short status shown after the counts (a search's best so far), "" for none
        self.note = ""
        self.started = time.perf_counter()
        self._last = self.started
        self._bar = None
        if self.stream.isatty() and total > 0:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed, {task.fields[rate]}"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[note]}"),
            )
            self._task = self._bar.add_task(label, total=total, failed=0, rate="", note="")
            self._bar.start()

    def line(self) -> str:
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        note = f"; {self.note}" if self.note else ""
        return (
            f"{self.label}: {self.done}/{self.total} runs, {self.failed} failed, "
            f"{rate:.2f} runs/s, ETA {eta:.0f} s{note}"
        )

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += int(failed)
        if self._bar is not None:
            elapsed = time.perf_counter() - self.started
            rate = f"{self.done / elapsed:.2f} runs/s" if elapsed > 0 else ""
            self._bar.update(self._task, advance=1, failed=self.failed, rate=rate, note=self.note)
            return
        now = time.perf_counter()
        if now - self._last >= self.every or self.done == self.total:
            self._last = now
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
