"""Run a per-item function over a stream, in order, on one core or on a process pool.

Every stage writes its outputs in input order, so a release does not depend on how many processes made it: the
pool maps a window of items at a time (bounded memory, whatever the corpus size) and the results come back in
the order the items went in. `jobs = 0` means one process per core; `jobs = 1` runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Items handed to the pool at once, per process: enough to keep every process busy, few enough that a window
# of large documents stays small in memory.
WINDOW_PER_JOB = 64
CHUNK = 8


def resolve_jobs(jobs: int) -> int:
    """The number of processes: `jobs`, or the cores this process may use when `jobs` is 0."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(function: Callable[[Item], Result], items: Iterable[Item], jobs: int) -> Iterator[Result]:
    """`function` over `items`, results in input order. `function` must be a module-level (picklable) function."""
    processes = resolve_jobs(jobs)
    if processes == 1:
        yield from map(function, items)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    iterator = iter(items)
    pool = multiprocessing.get_context(method).Pool(processes, initializer=_worker_signals)
    try:
        while window := list(islice(iterator, processes * WINDOW_PER_JOB)):
            yield from pool.imap(function, window, CHUNK)
        pool.close()  # done: let the workers finish and exit on their own
        pool.join()
    finally:
        pool.terminate()  # on any error or interruption of the parent; a no-op after join


def _worker_signals() -> None:
    """Workers die quietly when the parent ends the pool (SIGTERM), and leave Ctrl-C to the parent: the
    parent's handlers, inherited by fork, would print a traceback from every worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
