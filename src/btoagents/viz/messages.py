"""Any exception as one line for the page: no traceback, no paths of the server's files.

The dashboard is served to people who do not run the server. Whatever goes wrong (a bad
setting, an overflow, a recursion, running out of memory, a bug), the page shows one short
line saying what happened, while the server keeps the traceback to itself.
"""

from __future__ import annotations

import os
import re

from btoagents.errors import BtoagentsError

#: longest message shown, in characters.
MAX_CHARS = 300

#: What some exceptions mean for a dashboard user when their own text says little.
PLAIN: dict[type[BaseException], str] = {
    MemoryError: "out of memory",
    RecursionError: "too deeply nested",
    OverflowError: "a number too large",
    ZeroDivisionError: "a division by zero",
}

# An absolute path of two or more parts (POSIX, or Windows with a drive letter), not part
# of a word or a URL: "/srv/x/y.py", 'C:\\x\\y'. "units/day" and "https://a/b" are kept.
_PATH = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"<>,;:()\[\]{}]+){2,}[/\\]?")


def _basename(match: re.Match[str]) -> str:
    name = os.path.basename(match.group(0).rstrip("/\\").replace("\\", "/"))
    return f"…/{name}" if name else "…"


def strip_paths(text: str) -> str:
    """``text`` with each absolute file path shortened to ``…/`` and its last part."""
    return _PATH.sub(_basename, text)


def one_line(exc: BaseException) -> str:
    """A one-line description of ``exc`` for the page.

    A :class:`~btoagents.errors.BtoagentsError` is the project's own message, written for
    the user; any other exception is named by its type and first line of text (or what the
    type means, when the text is empty). File paths are shortened to their last part, white
    space runs become one space, and the line is cut at :data:`MAX_CHARS` characters.
    """
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not break the page
        text = ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if not isinstance(exc, BtoagentsError):
        plain = next((v for k, v in PLAIN.items() if isinstance(exc, k)), None)
        name = type(exc).__name__
        if not text:
            text = f"{name}: {plain}" if plain else name
        elif plain and plain not in text:
            text = f"{name} ({plain}): {text}"
        else:
            text = f"{name}: {text}"
    text = re.sub(r"\s+", " ", strip_paths(text)).strip()
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1].rstrip() + "…"
    return text
