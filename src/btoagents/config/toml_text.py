"""TOML text read safely: files and ``--set`` values are checked for size and nesting depth
(``MAX_TOML_BYTES``, ``MAX_TOML_DEPTH``: :mod:`btoagents.config.limits`) before any parser
sees them, and every failure is a one-line ConfigError naming the file or value."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from btoagents.config.limits import MAX_TOML_BYTES, MAX_TOML_DEPTH
from btoagents.config.messages import shown
from btoagents.errors import ConfigError


def read_text(path: Path, max_bytes: int = MAX_TOML_BYTES) -> str:
    """A text file's content, or a one-line ConfigError naming the file.

    A file over ``max_bytes`` bytes is refused before it is read.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ConfigError(
                f"{path}: {size:,} bytes; expected at most {max_bytes:,} bytes "
                "(scenario and experiment files are a few kilobytes)"
            )
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def look_up(path: Path) -> bool:
    """Whether ``path`` exists. A path the system cannot even look up (a name longer than it
    allows, say) is a one-line ConfigError, not an OSError."""
    try:
        return path.exists()
    except OSError as exc:
        raise ConfigError(f"{shown(str(path))}: cannot look up this path: {exc.strerror}") from None


# strings and comments (whose brackets do not nest) and the brackets themselves
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]',
    re.S,
)


def check_toml_text(text: str, label: str) -> None:
    """Refuse TOML text over ``MAX_TOML_BYTES`` bytes or nested deeper than
    ``MAX_TOML_DEPTH`` levels of arrays and inline tables, before any parser sees it."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TOML_BYTES:
        raise ConfigError(f"{label}: {size:,} bytes of TOML; expected at most {MAX_TOML_BYTES:,}")
    depth = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_TOML_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise ConfigError(
                    f"{label}: line {line}: arrays or inline tables nested deeper than "
                    f"{MAX_TOML_DEPTH} levels; expected a scenario's few levels"
                )
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)


def _document_depth(data: Any) -> int:
    """Levels of nested tables and arrays in a parsed document (iteratively: no recursion)."""
    deepest = 0
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_TOML_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def loads_checked(text: str, label: str) -> dict[str, Any]:
    """tomllib.loads after the size and depth checks; raises TOMLDecodeError as it does."""
    check_toml_text(text, label)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # a nesting the bracket scan did not see
        raise ConfigError(
            f"{label}: nested too deeply; expected at most {MAX_TOML_DEPTH} levels"
        ) from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:  # an integer of more than Python's 4,300 digits
        raise ConfigError(f"{label}: {str(exc).split(';')[0]}") from None
    if _document_depth(data) > MAX_TOML_DEPTH:
        raise ConfigError(f"{label}: tables nested deeper than {MAX_TOML_DEPTH} levels")
    return data


def parse_toml(text: str, label: str) -> dict[str, Any]:
    """Parse TOML text; a one-line ConfigError naming ``label`` when it is larger than
    ``MAX_TOML_BYTES``, nested deeper than ``MAX_TOML_DEPTH`` or malformed."""
    try:
        return loads_checked(text, label)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: malformed TOML: {exc}") from None
