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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from btoagents.experiment.runs import RunTask, execute_run

MAX_ATTEMPTS = 3
IN_FLIGHT_PER_WORKER = 4

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


def run_dask(
    tasks: Iterable[RunTask], on_row: OnRow, workers: int, scheduler: str | None = None
) -> ExecStats:
    """A Dask cluster: ``scheduler`` address, or a LocalCluster of ``workers`` processes."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    stats = ExecStats()
    dask.config.set({"distributed.scheduler.worker-saturation": 1.0})
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
        pending = iter(tasks)
        meta: dict[Any, tuple[RunTask, int]] = {}
        seq = 0

        def submit(task: RunTask, attempt: int):
            nonlocal seq
            seq += 1
            fut = client.submit(execute_run, task, key=f"run-{task.key}-{seq}", pure=False)
            meta[fut] = (task, attempt)
            return fut

        first = [submit(t, 1) for t in _take(pending, workers * IN_FLIGHT_PER_WORKER)]
        queue = as_completed(first)
        for fut in queue:
            task, attempt = meta.pop(fut)
            try:
                on_row(fut.result())
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost futures
                if attempt >= MAX_ATTEMPTS:
                    on_row(_died_row(task, repr(exc)))
                else:
                    stats.retried += 1
                    queue.add(submit(task, attempt + 1))
            nxt = next(pending, None)
            if nxt is not None:
                queue.add(submit(nxt, 1))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return stats


def _take(it: Iterator[RunTask], n: int) -> list[RunTask]:
    out = []
    for _ in range(n):
        item = next(it, None)
        if item is None:
            break
        out.append(item)
    return out
