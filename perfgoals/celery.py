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
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")

app = Celery("perfgoals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _lay_out_in_the_worker_processes(**kwargs) -> None:
    from django.conf import settings

    settings.PRINT_WORKERS = 0  # runner.run() lays out in the process that asks
