"""The ``btoagents`` console script's entry point.

Until the command line has loaded, a Ctrl-C or SIGTERM would end in a KeyboardInterrupt
traceback or a bare exit -15; here it is the same one line and exit status (130 for
SIGINT, 143 for SIGTERM) as an interruption of a command itself. Nothing has been written
at that point, so the process exits at once. Once loaded, :func:`btoagents.cli.main`
installs its own handlers; the scientific stack (numpy, pandas, Mesa, ...) is imported
after that, by the command that needs it, so a signal during that import is reported as
the command's interruption.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _stop_while_loading(signum: int, frame: FrameType | None) -> None:
    print("interrupted: btoagents stopped while starting; nothing was written", file=sys.stderr)
    sys.stderr.flush()
    os._exit(128 + signum)


def install_loading_handlers() -> None:
    """SIGINT and SIGTERM end the process with one line until the CLI takes over."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:  # keep what the parent ignored
            signal.signal(sig, _stop_while_loading)


def main() -> int:
    """Run ``btoagents`` with the command line from ``sys.argv``."""
    install_loading_handlers()
    from btoagents.cli import main as cli_main

    return cli_main()
