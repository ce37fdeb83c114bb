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
        self.started = time.perf_counter()
        self._last = self.started
        #: a short status shown after the counts (a search's best so far), "" for none
        self.note = ""
        self._bar = None
        self._start_bar()

    def _start_bar(self) -> None:
        """A live bar, on a terminal, once there is something to count."""
        if self._bar is not None or not self.stream.isatty() or self.total <= 0:
            return
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
        self._task = self._bar.add_task(
            self.label, total=self.total, failed=0, rate="", note=self.note
        )
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

    def extend(self, runs: int, label: str | None = None) -> None:
        """Add ``runs`` to the total (a procedure that decides its runs as it goes, such as
        a selection) and, when given, change the label (say, the best arm so far)."""
        self.total += runs
        if label is not None:
            self.label = label
        if self._bar is not None:
            self._bar.update(self._task, total=self.total, description=self.label)
        else:
            self._start_bar()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
