"""gunicorn's settings for perfgoals-web.service (and bench/load.py).

gthread workers: each process answers several requests at once with threads, so a page
waiting for the database or a book being assembled does not hold up the other clerks queued
behind it in a sync worker; two processes per core use both cores despite Python's GIL.
"""

import os

bind = f"{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}"
workers = int(os.getenv("WORKERS", "4"))
worker_class = "gthread"
threads = int(os.getenv("THREADS", "4"))
timeout = 120  # above PRINT_TIME_LIMIT (60 by default), below nginx's proxy_read_timeout (130 s)
graceful_timeout = 30
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# One key=value line a request, with the id the app logged it under (X-Request-ID).
access_log_format = 'access method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s ms=%(M)s request_id=%({x-request-id}o)s'


def post_worker_init(worker):
    """Start printing's layout processes as the web process starts, not on its first PDF: the
    fork server loads Django, WeasyPrint and the fonts (about 1.5 s) before anyone waits for
    it. Nothing is started when PRINT_WORKERS is 0 (the default with a Celery broker)."""
    from perfgoals.printing import runner

    runner.start()
