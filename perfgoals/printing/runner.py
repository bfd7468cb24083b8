"""Where print work runs: `run(function, jobs) -> results`, the one seam between printing
and the processes that lay out PDFs.

It is a pool of settings.PRINT_WORKERS worker processes (0: everything runs in the calling
process). The heavy work (what is submitted or approved, books, batch prints) is done by
Celery tasks (printing/tasks.py), which call this in the worker process; with a broker
configured PRINT_WORKERS defaults to 0, so a web process keeps no pool and lays out only a
draft nobody has printed yet, in the request's own thread.

The workers are not forked from this process but from multiprocessing's fork server: a
small process started once (from the interpreter, not forked), which imports
perfgoals/printing/worker.py (Django, WeasyPrint, the fonts) and then forks a worker
whenever one is asked for. So a worker starts warm, and it inherits nothing of this
process:

- no open file. A worker forked from this process held a copy of every file descriptor
  open here at that moment, and kept the other end of a pipe or socket from ever seeing
  it closed. That hung `pytest -n 3`: Playwright's driver exits when its stdin pipe
  closes; workers forked after it started held that pipe open, and waited, as they
  should, for their parent to end, while the parent waited for the driver. A web process
  has the same problem with the client connections of requests served in other threads.
- no lock held by another thread. This process has threads (gthread or runserver request
  threads, the executor's own management and queue threads, a test's live server): a
  child forked while one of them holds a lock (fontconfig's, an I/O buffer's, a module's
  import lock) would wait for it for ever.

As with any start method but 'fork', each worker imports the program's main module
(`__mp_main__`): a script that prints must keep its work under `if __name__ ==
"__main__":` (manage.py, gunicorn, pytest and bench/print.py do).

The pool is kept safe, not clever:

- started once per process, lazily, on first use (`start()` starts it in the background,
  so the fork server loads Django and the fonts while the caller reads the database). A
  process forked from this one cannot ask this one's fork server for workers
  (multiprocessing raises ChildProcessError); nothing in perfgoals forks;
- a killed worker (the kernel's OOM killer, by hand) breaks the whole executor: it is shut
  down (`cancel_futures`, without waiting) and the jobs run once more on a new one;
- shut down at interpreter exit;
- never outliving its parent: each worker runs a watchdog thread that ends the worker
  when the process that asked for it is gone (the pipe that process holds open for it,
  multiprocessing's parent sentinel, reads end-of-file; its own parent is the fork
  server). prctl(PR_SET_PDEATHSIG) would fire when the fork server ends, not this
  process, and is not offered by Python. The watchdog is Python code: a worker busy in C
  code (Pango laying out one huge paragraph) does not let it run. So:
- every job has a time limit, settings.PRINT_TIME_LIMIT seconds for one `run` (a table,
  a book's pieces): past it, this process ends the workers (the other jobs they had run
  again on new ones, as after a killed worker) and raises `PrintTimeout`, which the views
  answer in Chinese; and in the worker, an alarm settings.PRINT_ALARM_GRACE seconds later
  (5) ends the process whatever it is doing (SIGALRM's default action, no Python handler),
  so a job never runs much longer than the limit, also when the process that asked for it
  is gone. With PRINT_WORKERS=0 the limit is checked between jobs only.
"""

from __future__ import annotations

import atexit
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

logger = logging.getLogger("perfgoals.printing")

PRELOAD = "perfgoals.printing.worker"  # what the fork server imports before it forks a worker

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_owner: tuple[int, int] | None = None  # (pid, workers) of the process that started _pool


def workers() -> int:
    """How many worker processes lay out PDFs; 0 means in the calling process."""
    return settings.PRINT_WORKERS


class PrintTimeout(Exception):
    """The work of one `run` took longer than settings.PRINT_TIME_LIMIT; it was stopped."""

    def __init__(self, limit: float):
        self.limit = limit
        self.message = (f"生成 PDF 超过了 {limit:g} 秒的时限，已停止。内容特别多的表格或部门文本需要更长时间，"
                        "请稍后重试；如一再超时，请删减内容或请管理员调高时限（PRINT_TIME_LIMIT）。")
        super().__init__(self.message)


def run(function: Callable, jobs: Iterable) -> list:
    """function(job) for each job, in order: in the worker processes, or here when
    PRINT_WORKERS is 0. `function` and the jobs must pickle (module-level functions).
    PrintTimeout when they take longer than settings.PRINT_TIME_LIMIT seconds together."""
    jobs = list(jobs)
    if not jobs:
        return []
    if workers() == 0:
        limit, deadline = settings.PRINT_TIME_LIMIT, time.monotonic() + settings.PRINT_TIME_LIMIT
        results = []
        for job in jobs:
            if time.monotonic() > deadline:
                raise PrintTimeout(limit)
            results.append(function(job))
        return results
    executor = pool()
    deadline = time.monotonic() + settings.PRINT_TIME_LIMIT  # from when the workers are there
    try:
        return _results(executor, function, jobs, deadline)
    except BrokenProcessPool:
        logger.warning("print: a worker process died; starting new workers")
        _discard(executor)
        return _results(pool(), function, jobs, deadline)


def _results(executor: ProcessPoolExecutor, function: Callable, jobs: list, deadline: float) -> list:
    alarm = math.ceil(settings.PRINT_TIME_LIMIT) + settings.PRINT_ALARM_GRACE
    futures = [executor.submit(_timed, function, job, alarm) for job in jobs]
    try:
        return [future.result(timeout=max(0.0, deadline - time.monotonic())) for future in futures]
    except TimeoutError:
        logger.warning("print: over the time limit of %gs; stopping the workers", settings.PRINT_TIME_LIMIT)
        for future in futures:
            future.cancel()
        _stop(executor)
        raise PrintTimeout(settings.PRINT_TIME_LIMIT) from None


def _stop(executor: ProcessPoolExecutor) -> None:
    """End the executor's workers now, whatever they are doing, and forget the executor."""
    for process in list((executor._processes or {}).values()):
        process.kill()
    _discard(executor)


def start() -> None:
    """Start the workers now, in the background, if there are to be any and they are not
    running: the first time in a process, the fork server loads Django and the fonts
    meanwhile (about a second), while the caller reads the database."""
    count = workers()
    if count > 0 and _owner != (os.getpid(), count):
        threading.Thread(target=_start_quietly, args=(count,), name="print-pool-start", daemon=True).start()


def _start_quietly(count: int) -> None:
    try:
        _executor(count)
    except Exception:  # noqa: BLE001 — run() starts it again, and raises
        logger.exception("print: the workers did not start")


def pool() -> ProcessPoolExecutor:
    """This process's executor, started on first use."""
    return _executor(workers())


def _executor(count: int) -> ProcessPoolExecutor:
    global _pool, _owner
    owner = (os.getpid(), count)
    with _lock:
        if _pool is not None and _owner != owner:
            if _owner[0] == owner[0]:  # PRINT_WORKERS changed (tests): a pool of the new size
                _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None  # else a forked child holds its parent's executor: not ours to stop
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([PRELOAD])  # read when the server starts: once
            _pool = ProcessPoolExecutor(owner[1], mp_context=context, initializer=_init_worker)
            _owner = owner
            # Every worker now, as the executor does for the 'fork' method (otherwise it forks
            # one per job submitted while none is idle); then a first job starts the thread
            # that manages them, without which shutdown() would not stop them.
            _pool._launch_processes()
            _pool.submit(int)
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


def _init_worker() -> None:
    threading.Thread(target=_watch_parent, name="print-watchdog", daemon=True).start()
    from perfgoals.printing import worker

    worker.ready()  # done in the fork server; raises here if it failed there


def _timed(function: Callable, job, alarm: int):
    """function(job) in a worker that ends (SIGALRM, default action: even inside C code) if
    the job is not done `alarm` seconds from now."""
    signal.alarm(alarm)
    try:
        return function(job)
    finally:
        signal.alarm(0)


def _watch_parent() -> None:
    """End this worker as soon as the process that asked for it is gone."""
    multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(1)
