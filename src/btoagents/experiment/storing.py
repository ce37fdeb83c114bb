"""Running tasks into a results folder: what a sweep, a search and a selection share.

:func:`run_into_store` runs a list (or a feed) of
:class:`~btoagents.experiment.runs.RunTask` on an executor and writes the finished runs in
small atomic batches as they arrive, so an interruption keeps every run finished before
it. :func:`attempt` holds one attempt (one sweep, search or ``select`` command, which may
call :func:`run_into_store` many times) and records in the manifest how it ended
(:func:`end_attempt`). :func:`writing` turns an OSError of the store into one line naming
the path.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from btoagents.errors import BtoagentsError
from btoagents.experiment.executors import ExecStats, run_dask, run_process, run_serial
from btoagents.experiment.progress import Progress
from btoagents.experiment.runs import RunTask
from btoagents.experiment.store import ResultStore

EXECUTORS = ("serial", "process", "dask")
BATCH_ROWS = 25
BATCH_SECONDS = 5.0


@contextmanager
def writing(folder: Path, running: bool = False) -> Iterator[None]:
    """Turn an OSError of the store into one line naming the path (nothing stored is lost)."""
    try:
        yield
    except OSError as exc:
        kept = "; the runs stored so far are kept" if running else ""
        raise BtoagentsError(
            f"{exc.filename or folder}: cannot write the results: {exc.strerror or exc}{kept}"
        ) from None


def run_into_store(
    store: ResultStore,
    tasks: Iterable[RunTask],
    executor: str,
    workers: int | None,
    scheduler: str | None,
    progress: Progress,
    stored: Counter[str],
    on_row: Callable[[dict[str, Any]], None] | None = None,
    flush_now: Callable[[dict[str, Any]], bool] | None = None,
    on_stored: Callable[[list[dict[str, Any]]], None] | None = None,
) -> ExecStats:
    """Run ``tasks``, storing rows in batches (and every row finished before an exception).

    ``tasks`` is a list or a feed (see :mod:`btoagents.experiment.executors`: executors
    pull tasks one at a time as runs finish, and a feed may yield ``WAIT``). ``progress``
    advances by one per finished run; ``stored`` counts the statuses of the rows written
    (updated in place, so it is right after an exception too).

    Hooks, each optional:

    - ``on_row(row)`` gets each finished run's row as it arrives (it may not be written
      yet: an interruption keeps it only if its batch was flushed), so it may make more
      tasks (:class:`btoagents.experiment.select._Stages`);
    - ``flush_now(row)`` true writes the batch at once, with that row;
    - ``on_stored(rows)`` gets every batch once it is on disk, without time series (a
      search tells its optimiser a candidate's result only when its runs are stored).

    A sized task source that refills itself between calls (a selection's stages) is handed
    to Dask as the list of what it holds now. Returns the executor's stats.
    """
    batch: list[dict[str, Any]] = []
    last_flush = time.perf_counter()

    def flush() -> None:
        nonlocal last_flush
        with writing(store.folder, running=True):
            store.write_rows(batch)
        stored.update(row["status"] for row in batch)
        written = [{k: v for k, v in row.items() if k != "_timeseries"} for row in batch]
        batch.clear()
        last_flush = time.perf_counter()
        if on_stored is not None and written:
            on_stored(written)

    def take(row: dict[str, Any]) -> None:
        batch.append(row)
        progress.advance(row["status"] != "ok")
        if on_row is not None:
            on_row(row)
        urgent = flush_now is not None and flush_now(row)  # always asked: it counts rows
        if urgent or len(batch) >= BATCH_ROWS or time.perf_counter() - last_flush >= BATCH_SECONDS:
            flush()

    n = pool_size(executor, workers)
    stats = ExecStats()
    try:
        if executor == "serial" or (isinstance(tasks, Sized) and not len(tasks)):
            stats = run_serial(tasks, take)  # nothing to run: no pool or cluster to start
        elif executor == "process":
            stats = run_process(tasks, take, n)
        else:
            stats = run_dask(list(tasks) if isinstance(tasks, Sized) else tasks, take, n, scheduler)
    finally:
        flush()  # the rows finished before an interruption are kept
    return stats


def pool_size(executor: str, workers: int | None) -> int:
    """How many runs execute at once: one on the serial executor, else ``workers`` or, by
    default, one per core (the process pool's and the local Dask cluster's size)."""
    if executor == "serial":
        return 1
    return workers or os.cpu_count() or 1


def store_runs(
    store: ResultStore,
    tasks: Iterable[RunTask],
    progress: Progress,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    flush_now: Callable[[dict[str, Any]], bool] | None = None,
    on_stored: Callable[[list[dict[str, Any]]], None] | None = None,
) -> tuple[Counter[str], ExecStats]:
    """One attempt's runs (a sweep's, a search's): :func:`run_into_store` inside
    :func:`attempt`. Returns the stored rows' status counts and the executor's stats."""
    with attempt(store, progress) as (stored, stats):
        got = run_into_store(
            store,
            tasks,
            executor,
            workers,
            scheduler,
            progress,
            stored,
            flush_now=flush_now,
            on_stored=on_stored,
        )
        stats.retried += got.retried
    return stored, stats


@contextmanager
def attempt(store: ResultStore, progress: Progress) -> Iterator[tuple[Counter[str], ExecStats]]:
    """One attempt (a sweep, a search, a selection, which may call :func:`run_into_store`
    many times): yields the status counts of the rows stored and the executor's stats, to
    be updated in place; however the attempt ends, closes ``progress`` and records the end
    in the manifest (:func:`end_attempt`)."""
    stored: Counter[str] = Counter()
    stats = ExecStats()
    stopped_by: BaseException | None = None
    try:
        yield stored, stats
    except BaseException as exc:
        stopped_by = exc
        raise
    finally:
        progress.close()
        end_attempt(store, stored, stats, stopped_by)


def end_attempt(
    store: ResultStore, stored: Counter[str], stats: ExecStats, stopped_by: BaseException | None
) -> None:
    """Record what this attempt stored and how it ended (best effort: the disk may be full)."""
    reason = None
    if stopped_by is not None:
        reason = type(stopped_by).__name__
        if str(stopped_by):
            reason += f": {str(stopped_by).splitlines()[0]}"
    try:
        store.end_attempt(
            ran=sum(stored.values()),
            ok=stored["ok"],
            failed=stored["failed"],
            lost=stored["lost"],
            resubmitted=stats.retried,
            interrupted=stopped_by is not None,
            stopped_by=reason,
        )
        if stopped_by is None:
            store.update_manifest(finished=time.strftime("%Y-%m-%dT%H:%M:%S"))
    except (OSError, BtoagentsError):
        pass
