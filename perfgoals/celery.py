"""The task queue: Celery, configured from Django's settings (the CELERY_* names).

With CELERY_BROKER_URL set (redis://…, amqp://…), a task is a message on the broker and
any number of worker processes on any machines do it:

    .venv/bin/celery -A perfgoals worker --loglevel INFO

Without it (the embedded default: one office PC, no broker), `task_always_eager` runs
each task at once in the process that sends it, the web process. The tasks are in
perfgoals/printing/tasks.py.

In a worker, each worker process lays out its PDFs itself: Celery's own processes
(`--concurrency`, one per core by default) are the pool, so printing's pool of layout
processes (perfgoals/printing/runner.py, PRINT_WORKERS) is not started there as well,
which would put two layout processes per core on the machine.

Log lines of a task carry the id of the request that queued it (sent in the message's
headers as `request_id`), else the task's own id; in a worker, Celery's own lines are
written in the same format (settings.LOG_FORMAT) and the app's are not written twice.
"""

import os

from celery import Celery, signals

from perfgoals.lib import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")

app = Celery("perfgoals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _lay_out_in_the_worker_processes(**kwargs) -> None:
    from django.conf import settings

    settings.PRINT_WORKERS = 0  # runner.run() lays out in the process that asks


@signals.before_task_publish.connect
def _send_the_request_id(headers=None, **kwargs) -> None:
    if headers is not None and logs.request_id.get() != "-":
        headers.setdefault("request_id", logs.request_id.get())


_tokens = {}


@signals.task_prerun.connect
def _log_with_the_request_id(task_id=None, task=None, **kwargs) -> None:
    if logs.request_id.get() != "-":  # eager: run inside the request that sent it
        return
    sent = getattr(task.request, "request_id", None) or (task.request.headers or {}).get("request_id")
    _tokens[task_id] = logs.request_id.set(logs.accepted_id(sent) if sent else task_id)


@signals.task_postrun.connect
def _forget_the_request_id(task_id=None, **kwargs) -> None:
    if (token := _tokens.pop(task_id, None)) is not None:
        logs.request_id.reset(token)


@signals.after_setup_logger.connect
def _one_format_in_the_worker(logger=None, **kwargs) -> None:
    import logging

    from django.conf import settings

    formatter = logs.JsonFormatter() if settings.LOG_FORMAT == "json" else logs.TextFormatter()
    for handler in logger.handlers:
        handler.setFormatter(formatter)
        handler.addFilter(logs.WithRequestId())
    for name in ("perfgoals", "django.request", "django.security"):  # they have handlers of their own
        logging.getLogger(name).propagate = False
