"""The database every test starts from (migrated, seed documents loaded), built once per run.

Migrating the test database costs about 8 s of CPU here (47 migrations: Django renders the
models' state again for most of them), loading the five seed documents 1.5 s more. Under
pytest-xdist every worker did both, for an in-memory SQLite database of its own. On the
SQLite pass under xdist, the process that starts the workers (xdist's controller) now runs
`python -m tests.seeded_db FILE` when the session starts: that process migrates an
in-memory test database and loads the seeds, exactly as a worker did, while the workers
start and collect, and writes the result to FILE (in the run's own directory). Each worker
then creates its tables without migrations (half a second: they are overwritten at once)
and copies FILE over them with SQLite's backup API. The migrations still run, once a run.

Without xdist (`-n 0`, or a path named to bin/test) and on PostgreSQL, each process
migrates its own test database and loads the seeds itself, as before.

The builder also saves the database as the migrations left it, before the seeds
(migrated.sqlite3 beside FILE): tests/test_values.py's migration test starts from a copy of
it instead of migrating every app from nothing again in a process of its own (5.5 s of CPU).

The builder holds an exclusive lock on FILE.lock from before the workers start until it
is done (it inherits the lock the controller took); a worker takes a shared lock on it,
so it waits just as long as the building takes, without polling.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "perfgoals" / "exchange" / "seeds"
SEED_FILES = sorted(SEED_DIR.glob("*.txt"))


def load_seeds() -> None:
    from django.core.management import call_command

    call_command("load_seed_documents", *map(str, SEED_FILES), verbosity=0, skip_checks=True)


def shared_file() -> Path:
    """Where this run's built database goes: the run's own directory (perfgoals/test_settings.py),
    which the workers inherit from the controller."""
    return Path(os.environ["PERFGOALS_TEST_DIR"]) / "seeded.sqlite3"


def _lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _log_file(path: Path) -> Path:
    return path.with_name(path.name + ".log")


def in_memory_sqlite() -> bool:
    """Whether the test database is SQLite's in-memory one (the SQLite pass)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    return database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME")


def start_building(path: Path) -> subprocess.Popen:
    """Build the database into `path` in a new process (the xdist controller calls this
    before it starts the workers); the new process holds the lock until it is done."""
    lock = open(_lock_file(path), "w")  # noqa: SIM115 — handed to the builder, then closed here
    fcntl.flock(lock, fcntl.LOCK_EX)
    with open(_log_file(path), "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "tests.seeded_db", str(path)],
                                   pass_fds=(lock.fileno(),), stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT)  # fmt: skip
    lock.close()  # the builder's copy keeps the lock
    return process


def built(path: Path) -> Path | None:
    """`path` once its builder is done, or None when no builder was started for this run
    (the caller migrates its own database). Raises with the builder's output when it failed."""
    if not _lock_file(path).exists():
        return None
    with open(_lock_file(path)) as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # until the builder has finished, one way or the other
    if not path.exists():
        raise RuntimeError(f"building the test database failed:\n{_log_file(path).read_text()}")
    return path


def migrated_file(path: Path) -> Path:
    """The database as the migrations leave it, before the seeds are loaded: the builder saves
    it beside `path` on its way (every app migrated from nothing, as `manage.py migrate` does)."""
    return path.with_name("migrated.sqlite3")


def built_migrated() -> Path | None:
    """This run's migrated database without the seeds, once the builder is done; None when
    no builder was started for this run (`-n 0`, or PostgreSQL)."""
    path = built(shared_file()) if in_memory_sqlite() else None
    return migrated_file(path) if path is not None else None


def copy_into(path: Path, connection) -> None:
    """Put the built database in `path` in place of what `connection`'s database holds."""
    from django.contrib.contenttypes.models import ContentType

    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    ContentType.objects.clear_cache()  # the ids of the tables' creation, not those copied in


def _build(path: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.test_settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment

    setup_test_environment()  # as pytest-django does before it creates the test database
    setup_databases(verbosity=0, interactive=False)
    connection.ensure_connection()
    _save(connection, migrated_file(path))  # before the seeds: tests/test_values.py's migration test
    load_seeds()
    _save(connection, path)  # last: its existence says the build succeeded (built())


def _save(connection, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, path)


if __name__ == "__main__":
    _build(Path(sys.argv[1]))  # the lock (an inherited file descriptor) goes when this process ends
