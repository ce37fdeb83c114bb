"""Numbers quoted in the paper, as LaTeX macros generated from stored results.

Every number in ``paper.tex`` is a macro defined in ``paper/generated/numbers.tex``; none is
typed by hand. A macro holds a mean and the half-width of its 95% confidence interval,
``\\ensuremath{1{,}861 \\pm 5}``, rounded to the interval's precision (see
:func:`decimals_for`), or a plain value. Macro names are letters only (TeX's rule).
Generated tables (``.tex`` fragments) are collected here too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from btoagents.experiment.store import write_atomic_bytes
from btoagents.figures.stored import Estimate

NAME = re.compile(r"^[A-Za-z]+$")


def decimals_for(half_width: float, mean: float = math.nan) -> int:
    """Decimals that show the half-width to two significant digits when it starts with 1
    or 2, else to one (0.37 -> 0.4, 1.6 -> 1.6, 5.2 -> 5); 0 to 4 decimals.

    Without an interval (one replication, or none), three significant digits of ``mean``.
    """
    if not (math.isfinite(half_width) and half_width > 0):
        if not math.isfinite(mean) or mean == 0:
            return 0
        return max(0, min(4, 2 - math.floor(math.log10(abs(mean)))))
    exponent = math.floor(math.log10(half_width))
    digits = 2 if half_width / 10**exponent < 3 else 1
    return max(0, min(4, digits - 1 - exponent))


def number(x: float, decimals: int) -> str:
    """``x`` with ``decimals`` decimals and a thin-spaced thousands separator ``{,}``."""
    if not math.isfinite(x):
        return r"\text{n/a}"
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace(",", "{,}")


def ci(est: Estimate, scale: float = 1.0, decimals: int | None = None) -> str:
    """``mean \\pm half-width`` of ``est`` times ``scale``, in math mode."""
    est = est.scaled(scale)
    d = decimals if decimals is not None else decimals_for(est.half_width, est.mean)
    half = number(est.half_width, d) if math.isfinite(est.half_width) else ""
    if est.n < 2 or not half.strip("0.{,}"):
        return rf"\ensuremath{{{number(est.mean, d)}}}"  # no interval, or none at this precision
    return rf"\ensuremath{{{number(est.mean, d)} \pm {half}}}"


def value(x: float, decimals: int) -> str:
    """A plain number in math mode."""
    return rf"\ensuremath{{{number(x, decimals)}}}"


def share(x: float) -> str:
    """A share in [0, 1] with the decimals it needs (0.5, 0.875, 1), in math mode."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return rf"\ensuremath{{{text}}}"


@dataclass
class Generated:
    """Macros and table fragments for ``paper/generated/``."""

    macros: dict[str, tuple[str, str]] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, text: str, note: str = "") -> None:
        """Define ``\\name`` as ``text``; ``note`` says where it comes from (a comment)."""
        if not NAME.match(name):
            raise ValueError(f"macro name {name!r}: letters only")
        if name in self.macros:
            raise ValueError(f"macro \\{name} defined twice")
        self.macros[name] = (text, note)

    def add_ci(self, name: str, est: Estimate, note: str = "", scale: float = 1.0, **kw) -> None:
        self.add(name, ci(est, scale, **kw), note)

    def table(self, filename: str, tex: str) -> None:
        """A LaTeX fragment written as ``paper/generated/<filename>``."""
        self.tables[filename] = tex

    def numbers_tex(self, header: str) -> str:
        lines = [f"% {line}" for line in header.splitlines()]
        lines.append("% Do not edit: regenerate with `make figures` (btoagents figures).")
        for name, (text, note) in self.macros.items():
            if note:
                lines.append(f"% {note}")
            lines.append(rf"\newcommand{{\{name}}}{{{text}}}")
        return "\n".join(lines) + "\n"

    def write(self, folder: str | Path, header: str) -> list[Path]:
        """Write ``numbers.tex`` and every table into ``folder`` (atomically)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        files = {"numbers.tex": self.numbers_tex(header), **self.tables}
        for filename, text in files.items():
            path = folder / filename
            write_atomic_bytes(path, text.encode())
            out.append(path)
        return out


MACRO_LINE = re.compile(r"^\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}$")


def read_numbers(path: str | Path) -> dict[str, str]:
    """Macro name -> its text, from a generated ``numbers.tex``."""
    out = {}
    for line in Path(path).read_text().splitlines():
        m = MACRO_LINE.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def parse_ci(text: str) -> tuple[float, float]:
    """(mean, half-width) from a macro's text (half-width NaN when there is none)."""
    inner = text
    m = re.fullmatch(r"\\ensuremath\{(.*)\}", text)
    if m:
        inner = m.group(1)
    inner = inner.replace("{,}", "")
    parts = [p.strip() for p in inner.split(r"\pm")]
    mean = float(parts[0])
    half = float(parts[1]) if len(parts) > 1 else math.nan
    return mean, half
