"""Executors: run tasks serially, on a local process pool, or on a Dask cluster.

All three call :func:`~btoagents.experiment.runs.execute_run` (which turns a failing run into
a 'failed' row) and hand each finished row to a callback as soon as it arrives. At most a
few tasks per worker are in flight at once, so the parent's memory does not grow with the
number of runs. A run whose worker process died is resubmitted, up to ``MAX_ATTEMPTS``
times, then recorded with status 'lost': not a result of the model but of the machine, so
the next sweep of the same experiment runs it again.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from btoagents.experiment.runs import RunTask, execute_run

MAX_ATTEMPTS = 3
IN_FLIGHT_PER_WORKER = 4
#: guided chunks: about this many chunks per worker from what is left, at most MAX_CHUNK runs
CHUNKS_PER_WORKER = 8
MAX_CHUNK = 16

#: Dask settings for sweeps of many CPU-bound runs. The worker's statistical profiler
#: samples the running task's stack every 10 ms and its event-loop health check wakes every
#: 20 ms; both take the GIL from the run and together cost about 10% of a worker's time on
#: a 2-core machine (``make bench``, target 5). Saturation 1.0 queues tasks on the
#: scheduler, not on the workers, so a slow worker does not hoard them.
DASK_CONFIG = {
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}

OnRow = Callable[[dict[str, Any]], None]


@dataclass
class ExecStats:
    retried: int = 0


def _died_row(task: RunTask, reason: str) -> dict[str, Any]:
    return {
        "run_key": task.key,
        "point": task.point,
        "arm": task.arm,
        "replication": task.replication,
        "seed": task.seed,
        **{f"factor.{k}": v for k, v in task.factors.items()},
        "status": "lost",
        "error": f"worker died {MAX_ATTEMPTS} times: {reason}",
        "elapsed": 0.0,
    }


def run_serial(tasks: Iterable[RunTask], on_row: OnRow) -> ExecStats:
    for task in tasks:
        on_row(execute_run(task))
    return ExecStats()


def run_process(tasks: Iterable[RunTask], on_row: OnRow, workers: int) -> ExecStats:
    """A local pool of ``workers`` processes (spawned: safe whatever the parent runs)."""
    stats = ExecStats()
    pending: Iterator[RunTask] = iter(tasks)
    retry: list[tuple[RunTask, int]] = []
    ctx = multiprocessing.get_context("spawn")
    limit = workers * IN_FLIGHT_PER_WORKER
    while True:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        futures: dict[Any, tuple[RunTask, int]] = {}
        broken = False
        try:
            while True:
                while len(futures) < limit:
                    if retry:
                        task, attempt = retry.pop()
                    else:
                        task = next(pending, None)
                        attempt = 1
                        if task is None:
                            break
                    futures[pool.submit(execute_run, task)] = (task, attempt)
                if not futures:
                    return stats
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    task, attempt = futures.pop(fut)
                    try:
                        on_row(fut.result())
                    except BrokenProcessPool as exc:
                        broken = True
                        _retry(task, attempt, str(exc), retry, on_row, stats)
                if broken:
                    for fut, (task, attempt) in futures.items():
                        fut.cancel()
                        _retry(task, attempt, "pool broken", retry, on_row, stats)
                    break
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


def _retry(task, attempt, reason, retry, on_row, stats) -> None:
    if attempt >= MAX_ATTEMPTS:
        on_row(_died_row(task, reason))
    else:
        stats.retried += 1
        retry.append((task, attempt + 1))


def execute_runs(tasks: list[RunTask]) -> list[dict[str, Any]]:
    """Run a chunk of tasks in one worker call; one row per task, in order."""
    return [execute_run(task) for task in tasks]


def chunk_size(remaining: int, workers: int) -> int:
    """Runs per Dask task when ``remaining`` runs are left ("guided" scheduling).

    Large chunks while much is left cut the scheduler's per-task cost, which on a small
    machine competes with the workers for the same cores; chunks shrink to single runs
    towards the end, so no worker sits idle while another finishes a long chunk.
    """
    return max(1, min(MAX_CHUNK, remaining // (workers * CHUNKS_PER_WORKER)))


def run_dask(
    tasks: Sequence[RunTask],
    on_row: OnRow,
    workers: int,
    scheduler: str | None = None,
    run_chunk: Callable[[list[RunTask]], list[dict[str, Any]]] = execute_runs,
) -> ExecStats:
    """A Dask cluster: ``scheduler`` address, or a LocalCluster of ``workers`` processes.

    Tasks go out in chunks (:func:`chunk_size`). A chunk whose worker died or whose result
    was lost is sent again run by run, so one run that kills its worker cannot take the
    others down with it; a run that fails ``MAX_ATTEMPTS`` times gets a 'lost' row.
    ``run_chunk`` is what the workers call (a module-level function, importable there).
    """
    import dask
    import distributed  # noqa: F401 - its config defaults, before the settings below

    stats = ExecStats()
    with dask.config.set(DASK_CONFIG):
        _dask_loop(tasks, on_row, workers, scheduler, run_chunk, stats)
    return stats


def _dask_loop(
    tasks: Sequence[RunTask],
    on_row: OnRow,
    workers: int,
    scheduler: str | None,
    run_chunk: Callable[[list[RunTask]], list[dict[str, Any]]],
    stats: ExecStats,
) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    try:
        todo = list(tasks)
        todo.reverse()  # popped from the end: the original order
        retry: list[tuple[RunTask, int]] = []
        meta: dict[Any, tuple[list[RunTask], int]] = {}
        seq = 0

        def submit_next():
            nonlocal seq
            if retry:
                task, attempt = retry.pop()
                chunk = [task]
            elif todo:
                k = chunk_size(len(todo), workers)
                chunk = [todo.pop() for _ in range(min(k, len(todo)))]
                attempt = 1
            else:
                return None
            seq += 1
            fut = client.submit(run_chunk, chunk, key=f"runs-{chunk[0].key}-{seq}", pure=False)
            meta[fut] = (chunk, attempt)
            return fut

        first = [submit_next() for _ in range(workers * IN_FLIGHT_PER_WORKER)]
        queue = as_completed([f for f in first if f is not None])
        for fut in queue:
            chunk, attempt = meta.pop(fut)
            try:
                rows = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost futures
                for task in chunk:
                    _retry(task, attempt, repr(exc), retry, on_row, stats)
                rows = []
            for row in rows:
                on_row(row)
            while len(meta) < workers * IN_FLIGHT_PER_WORKER:
                nxt = submit_next()
                if nxt is None:
                    break
                queue.add(nxt)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
