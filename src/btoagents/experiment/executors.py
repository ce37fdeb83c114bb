"""Executors: run tasks serially, on a local process pool, or on a Dask cluster.

All three call :func:`~btoagents.experiment.runs.execute_run` (which turns a failing run into
a 'failed' row) and hand each finished row to a callback as soon as it arrives. At most a
few tasks per worker are in flight at once, so the parent's memory does not grow with the
number of runs. A run whose worker process died is resubmitted, up to ``MAX_ATTEMPTS``
times, then recorded with status 'lost': not a result of the model but of the machine, so
the next sweep of the same experiment runs it again.

Interruption (``KeyboardInterrupt``, or the command line's SIGTERM exception derived from
it) stops submitting work and drops the runs in flight: the process pool's workers are
terminated and the Dask cluster is closed (the client cancels its tasks), quietly; the
rows already handed to the callback stay with the caller, and the next sweep runs the
dropped runs again. Worker processes start with SIGINT blocked, so a Ctrl-C at the
terminal, which reaches the whole process group, is handled by the parent alone.

A task carries its scenario as plain values; the worker validates it, and so imports the
plugins it names (:mod:`btoagents.plugins`) from its own ``sys.path`` and working directory:
a spawned pool worker has the parent's, a Dask worker those it was started with (start an
external ``dask worker`` where the plugin imports, e.g. the repository root). A worker that
cannot import a plugin stores the run as 'failed' with that one-line reason.

**Task feeds.** Tasks are pulled from their iterable one at a time, as workers free up,
never all at once, so a feed may make its tasks from the rows already handed back (a
search asks its next candidates once earlier ones are evaluated). A feed that has nothing
to give until more rows come back yields :data:`WAIT`: the executor then waits for the
next row and asks again. A feed may yield ``WAIT`` only while some of its tasks are in
flight (with none in flight no row can come back, and the executor stops).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import Any

from btoagents.errors import BtoagentsError
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

#: seconds to wait for a ``--scheduler`` to answer before giving up with one error line
CONNECT_TIMEOUT = 5.0
#: seconds a local Dask worker busy with a run gets to stop before it is terminated, when
#: its runs are dropped (distributed's default, 5 s, makes Ctrl-C feel slow)
STOP_TIMEOUT = 0.5

OnRow = Callable[[dict[str, Any]], None]


class _Wait:
    """The type of :data:`WAIT`."""

    def __repr__(self) -> str:
        return "WAIT"


#: yielded by a task feed that has nothing to give until more rows come back
WAIT: Any = _Wait()


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


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Hold SIGINT back in this thread while the block runs.

    Processes and threads started inside inherit the blocked signal mask: a Ctrl-C at the
    terminal, sent to the whole process group, never reaches them, and the parent alone
    handles it. A SIGINT that arrives during the block is delivered when it ends.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        yield
        return
    # the resource tracker unblocks SIGINT after starting itself: start it first
    resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def sigterm_deferred() -> Iterator[None]:
    """Hold a SIGTERM for this process back until the block ends (main thread only).

    For steps that must not stop half-way, such as starting a Dask cluster: an exception
    from inside its constructor would leave workers that nothing closes. The handler is
    swapped in Python only, so processes started inside keep the usual SIGTERM.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is None or previous == signal.SIG_IGN:
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if received:
            signal.raise_signal(signal.SIGTERM)


def ignore_sigint() -> None:
    """Worker initializer: SIGINT is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_serial(tasks: Iterable[RunTask], on_row: OnRow) -> ExecStats:
    """Run the tasks one after the other in this process (an interrupt drops the current run).

    Each row is handed back before the next task is pulled, so a feed never waits here: a
    ``WAIT`` with no task in flight ends the run, as in the other executors.
    """
    for task in tasks:
        if task is WAIT:
            break
        on_row(execute_run(task))
    return ExecStats()


def run_process(tasks: Iterable[RunTask], on_row: OnRow, workers: int) -> ExecStats:
    """A local pool of ``workers`` processes (spawned: safe whatever the parent runs).

    On any exception, an interrupt included, the workers are terminated (their runs are
    dropped) and the pool is shut down and joined before the exception goes on.
    """
    stats = ExecStats()
    pending: Iterator[RunTask] = iter(tasks)
    retry: list[tuple[RunTask, int]] = []
    ctx = multiprocessing.get_context("spawn")
    limit = workers * IN_FLIGHT_PER_WORKER
    while True:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=ignore_sigint)
        futures: dict[Any, tuple[RunTask, int]] = {}
        broken = False
        dropped = False
        try:
            while True:
                with sigint_blocked():  # workers are spawned by submit
                    while len(futures) < limit:
                        if retry:
                            task, attempt = retry.pop()
                        else:
                            task = next(pending, None)
                            attempt = 1
                            if task is None or task is WAIT:
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
        except BaseException:
            dropped = True
            _terminate_workers(pool)
            raise
        finally:
            # joined after a drop too: no worker outlives the sweep
            pool.shutdown(wait=dropped or not broken, cancel_futures=True)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's worker processes now (their runs are dropped)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


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
    tasks: Iterable[RunTask],
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


def connect(scheduler: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A Dask client of the scheduler at ``scheduler``, or one error line naming it."""
    from distributed import Client

    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise BtoagentsError(
            f"--scheduler {scheduler}: no Dask scheduler answered within {timeout:g} s ({exc})"
        ) from None
    except ValueError as exc:  # a malformed address
        raise BtoagentsError(f"--scheduler {scheduler}: not a scheduler address ({exc})") from None


def _dask_loop(
    tasks: Iterable[RunTask],
    on_row: OnRow,
    workers: int,
    scheduler: str | None,
    run_chunk: Callable[[list[RunTask]], list[dict[str, Any]]],
    stats: ExecStats,
) -> None:
    from distributed import Client, LocalCluster

    cluster = None
    client = None
    dropped = False
    try:
        # an interrupt waits until the client (and cluster) is whole, then closes it; the
        # cluster's own thread starts the worker processes: they inherit the SIGINT mask
        with sigterm_deferred(), sigint_blocked():
            if scheduler:
                client = connect(scheduler)
            else:
                # Workers log only critical errors: one stopped with a run in flight logs
                # its lost heartbeat with a traceback, and a failing run is a row anyway.
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,
                )
                client = Client(cluster)
        if scheduler:
            workers = max(1, len(client.scheduler_info().get("workers", {})))
        _submit_chunks(client, tasks, on_row, workers, run_chunk, stats)
    except BaseException:
        dropped = True
        raise
    finally:
        _close_dask(client, cluster, quiet=dropped)


def _submit_chunks(
    client: Any,
    tasks: Iterable[RunTask],
    on_row: OnRow,
    workers: int,
    run_chunk: Callable[[list[RunTask]], list[dict[str, Any]]],
    stats: ExecStats,
) -> None:
    """Keep a few chunks per worker in flight until every task has its row."""
    from distributed import as_completed

    feed: Iterator[RunTask] = iter(tasks)
    # runs left to pull: known for a list, not for a feed (whose chunks are single runs)
    left = len(tasks) if isinstance(tasks, Sized) else None
    retry: list[tuple[RunTask, int]] = []
    meta: dict[Any, tuple[list[RunTask], int]] = {}
    seq = 0

    def pull(k: int) -> list[RunTask]:
        """Up to ``k`` tasks from the feed (fewer at its end or when it says WAIT)."""
        nonlocal left
        chunk: list[RunTask] = []
        while len(chunk) < k:
            task = next(feed, None)
            if task is None or task is WAIT:
                break
            chunk.append(task)
        if left is not None:
            left -= len(chunk)
        return chunk

    def submit_next() -> Any:
        nonlocal seq
        if retry:
            task, attempt = retry.pop()
            chunk = [task]
        else:
            chunk = pull(chunk_size(left, workers) if left is not None else 1)
            attempt = 1
            if not chunk:
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


def _close_dask(client: Any, cluster: Any, quiet: bool) -> None:
    """Close the client (its tasks are cancelled) and the local cluster, if any.

    ``quiet`` (after an interrupt or an error): nothing is logged meanwhile, neither
    distributed's notes on the work being dropped nor asyncio's on cancelled tasks.
    """
    previous = logging.root.manager.disable
    if quiet:
        logging.disable(logging.CRITICAL)
    try:
        if client is not None:
            client.close()
        if cluster is not None:
            if quiet:
                with contextlib.suppress(Exception):  # cluster.close() below then waits
                    cluster.sync(_stop_workers, cluster)
            cluster.close()
    finally:
        logging.disable(previous)


async def _stop_workers(cluster: Any) -> None:
    """Close a LocalCluster's workers (nannies) at once, dropping the runs they hold."""
    import asyncio

    nannies = list(cluster.workers.values())
    await asyncio.gather(*(n.close(timeout=STOP_TIMEOUT) for n in nannies), return_exceptions=True)
