"""Where print work runs: `run(function, jobs) -> results`, the one seam between printing
and the processes that lay out PDFs.

Today it is a pool of settings.PRINT_WORKERS worker processes (0: everything runs in the
calling process), forked from this one so that they share its imported code. The heavy
work moves to a task queue later; only this module changes then.

The pool is kept safe, not clever:

- started once per process, lazily, on first use (`start()` lets a caller start it early,
  so the workers load their fonts while it reads the database); a forked child of this
  process starts its own;
- a killed worker (the kernel's OOM killer, by hand) breaks the whole executor: it is shut
  down (`cancel_futures`, without waiting) and the jobs run once more on a new one;
- shut down at interpreter exit;
- never outliving its parent: each worker runs a watchdog thread that ends the worker
  when its parent is gone (`os.getppid()` changes when the process is re-parented).
  prctl(PR_SET_PDEATHSIG) would be quicker but fires when the *thread* that forked the
  worker ends, and the pool is often started from a request thread (runserver, gthread
  workers), which would kill healthy workers after the first request.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

logger = logging.getLogger("perfgoals.printing")

WATCH_EVERY = 0.25  # seconds between a worker's checks that its parent is alive

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_owner: tuple[int, int] | None = None  # (pid, workers) of the process that started _pool


def workers() -> int:
    """How many worker processes lay out PDFs; 0 means in the calling process."""
    return settings.PRINT_WORKERS


def run(function: Callable, jobs: Iterable) -> list:
    """function(job) for each job, in order: in the worker processes, or here when
    PRINT_WORKERS is 0. `function` and the jobs must pickle (module-level functions)."""
    jobs = list(jobs)
    if not jobs:
        return []
    if workers() == 0:
        return [function(job) for job in jobs]
    executor = pool()
    try:
        return _results(executor, function, jobs)
    except BrokenProcessPool:
        logger.warning("print: a worker process died; starting new workers")
        _discard(executor)
        return _results(pool(), function, jobs)


def _results(executor: ProcessPoolExecutor, function: Callable, jobs: list) -> list:
    return [future.result() for future in [executor.submit(function, job) for job in jobs]]


def start() -> None:
    """Start the workers now (they load the fonts) if there are to be any."""
    if workers() > 0:
        pool()


def pool() -> ProcessPoolExecutor:
    """This process's executor, started on first use."""
    global _pool, _owner
    owner = (os.getpid(), workers())
    with _lock:
        if _pool is not None and _owner != owner:
            if _owner[0] == owner[0]:  # PRINT_WORKERS changed (tests): a pool of the new size
                _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None  # else a forked child holds its parent's executor: leave it alone
        if _pool is None:
            _pool = ProcessPoolExecutor(
                owner[1], mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker, initargs=(owner[0],),
            )
            _owner = owner
            _pool.submit(int)  # the first job starts every worker
        return _pool


def _discard(executor: ProcessPoolExecutor) -> None:
    """Shut a broken executor down and forget it (unless another thread already has)."""
    global _pool
    executor.shutdown(wait=False, cancel_futures=True)
    with _lock:
        if _pool is executor:
            _pool = None


def shutdown() -> None:
    """Stop this process's workers (at interpreter exit; tests)."""
    global _pool
    with _lock:
        if _pool is None or _owner[0] != os.getpid():  # none, or a parent's (not ours to stop)
            return
        executor, _pool = _pool, None
    executor.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


# ---- in each worker ---------------------------------------------------------------------------


def _init_worker(parent: int) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), name="print-watchdog", daemon=True).start()
    from perfgoals.printing import render

    render.warm_up()


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the process that started it is gone."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)
