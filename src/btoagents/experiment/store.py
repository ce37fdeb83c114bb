"""The result store of one experiment: a manifest and Parquet part-files, written atomically.

Layout of ``results/<experiment>/``::

    manifest.json        experiment text and hash, design, seeds, versions (btoagents' own and
                         its git commit when run from a checkout), platform, and
                         ``sweeps``: one entry per sweep (start, end, runs ran / ok / failed /
                         lost, --retry-failed or not, interrupted or not)
    sweep.lock           locked by the one sweep writing the folder (see below)
    parts/part-*.parquet one row per finished run (run key, factors, status, KPIs)
    timeseries/*.parquet optional sampled time series, one part per batch, named as its part
    quarantine/          damaged parts and manifests, set aside by a sweep
    analysis/            tables written by ``btoagents analyze``

**Atomic parts.** Each part is written to a temporary file, flushed and fsynced, then
renamed into place, so a part is either whole or absent whatever moment the process is
killed; a write that fails (a full disk) removes its temporary file. A run is done when its
newest row has status 'ok' or 'failed' (a failure of the run itself); a resumed sweep skips
those keys. Runs whose newest row is 'lost' (their worker died) run again, and so do
'failed' ones when the sweep is asked to retry them; :func:`load_results` keeps the newest
row of each run, so every run has exactly one row.

**One writer.** A sweep holds an OS-level lock (``fcntl.flock``) on ``sweep.lock`` for as
long as it writes (:mod:`btoagents.experiment.lock`). The OS releases it when the process
ends, even by SIGKILL, so it is never stale; a second sweep of the same folder is refused
in one line naming the holder's pid. Readers (``status``, ``analyze``, :func:`load_results`)
take no lock: parts appear by an atomic rename, so readers only ever see whole parts.

**Damage.** A part pyarrow cannot read, or one without the columns every part has, is
damaged (:mod:`btoagents.experiment.parts`); so is a manifest that is not a JSON object
with :data:`MANIFEST_KEYS`. Readers skip a damaged part with a ``DamagedResultsWarning``
naming the file and never move anything: they may lack write permission, and changing the
folder is the business of its one writer. A sweep, under the lock, moves damaged parts
(with their time-series part) and a damaged manifest into ``quarantine/``; their runs are
then simply missing and run again, and the manifest is rebuilt from the experiment file
once every stored run is found to belong to that file.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Collection
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from btoagents.build_info import build_info
from btoagents.errors import BtoagentsError, ConfigError
from btoagents.experiment.lock import LOCK_NAME, folder_lock
from btoagents.experiment.parts import (
    Damaged,
    DamagedResultsWarning,
    read_part,
    write_atomic_bytes,
)

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
    "optuna",
)
#: keys every manifest has; a manifest without them is damaged
MANIFEST_KEYS = ("name", "experiment_hash", "runs_total")
QUARANTINE = "quarantine"


class DamagedManifestError(BtoagentsError):
    """A results folder's manifest.json cannot be read or is not a manifest."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages whose behaviour the results depend on."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


class ResultStore:
    """Reads and writes one experiment's results folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.series = self.folder / "timeseries"
        self.quarantine = self.folder / QUARANTINE
        self.manifest_path = self.folder / "manifest.json"
        self._counter = 0

    def lock(self) -> AbstractContextManager[Path]:
        """The folder's write lock, held for the ``with`` block (creates the folder).

        Raises :class:`~btoagents.experiment.lock.FolderBusyError` (one line naming the
        holder's pid) when another process holds it, and OSError when the folder cannot be
        written.
        """
        return folder_lock(self.folder)

    # -- manifest -----------------------------------------------------------------------
    def manifest(self) -> dict[str, Any] | None:
        """The manifest; None when there is none; :class:`DamagedManifestError` when unusable."""
        try:
            data = self.manifest_path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise DamagedManifestError(self._manifest_damage(f"cannot read: {exc}")) from None
        try:
            manifest = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DamagedManifestError(self._manifest_damage(f"not JSON: {exc}")) from None
        if not isinstance(manifest, dict):
            raise DamagedManifestError(self._manifest_damage("not a JSON object"))
        missing = [k for k in MANIFEST_KEYS if k not in manifest]
        if missing or not isinstance(manifest["runs_total"], int):
            raise DamagedManifestError(
                self._manifest_damage(f"no valid {', '.join(missing or ['runs_total'])}")
            )
        return manifest

    def require_manifest(self) -> dict[str, Any]:
        """The manifest, for readers: a missing or damaged one is a one-line error."""
        manifest = self.manifest()
        if manifest is not None:
            return manifest
        if self.part_files():
            raise ConfigError(
                f"{self.folder}: no manifest.json (a damaged one is set aside in "
                f"{self.quarantine}/); a sweep of the experiment file rebuilds it"
            )
        raise ConfigError(f"{self.folder}: no manifest.json (not a results folder)")

    def _manifest_damage(self, reason: str) -> str:
        return (
            f"{self.manifest_path}: damaged ({reason}); a sweep of the experiment file sets "
            f"it aside in {self.quarantine}/ and rebuilds it"
        )

    def open(
        self,
        manifest: dict[str, Any],
        new: bool = False,
        expected_keys: Collection[str] | None = None,
    ) -> None:
        """Create the folder, or repair it and check that it belongs to the same experiment.

        Writers only, holding :meth:`lock`. Removes the temporary files of killed writers,
        sets damaged parts and a damaged manifest aside in ``quarantine/`` (with a warning
        naming each), and refuses a folder holding another version of the experiment: a
        manifest with another hash, or (``expected_keys`` given) stored runs that are not
        among ``expected_keys``. With ``new`` such a folder's content is moved aside to
        ``<folder>.<timestamp>`` instead (nothing stored is deleted).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_debris()
        rebuilt = None
        try:
            old = self.manifest()
        except DamagedManifestError as exc:
            rebuilt = str(self._set_aside(self.manifest_path))
            source = manifest.get("experiment_file", "the experiment file")
            _warn(f"{str(exc).split(';')[0]}; set aside as {rebuilt}, rebuilt from {source}")
            old = None
        if old is not None and old.get("experiment_hash") != manifest["experiment_hash"]:
            if not new:
                raise BtoagentsError(
                    f"{self.folder}: holds results of a different version of experiment "
                    f"{old.get('name')!r} (hash {old.get('experiment_hash')} != "
                    f"{manifest['experiment_hash']}); use --new to keep them aside and start again"
                )
            self._move_aside()
            old = None
        self._quarantine_damaged()
        if expected_keys is not None:
            stray = self.stored_keys() - set(expected_keys)
            if stray and not new:
                raise BtoagentsError(
                    f"{self.folder}: holds {len(stray)} runs that are not runs of this "
                    "experiment file (its manifest.json was missing or damaged); use --new "
                    "to keep them aside and start again"
                )
            if stray:
                self._move_aside()
        self.parts.mkdir(parents=True, exist_ok=True)
        if old is None:
            manifest = {
                **manifest,
                "created": _now(),
                **build_info(),
                "btoagents_versions": package_versions(),
                "platform": platform.platform(),
                "python": sys.version.split()[0],
            }
            if rebuilt:
                manifest["rebuilt"] = {"at": _now(), "damaged_manifest": rebuilt}
        else:
            manifest = {**old, "resumed": _now()}
        self.write_manifest(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        write_atomic_bytes(self.manifest_path, json.dumps(manifest, indent=2).encode())

    def update_manifest(self, **fields: Any) -> None:
        """Set top-level fields of the manifest (writers only)."""
        manifest = self.manifest() or {}
        manifest.update(fields)
        self.write_manifest(manifest)

    def begin_attempt(self, **fields: Any) -> None:
        """Append one sweep's entry (its start, settings, and the btoagents version and git
        commit that ran it: a resumed sweep may run other code) to the manifest's ``sweeps``."""
        manifest = self.manifest() or {}
        entry = {"started": _now(), "finished": None, "pid": os.getpid(), **build_info()}
        entry.update(fields)
        manifest["sweeps"] = [*manifest.get("sweeps", []), entry]
        self.write_manifest(manifest)

    def end_attempt(self, **fields: Any) -> None:
        """Complete the last ``sweeps`` entry: its end time and ``fields`` (what it did)."""
        manifest = self.manifest() or {}
        sweeps = manifest.get("sweeps") or [{}]
        sweeps[-1] = {**sweeps[-1], "finished": _now(), **fields}
        manifest["sweeps"] = sweeps
        self.write_manifest(manifest)

    # -- repair (writers only, under the lock) ---------------------------------------------
    def _remove_debris(self) -> None:
        """Temporary files of killed or failed writers: never a whole part."""
        for tmp in self.folder.rglob(".tmp-*"):
            tmp.unlink(missing_ok=True)
        if self.series.is_dir():
            names = {p.name for p in self.part_files()}
            for part in self.series.glob("part-*.parquet"):
                if part.name not in names:
                    part.unlink()  # a writer killed between a batch's two files: runs again

    def _set_aside(self, path: Path) -> Path:
        """Move a damaged file into ``quarantine/`` (never over an earlier one)."""
        first = self.quarantine / path.relative_to(self.folder)
        if path == self.manifest_path:
            first = self.quarantine / f"manifest-{time.strftime('%Y%m%d-%H%M%S')}.json"
        dest, n = first, 1
        while dest.exists():
            n += 1
            dest = first.with_name(f"{first.stem}-{n}{first.suffix}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
        return dest

    def _quarantine_damaged(self) -> None:
        for damaged in self._scan()[1]:
            series = self.series / damaged.path.name
            moved = [
                self._set_aside(p) for p in (self.parts / damaged.path.name, series) if p.exists()
            ]
            _warn(
                f"{damaged.path}: damaged ({damaged.reason}); set aside in {self.quarantine}/ "
                f"({len(moved)} file(s)), its runs run again"
            )

    def _move_aside(self) -> None:
        """Move the folder's content (all but the lock file) to ``<folder>.<timestamp>``."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.folder.with_name(f"{self.folder.name}.{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.folder.with_name(f"{self.folder.name}.{stamp}-{n}")
        aside.mkdir()
        for child in list(self.folder.iterdir()):
            if child.name != LOCK_NAME:
                os.replace(child, aside / child.name)

    # -- rows -----------------------------------------------------------------------------
    def part_files(self) -> list[Path]:
        """The run parts, oldest first (their names start with the time they were written)."""
        return sorted(self.parts.glob("part-*.parquet")) if self.parts.is_dir() else []

    def _scan(
        self, columns: list[str] | None = None
    ) -> tuple[list[tuple[Path, pd.DataFrame]], list[Damaged]]:
        """Every run part read (``columns`` only, when given), and the damaged ones, in order.

        A damaged time-series part counts as damage of its run part: both are set aside
        together, so the runs run again and get their time series back.
        """
        good, damaged = [], []
        for path in self.part_files():
            frame = read_part(path, columns=columns)
            series = self.series / path.name
            if isinstance(frame, pd.DataFrame) and series.exists():
                check = read_part(series, ("run_key",), columns=["run_key"])
                if isinstance(check, Damaged):
                    frame = Damaged(path, f"its time series {series} is damaged: {check.reason}")
            if isinstance(frame, Damaged):
                damaged.append(frame)
            else:
                good.append((path, frame))
        return good, damaged

    def stored_keys(self) -> set[str]:
        """Keys of every run with a row in a readable part, whatever its status."""
        return {k for _, f in self._scan(["run_key"])[0] for k in f["run_key"]}

    def latest_status(self) -> dict[str, str]:
        """Each stored run's newest status (damaged parts skipped)."""
        latest: dict[str, str] = {}
        for _, frame in self._scan(["run_key", "status"])[0]:
            latest.update(zip(frame["run_key"], frame["status"], strict=True))
        return latest

    def done_keys(self, retry_failed: bool = False) -> set[str]:
        """Keys of runs that need not run again: newest row 'ok', or 'failed' unless
        ``retry_failed`` ('lost' runs are always run again)."""
        keep = {"ok"} if retry_failed else {"ok", "failed"}
        return {k for k, s in self.latest_status().items() if s in keep}

    def load(self, timeseries: bool = False) -> tuple[pd.DataFrame, list[Damaged]]:
        """Like :func:`load_results`, also returning the damaged parts it skipped (and
        warning about each)."""
        good, damaged = self._scan()
        frames: list[pd.DataFrame | Damaged] = [f for _, f in good]
        if timeseries:
            series = [self.series / p.name for p, _ in good]
            frames = [read_part(s, ("run_key",)) for s in series if s.exists()]
            damaged += [f for f in frames if isinstance(f, Damaged)]
        for d in damaged:
            _warn(
                f"{d.path}: damaged ({d.reason}); skipped: its runs count as missing until "
                "a sweep sets it aside and runs them again",
                stacklevel=3,
            )
        frames = [f for f in frames if isinstance(f, pd.DataFrame)]
        if not frames:
            return pd.DataFrame(), damaged
        frame = pd.concat(frames, ignore_index=True)
        if not timeseries:
            # parts are in time order: a run lost or failed and run again keeps its newer row
            frame = frame.drop_duplicates("run_key", keep="last")
            frame = frame.sort_values(["point", "arm", "replication"], kind="stable")
        return frame.reset_index(drop=True), damaged

    def write_rows(self, rows: list[dict[str, Any]]) -> Path | None:
        """Store a batch of finished runs as one new part (atomically); ``rows`` is left as
        it was, so a batch whose write failed can be written again."""
        if not rows:
            return None
        series = [r["_timeseries"] for r in rows if "_timeseries" in r]
        rows = [{k: v for k, v in r.items() if k != "_timeseries"} for r in rows]
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


def _warn(message: str, stacklevel: int = 2) -> None:
    warnings.warn(message, DamagedResultsWarning, stacklevel=stacklevel + 1)


def load_results(path: str | Path, timeseries: bool = False) -> pd.DataFrame:
    """All stored runs of an experiment (one row per run: the newest), or their time series.

    A sweep's folder and a selection's (``btoagents select``) have the same layout and
    load alike; a selection's runs are one design point (0), each arm with the
    replications the procedure gave it.

    Damaged parts are skipped with a :class:`DamagedResultsWarning` naming each file.
    The Parquet parts can also be queried directly, e.g. with DuckDB; a run lost or failed
    and run again has several rows there, the newest in the part whose name sorts last::

        SELECT * FROM read_parquet('results/NAME/parts/*.parquet', union_by_name=true,
                                   filename=true)
        QUALIFY row_number() OVER (PARTITION BY run_key ORDER BY filename DESC) = 1
    """
    store = ResultStore(path)
    if not store.folder.is_dir():
        raise BtoagentsError(f"{path}: no such results folder")
    return store.load(timeseries)[0]
