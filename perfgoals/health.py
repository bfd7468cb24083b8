"""/healthz for a load balancer: 200 with what was checked, or 503 naming what failed.

Checks, each timed: the database answers and is migrated (a query on the units table);
DATA_DIR takes a file, and the print cache storage and the default storage (uploads, batch
prints) take one (written, read back, deleted); the print fonts are there (the cut faces
in static/print/fonts/ and the Noto CJK collections they fall back to); the task queue's
broker accepts a connection, when CELERY_BROKER_URL configures one. No sign-in: it says
nothing about anyone's data.
"""

import logging
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from perfgoals.celery import app as celery_app
from perfgoals.printing import cache, fonts
from perfgoals.units.models import Unit

logger = logging.getLogger("perfgoals.health")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    Unit.objects.exists()


def _data_dir() -> None:
    with tempfile.NamedTemporaryFile(dir=settings.DATA_DIR, prefix=".healthz-") as probe:
        probe.write(b"ok")
        probe.flush()
        os.fsync(probe.fileno())


def _print_cache() -> None:
    _storage_round_trip(cache.storage())


def _storage() -> None:
    _storage_round_trip(default_storage)


def _storage_round_trip(storage) -> None:
    name = storage.save(f"healthz-{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    try:
        with storage.open(name) as f:
            if f.read() != b"ok":
                raise OSError("read back something else")
    finally:
        storage.delete(name)


def _fonts() -> None:
    missing = [name for name, *_ in fonts.FACES if not (fonts.OUT_DIR / name).exists()]
    missing += [collection for _, _, collection, _ in fonts.FACES if not (fonts.NOTO_DIR / collection).exists()]
    if missing:
        raise FileNotFoundError("missing " + ", ".join(missing))


def _broker() -> None:
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0, timeout=2)


CHECKS = {"database": _database, "data_dir": _data_dir, "print_cache": _print_cache, "storage": _storage,
          "fonts": _fonts, "broker": _broker}  # fmt: skip


def checks() -> dict:
    """The broker only when there is one: without it, tasks run in the web process."""
    return {name: check for name, check in CHECKS.items() if name != "broker" or settings.CELERY_BROKER_URL}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results, healthy = {}, True
    for name, check in checks().items():
        start = time.perf_counter()
        try:
            check()
            result = {"ok": True}
        except Exception as e:  # noqa: BLE001  (any failure makes this instance unhealthy)
            healthy = False
            # The answer names the kind of failure; the log says where (paths, hosts).
            logger.warning("healthz: %s failed: %s: %s", name, type(e).__name__, e)
            result = {"ok": False, "error": type(e).__name__}
        result["ms"] = round((time.perf_counter() - start) * 1000, 1)
        results[name] = result
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503)
