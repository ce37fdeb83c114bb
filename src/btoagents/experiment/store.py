"""The result store of one experiment: a manifest and Parquet part-files, written atomically.

Layout of ``results/<experiment>/``::

    manifest.json        experiment text and hash, design, seeds, versions, platform, times
    parts/part-*.parquet one row per finished run (run key, factors, status, KPIs)
    timeseries/*.parquet optional sampled time series, one part per batch

Each part is written to a temporary file, flushed and fsynced, then renamed into place, so
a part is either whole or absent whatever moment the process is killed. A run is done when
its key is in some part with status 'ok' or 'failed' (a failure of the run itself); a
resumed sweep skips those keys. Runs stored as 'lost' (their worker died) are run again;
:func:`load_results` then keeps the newer row, so every run has exactly one row.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from btoagents.errors import BtoagentsError

PACKAGES = (
    "btoagents",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "SALib",
    "dask",
    "distributed",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


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
    """Write ``data`` to ``path`` through a fsynced temporary file and a rename."""
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class ResultStore:
    """Reads and writes one experiment's results folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.series = self.folder / "timeseries"
        self.manifest_path = self.folder / "manifest.json"
        self._counter = 0

    # -- manifest -----------------------------------------------------------------------
    def manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def open(self, manifest: dict[str, Any], new: bool = False) -> None:
        """Create the folder, or check that it belongs to the same experiment.

        A folder holding another version of the experiment is refused, unless ``new``:
        then it is moved aside to ``<folder>.<timestamp>`` (nothing stored is deleted).
        """
        old = self.manifest()
        if old is not None and old.get("experiment_hash") != manifest["experiment_hash"]:
            if not new:
                raise BtoagentsError(
                    f"{self.folder}: holds results of a different version of experiment "
                    f"{old.get('name')!r} (hash {old.get('experiment_hash')} != "
                    f"{manifest['experiment_hash']}); use --new to keep them aside and start again"
                )
            aside = self.folder.with_name(f"{self.folder.name}.{time.strftime('%Y%m%d-%H%M%S')}")
            shutil.move(str(self.folder), aside)
            old = None
        self.parts.mkdir(parents=True, exist_ok=True)
        for tmp in self.folder.rglob(".tmp-*"):
            tmp.unlink(missing_ok=True)  # debris of a killed writer: never a whole part
        if old is None:
            manifest = {
                **manifest,
                "created": _now(),
                "btoagents_versions": package_versions(),
                "platform": platform.platform(),
                "python": sys.version.split()[0],
            }
        else:
            manifest = {**old, "resumed": _now()}
        self.write_manifest(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_atomic_bytes(self.manifest_path, json.dumps(manifest, indent=2).encode())

    def update_manifest(self, **fields: Any) -> None:
        manifest = self.manifest() or {}
        manifest.update(fields)
        self.write_manifest(manifest)

    # -- rows -----------------------------------------------------------------------------
    def part_files(self) -> list[Path]:
        return sorted(self.parts.glob("part-*.parquet")) if self.parts.exists() else []

    def done_keys(self) -> set[str]:
        """Keys of every run stored as 'ok' or 'failed' ('lost' runs are to be run again)."""
        keys: set[str] = set()
        for part in self.part_files():
            table = pq.read_table(part, columns=["run_key", "status"]).to_pydict()
            keys.update(
                k for k, s in zip(table["run_key"], table["status"], strict=True) if s != "lost"
            )
        return keys

    def write_rows(self, rows: list[dict[str, Any]]) -> Path | None:
        """Store a batch of finished runs as one new part (atomically)."""
        if not rows:
            return None
        series = [r.pop("_timeseries") for r in rows if "_timeseries" in r]
        self._counter += 1
        name = f"part-{time.time_ns()}-{os.getpid()}-{self._counter:05d}.parquet"
        if series:
            self.series.mkdir(parents=True, exist_ok=True)
            flat = [rec for block in series for rec in block]
            self._write_table(self.series / name, pd.DataFrame(flat))
        path = self.parts / name
        self._write_table(path, pd.DataFrame(rows))
        return path

    @staticmethod
    def _write_table(path: Path, frame: pd.DataFrame) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
        write_atomic_bytes(path, sink.getvalue().to_pybytes())


def load_results(path: str | Path, timeseries: bool = False) -> pd.DataFrame:
    """All stored runs of an experiment (one row per run), or its time series.

    The Parquet parts can also be queried directly, e.g. with DuckDB:
    ``SELECT * FROM read_parquet('results/NAME/parts/*.parquet', union_by_name=true)``.
    """
    store = ResultStore(path)
    if not store.folder.exists():
        raise BtoagentsError(f"{path}: no such results folder")
    files = sorted(store.series.glob("part-*.parquet")) if timeseries else store.part_files()
    if not files:
        return pd.DataFrame()
    frames = [pq.read_table(f).to_pandas() for f in files]
    frame = pd.concat(frames, ignore_index=True)
    if not timeseries and "point" in frame.columns:
        # parts are in time order: a run lost and later run again keeps its newer row
        frame = frame.drop_duplicates("run_key", keep="last")
        frame = frame.sort_values(["point", "arm", "replication"], kind="stable")
    return frame.reset_index(drop=True)
