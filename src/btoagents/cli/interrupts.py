"""SIGINT and SIGTERM during a command: raised as :class:`Interrupted` in the main thread,
so that ``finally`` blocks store what the command holds, then reported in one line with
exit status 128 + the signal's number (130, 143)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised in the main thread so that ``finally`` blocks run: a sweep
    stores the runs it holds and closes its workers before the command exits."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, frame: object) -> NoReturn:
    # the first signal only: later ones are ignored while its cleanup stores what is held
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block SIGINT and SIGTERM raise :class:`Interrupted` (in the main thread
    only; a signal ignored by whoever started the command stays ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(sig, _raise_interrupted)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def report_interrupted(args: argparse.Namespace | None, exc: KeyboardInterrupt) -> int:
    """Print the one line of an interrupted command; return its exit status (128 + signal).

    A command's module may say what its line is (``interrupted_line``, e.g. a sweep's count
    of stored runs); otherwise the line names the command.
    """
    command = getattr(args, "command", None)
    describe = getattr(args, "interrupted_line", None)
    if describe is not None:
        line = describe(args)
    elif command:
        line = f"btoagents {command} stopped before it finished"
    else:
        line = "stopped before it started"
    print(f"interrupted: {line}", file=sys.stderr, flush=True)
    return 128 + getattr(exc, "signum", signal.SIGINT)
