"""One Parquet part of a results folder: written atomically, read without surprises.

:func:`write_atomic_bytes` writes through a fsynced temporary file and a rename, so a file
is either whole or absent whatever moment the process is killed, and a write that fails
(a full disk) removes its temporary file. :func:`read_part` never raises: a part pyarrow
cannot read, or one without the columns every part has, comes back as :class:`Damaged`
with the reason.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

#: columns every part of run rows has; a part without them is damaged
PART_COLUMNS = ("run_key", "point", "arm", "replication", "status")


class DamagedResultsWarning(UserWarning):
    """A part of a results folder cannot be read and was skipped."""


@dataclass(frozen=True)
class Damaged:
    """A damaged file of a results folder and why it cannot be used."""

    path: Path
    reason: str


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a fsynced temporary file and a rename.

    When any step fails (a full disk, a kill by an exception) the temporary file is removed
    and ``path`` is left as it was.
    """
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):  # else the next sweep's open() removes it
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename in (None, str(tmp)):
            exc.filename = str(path)  # name the file meant, not its temporary one
        raise
    _fsync_dir(path.parent)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def read_part(
    path: Path, required: tuple[str, ...] = PART_COLUMNS, columns: list[str] | None = None
) -> pd.DataFrame | Damaged:
    """One part as a frame (``columns`` only, when given), or why it is damaged."""
    try:
        with pq.ParquetFile(path) as pf:
            missing = [c for c in required if c not in pf.schema_arrow.names]
            if missing:
                return Damaged(path, f"not a results part: no column(s) {', '.join(missing)}")
            return pf.read(columns=columns).to_pandas()
    except Exception as exc:  # noqa: BLE001 - whatever stops the read, the file is unusable
        return Damaged(path, _reason(exc))
