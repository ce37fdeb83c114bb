"""Runs one hostile :class:`~hostile.Case` through the real ``btoagents`` entry point in a
fresh working folder, and reports what a user would see: exit status, output lines, and
files written outside the results root."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hostile import OUT, RESULTS, Case

from btoagents.cli import main


@dataclass
class Outcome:
    """What one case did: exit status, stderr lines, stray files (outside the results root
    and the input folder)."""

    status: int
    stderr: list[str]
    stray: list[str]

    def problems(self, refuse: bool = False) -> list[str]:
        """Why this outcome is not a clean acceptance or a clean one-line refusal (or, when
        ``refuse``, not a clean refusal)."""
        found = []
        if refuse and self.status != 2:
            found.append(f"accepted (exit status {self.status}) but should be refused")
        if self.status not in (0, 2):
            found.append(f"exit status {self.status}")
        text = "\n".join(self.stderr)
        if "Traceback" in text:
            found.append("a traceback")
        errors = [line for line in self.stderr if line.startswith("error:")]
        others = [line for line in self.stderr if not line.startswith(("error:", "warning:"))]
        if self.status == 2 and (len(errors) != 1 or others):
            found.append(f"not one error line: {self.stderr[:5]}")
        if self.status == 0 and errors:
            found.append("an error line with exit status 0")
        if self.stray:
            found.append(f"files outside the results folder: {self.stray[:5]}")
        return found


def materialize(case: Case, work: Path) -> list[str]:
    """Write the case's files under ``work`` and return its argv with ``@OUT@`` resolved."""
    outside = str(work.parent / f"{work.name}-outside")
    (work / "in").mkdir(parents=True, exist_ok=True)
    for rel, body in case.files.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body.replace(OUT.encode(), outside.encode()))
    return [a.replace(OUT, outside) for a in case.argv]


def stray_files(work: Path) -> list[str]:
    """Files under ``work`` (and its ``-outside`` twin) that are neither inputs nor results."""
    allowed = (work / "in", work / RESULTS)
    found = [
        str(p.relative_to(work.parent))
        for p in work.rglob("*")
        if p.is_file() and not any(p.is_relative_to(a) for a in allowed)
    ]
    outside = work.parent / f"{work.name}-outside"
    if outside.exists():
        found.append(str(outside))
    return found


def run_case(case: Case) -> Outcome:
    """Run ``btoagents ARGV`` in-process in a fresh temporary working folder."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work"
        argv = materialize(case, work)
        err = io.StringIO()
        old = os.getcwd()
        os.chdir(work)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                try:
                    status = main(argv)
                except SystemExit as exc:  # argparse: --help or a usage error
                    status = exc.code if isinstance(exc.code, int) else 2
        finally:
            os.chdir(old)
        return Outcome(status, err.getvalue().splitlines(), stray_files(work))
