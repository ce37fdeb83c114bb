"""Which btoagents produced a result: its version and, run from a git checkout, its commit.

The version is :data:`btoagents.__version__` (the one place it is written; the package
metadata reads it from there). The commit is asked of ``git`` only when this package is the
``src/btoagents`` folder of a git working tree, so an installed copy that merely sits inside
some other repository (a virtual environment inside a checkout) reports no commit rather than
a wrong one. Nothing here raises: without git, outside a checkout or on any git error the
commit is ``None``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from btoagents import __version__

#: this package's folder (``.../src/btoagents`` in a checkout)
PACKAGE_DIR = Path(__file__).resolve().parent

#: seconds a git query may take before the commit is reported as unknown
GIT_TIMEOUT = 10.0


def _git(args: list[str], cwd: Path) -> str | None:
    """The stripped output of ``git ARGS`` run in ``cwd``; None on any failure."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def checkout_root(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The root of the git working tree whose ``src/btoagents`` is ``package_dir``, if any."""
    if not package_dir.is_dir():
        return None
    top = _git(["rev-parse", "--show-toplevel"], package_dir)
    if not top:
        return None
    root = Path(top).resolve()
    return root if (root / "src" / package_dir.name).resolve() == package_dir.resolve() else None


def git_commit(package_dir: Path = PACKAGE_DIR) -> str | None:
    """The commit (40 hex digits) checked out where ``package_dir`` lives, else None."""
    root = checkout_root(package_dir)
    if root is None:
        return None
    sha = _git(["rev-parse", "HEAD"], root)
    return sha if sha and len(sha) == 40 else None


def git_dirty(package_dir: Path = PACKAGE_DIR) -> bool | None:
    """Whether tracked files differ from that commit (None outside a checkout)."""
    root = checkout_root(package_dir)
    if root is None:
        return None
    status = _git(["status", "--porcelain", "--untracked-files=no"], root)
    return None if status is None else bool(status)


def build_info(package_dir: Path = PACKAGE_DIR) -> dict[str, Any]:
    """``btoagents_version``, ``git_commit`` and ``git_dirty``, as a results manifest
    records them (the last two None when not run from a checkout)."""
    return {
        "btoagents_version": __version__,
        "git_commit": git_commit(package_dir),
        "git_dirty": git_dirty(package_dir),
    }
