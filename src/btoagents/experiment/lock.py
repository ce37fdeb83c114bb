"""One writer per results folder: an OS-level lock on ``<folder>/sweep.lock``.

A sweep holds an exclusive :func:`fcntl.flock` on the lock file for as long as it writes
the folder. The operating system releases the lock when the process ends, however it ends
(return, exception, Ctrl-C, SIGKILL, power loss), so a lock is never stale and nobody ever
has to delete the file by hand. A second writer does not wait: it is refused at once with
the holder's process id, since sweeps can last hours and two sweeps of one folder would
run every run twice.

``flock`` is advisory and works between the processes of one machine (and on NFSv4, where
Linux maps it onto the server's locks); readers take no lock. On a system without
:mod:`fcntl` (Windows) the lock does nothing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from btoagents.errors import BtoagentsError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "sweep.lock"


class FolderBusyError(BtoagentsError):
    """Another process holds the folder's lock (the message names its pid)."""


def _holder(fd: int) -> str:
    """What the lock file says about its holder: ``pid N on HOST``, or that it is unknown."""
    try:
        text = os.pread(fd, 200, 0).decode(errors="replace").split()
    except OSError:
        text = []
    if len(text) >= 2 and text[0].isdigit():
        here = socket.gethostname()
        return f"pid {text[0]}" + ("" if text[1] == here else f" on {text[1]}")
    return "pid unknown: it has only just started"


@contextmanager
def folder_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder``'s write lock (creating the folder) for the ``with`` block.

    Raises:
        FolderBusyError: another process holds it.
        OSError: the folder or its lock file cannot be created (read-only, not a directory).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FolderBusyError(
                    f"{folder} is being written by another sweep ({_holder(fd)}); wait for it "
                    "to finish, or stop it, then run this again"
                ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        try:
            yield path
        finally:
            with suppress(OSError):
                os.ftruncate(fd, 0)  # the holder is gone; its pid would mislead
    finally:
        os.close(fd)  # releases the lock
