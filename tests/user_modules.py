"""A researcher's own plugin module, written into a test's working folder (imported by the
plugin tests), and the one-line check of the errors they expect."""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

#: the repository root (``examples`` is imported from here)
REPO = Path(__file__).resolve().parents[1]


def user_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, prefix: str
) -> Iterator[str]:
    """Write ``source`` as module ``PREFIX_<n>`` into ``tmp_path``, make that the working
    folder (the plugin registry imports from there) and yield the module's name; the
    module is forgotten afterwards. For a fixture: ``yield from user_module(...)``."""
    name = f"{prefix}_{zlib.crc32(str(tmp_path).encode())}"
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    yield name
    sys.modules.pop(name, None)


def one_line(exc: pytest.ExceptionInfo) -> str:
    """The error's message, asserting it is one line without a traceback."""
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text
