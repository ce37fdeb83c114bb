"""Importing a plugin named by an import path ``package.module:Name``.

The current working directory goes on ``sys.path`` first when it is not there (as an ASGI
server's app directory does): the ``btoagents`` console script and a ``dask worker`` do not
put it there, and a plugin module next to a scenario file should import when the command
runs from that folder.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
from typing import Any

#: ``package.module:Name`` or ``package.module:Outer.Inner`` (Python identifiers)
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
IMPORT_PATH = re.compile(rf"({_DOTTED}):({_DOTTED})")


class PluginImportError(ImportError):
    """A plugin's import path is malformed, its module does not import, or lacks the name."""


def is_import_path(spec: str) -> bool:
    """Whether ``spec`` is meant as an import path (it holds a ``:``), well formed or not."""
    return ":" in spec


def cwd_on_path() -> None:
    """Put the current working directory first on ``sys.path`` unless it is there already
    (as itself, or as ``""``, which stands for it)."""
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def import_object(spec: str) -> Any:
    """The object ``Name`` of module ``package.module`` for ``spec = "package.module:Name"``.

    Importing runs the module's code. Raises :class:`PluginImportError` with a one-line
    reason: a malformed path, a module that is not found or raises while importing (its
    exception's first line), or a missing name (with the closest public name of the module).
    """
    match = IMPORT_PATH.fullmatch(spec.strip())
    if match is None:
        raise PluginImportError(
            "expected an import path 'package.module:Name' (Python identifiers separated by "
            "dots, one ':')"
        )
    module_name, qualname = match.groups()
    cwd_on_path()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        raise PluginImportError(
            f"cannot import module {module_name!r}: no module named {missing!r} on sys.path "
            f"or in the working directory {os.getcwd()}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any error of the plugin's own code
        raise PluginImportError(
            f"importing module {module_name!r} raised {_first_line(exc)}"
        ) from None
    obj: Any = module
    for part in qualname.split("."):
        if not hasattr(obj, part):
            public = [n for n in dir(obj) if not n.startswith("_")]
            close = difflib.get_close_matches(part, public, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PluginImportError(f"module {module_name!r} has no attribute {qualname!r}{hint}")
        obj = getattr(obj, part)
    return obj
