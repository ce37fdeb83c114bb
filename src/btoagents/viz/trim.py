"""Give the memory of freed runs back to the system.

A closed browser tab's run is freed by Python (solara closes the tab's session and collects
it), but the C allocator keeps the freed pages for later: each of the server's threads
has its own pool, and the server's resident memory would stay near its peak, one pool per
thread that ever ran a big step. After a garbage collection that freed a dashboard run,
:func:`install` makes the server ask glibc to hand its free pages back (``malloc_trim``).
Elsewhere (no glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from typing import Any

_lock = threading.Lock()
_freed = False  # a run was freed since the last trim
_installed = False


def _load_trim() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_malloc_trim = _load_trim()


def available() -> bool:
    """Whether this system's C library can give free memory back (glibc)."""
    return _malloc_trim is not None


def release_free_memory() -> bool:
    """Give the C allocator's free pages back to the system now; False where it cannot."""
    if _malloc_trim is None:
        return False
    _malloc_trim(0)
    return True


def note_freed() -> None:
    """Called when a dashboard run's chain is freed: trim after the collection that freed it."""
    global _freed
    _freed = True


def _after_collection(phase: str, info: dict[str, int]) -> None:
    """A ``gc.callbacks`` hook: at the end of a collection that freed a run, trim."""
    global _freed
    if phase != "stop" or not _freed:
        return
    with _lock:
        if not _freed:
            return
        _freed = False
    release_free_memory()


def install() -> None:
    """Trim after every garbage collection that freed a dashboard run (once per process)."""
    global _installed
    with _lock:
        if not _installed:
            gc.callbacks.append(_after_collection)
            _installed = True
