"""Run a per-item function over a stream, in order, on one core or on a process pool.

Every stage writes its outputs in input order, so a release does not depend on how many processes made it: the
pool maps a window of items at a time (bounded memory, whatever the corpus size) and the results come back in
the order the items went in. `jobs = 0` means one process per core; `jobs = 1` runs in this process. With a Dask
scheduler address the same function runs on that cluster, in batches (no scheduler of our own).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from pipeline.errors import RendaError

Item = TypeVar("Item")
Result = TypeVar("Result")

# Items handed to the pool at once, per process: enough to keep every process busy, few enough that a window
# of large documents stays small in memory.
WINDOW_PER_JOB = 64
# Tasks a window is cut into, per process (a task carries window_per_job / this many items): a window ends when
# its slowest task does, so each process gets several small ones rather than one large one. Measured on ingest
# of 16 copies of the shared corpus at --jobs 2: windows of 16 files a process in tasks of 8 files, 27.1 s wall;
# in tasks of 2 files, 20.9–22.6 s (34.3 s on one process).
TASKS_PER_JOB = 8


def resolve_jobs(jobs: int) -> int:
    """The number of processes: `jobs`, or the cores this process may use when `jobs` is 0."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# Seconds to wait for a Dask scheduler to answer before the build stops with one line.
DASK_CONNECT_SECONDS = 10
# Items per Dask task: a task costs a few milliseconds of scheduling, so each carries a batch of documents.
DASK_BATCH = 32
# Batches in flight at once per Dask worker thread: keeps the cluster busy with bounded memory here.
DASK_WINDOW_PER_THREAD = 4


def _apply_batch(function: Callable[[Item], Result], batch: list[Item]) -> list[Result]:
    return [function(item) for item in batch]


def dask_map(function: Callable[[Item], Result], items: Iterable[Item], scheduler: str) -> Iterator[Result]:
    """`function` over `items` on an existing Dask cluster (`scheduler` is its address), results in input order.

    The same function the process pool runs, shipped in batches; the workers need this package installed (the
    `renda-corpus[dask]` extra). Nothing is written on the workers: results come back here and are written in
    order, so the release is byte-identical to a local run.
    """
    try:
        from distributed import Client
    except ImportError:
        raise RendaError("--scheduler needs Dask: pip install 'renda-corpus[dask]'") from None
    try:
        client = Client(scheduler, timeout=DASK_CONNECT_SECONDS)
    except (OSError, TimeoutError) as error:
        raise RendaError(f"--scheduler {scheduler}: no Dask scheduler answers there ({error})") from None
    try:
        threads = max(1, sum(client.nthreads().values()))
        iterator = iter(items)
        while True:
            batches = []
            for _ in range(threads * DASK_WINDOW_PER_THREAD):
                batch = list(islice(iterator, DASK_BATCH))
                if not batch:
                    break
                batches.append(batch)
            if not batches:
                return
            futures = client.map(_apply_batch, [function] * len(batches), batches, pure=False)
            for future in futures:
                yield from future.result()
    finally:
        client.close()


def ordered_map(
    function: Callable[[Item], Result],
    items: Iterable[Item],
    jobs: int,
    scheduler: str | None = None,
    window_per_job: int = WINDOW_PER_JOB,
) -> Iterator[Result]:
    """`function` over `items`, results in input order: on a Dask cluster when `scheduler` is given, else on
    `jobs` local processes, `window_per_job` items a process in flight (fewer for large results). `function`
    must be a module-level (picklable) function."""
    if scheduler:
        yield from dask_map(function, items, scheduler)
        return
    processes = resolve_jobs(jobs)
    if processes == 1:
        yield from map(function, items)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    iterator = iter(items)
    # SIGTERM stays blocked while the pool starts, so a worker never runs the parent's handler (which would
    # raise KeyboardInterrupt in it): an early `terminate()` reached workers before their initializer, and
    # they printed tracebacks or left the pool hanging. Each worker unblocks it once its own handler is set.
    blocked = _block_sigterm()
    try:
        pool = multiprocessing.get_context(method).Pool(processes, initializer=_worker_signals)
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        while window := list(islice(iterator, processes * window_per_job)):
            yield from pool.imap(function, window, max(1, window_per_job // TASKS_PER_JOB))
        pool.close()  # done: let the workers finish and exit on their own
        pool.join()
    finally:
        pool.terminate()  # on any error or interruption of the parent; a no-op after join


def _block_sigterm() -> set[signal.Signals] | None:
    """Block SIGTERM in this thread; the previous mask, or None where the system has no signal masks."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})


def _worker_signals() -> None:
    """Workers die quietly when the parent ends the pool (SIGTERM), and leave Ctrl-C to the parent: the
    parent's handlers, inherited by fork, would print a traceback from every worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
