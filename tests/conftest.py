"""The cast and the data every test starts from.

The test database is migrated (which ships the four frameworks) and the five seed
documents are imported once per session, as on a fresh install (on the SQLite pass under
pytest-xdist, once per run: tests/seeded_db.py); each test runs in a transaction that is
rolled back.
"""

import os
import sqlite3
from decimal import Decimal

import pytest
import xdist
from django.apps import apps
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.dispatch import receiver
from django.test import TransactionTestCase
from django.test.signals import setting_changed

from perfgoals.frameworks.models import Framework
from perfgoals.units.models import Membership, Unit
from tests import seeded_db
from tests.sample import HEBEI_ROWS
from tests.seeded_db import SEED_FILES  # noqa: F401 (tests import it from here)

PASSWORD = "pw-for-tests-1"

_built: dict = {}  # the database built once for this run (tests/seeded_db.py), if there is one


def pytest_sessionstart(session):
    """The xdist controller, on the SQLite pass: build the database the workers start from,
    while they start (before xdist's own sessionstart, which starts them)."""
    if xdist.is_xdist_controller(session) and seeded_db.in_memory_sqlite():
        _built["builder"] = seeded_db.start_building(seeded_db.shared_file())


def pytest_unconfigure(config):
    builder = _built.get("builder")
    if builder is not None and builder.poll() is None:  # a run that needed no database, ended early
        builder.kill()
        builder.wait()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A worker given a built database creates its tables without migrations: they are
    replaced by the built database (django_db_setup, below)."""
    if seeded_db.in_memory_sqlite() and (path := seeded_db.built(seeded_db.shared_file())):
        _built["path"] = path
        connection.settings_dict["TEST"]["MIGRATE"] = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if "path" in _built:
            connection.settings_dict["TEST"]["MIGRATE"] = True
            seeded_db.copy_into(_built["path"], connection)
        else:
            seeded_db.load_seeds()


_seeded: dict = {}  # the serialized start state and the pytest-django db blocker


@pytest.fixture(scope="session")
def seeded_state(django_db_setup, django_db_blocker) -> None:
    """For transactional tests (the live server's, threads with their own connections):
    the database as every test starts from it (migrated, seeds loaded), kept before the
    first of them changes it, and put back after each of them.

    On the in-memory SQLite database of the SQLite pass, a copy made with SQLite's backup
    API is copied back over the database instead of Django's flush (milliseconds instead of
    about a second a test); elsewhere the database is flushed, then the state serialized
    here is loaded back."""
    if "state" not in _seeded:
        with django_db_blocker.unblock():
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                connection.ensure_connection()
                _seeded["sqlite"] = sqlite3.connect(":memory:", check_same_thread=False)
                connection.connection.backup(_seeded["sqlite"])
            _seeded["state"] = connection.creation.serialize_db_to_string()
        _seeded["blocker"] = django_db_blocker


def _fixture_teardown(self) -> None:
    """TransactionTestCase's teardown (a flush), or the copy above put back."""
    copy = _seeded.get("sqlite")
    if copy is None or connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return _flush(self)
    connection.ensure_connection()
    copy.backup(connection.connection)


_flush = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _fixture_teardown


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # a transactional test has now emptied every table (unless the copy was put back)
    if nextitem is not None and "state" in _seeded and "sqlite" not in _seeded and "seeded_state" in item.fixturenames:
        with _seeded["blocker"].unblock():
            _restore(_seeded["state"])


def _restore(state: str) -> None:
    """Load the serialized start state back, and move the id sequences past it.

    The test's flush re-created content types and permissions (post_migrate) with new
    ids, so whatever is in the tables is deleted first. One bulk insert per model: row
    by row, as Django's serialized rollback does it, takes seconds per test."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    rows = list(serializers.deserialize("json", state, using=connection.alias))
    by_model: dict = {}
    for row in rows:
        by_model.setdefault(type(row.object), []).append(row.object)
    with transaction.atomic(), connection.constraint_checks_disabled():
        for model in models:
            if model._base_manager.exists():
                model._base_manager.all()._raw_delete(connection.alias)
        for model, objects in by_model.items():
            model._base_manager.bulk_create(objects)
        for row in rows:
            for field, values in (row.m2m_data or {}).items():
                if values:
                    getattr(row.object, field).set(values)
    connection.check_constraints(table_names=[model._meta.db_table for model in by_model])
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


_handler: dict = {}  # the test clients' request handler, its middleware loaded


# The settings that middleware reads when it is built (settings.MIDDLEWARE): SecurityMiddleware's
# SECURE_*, WhiteNoise's static files (DEBUG, STATIC_*, FORCE_SCRIPT_NAME, WHITENOISE_*), the
# session engine. Every other middleware, ours included, reads settings per request.
BUILT_FROM = ("MIDDLEWARE", "DEBUG", "SECURE_", "STATIC_", "FORCE_SCRIPT_NAME", "WHITENOISE_", "SESSION_ENGINE")


@receiver(setting_changed)
def _forget_handler(setting, **kwargs):
    """A test that changes one of the settings above gets the middleware built again with it,
    and so does the next. Not for other settings: building it indexes every static file again
    (WhiteNoise, 20 ms), when a test changes a setting and again when it is put back."""
    if "handler" in _handler and setting.startswith(BUILT_FROM):
        _handler["handler"].load_middleware()


@pytest.fixture
def client(client):
    """pytest-django's test client, with one request handler for the session: its middleware
    is built once, as a server builds it once per process, not once per test (WhiteNoise
    indexes every static file when it starts)."""
    client.handler = _handler.setdefault("handler", client.handler)
    return client


def make_user(username: str, unit: Unit | None, role: str, **extra) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **extra)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def warm_vocabulary(db) -> None:
    """The review's vocabulary (a per-process cache of the template library) built for the
    database as this test finds it, so that a query count does not include building it:
    the test before, in this process, may have left it built for another library."""
    from perfgoals.review.rules.vocabulary import vocabulary

    vocabulary()


@pytest.fixture
def hebei(db) -> Framework:
    return Framework.objects.get(code="hebei-project")


@pytest.fixture
def unit(db) -> Unit:
    return Unit.objects.create(code="990001", name="测试县测试局本级")


@pytest.fixture
def other_unit(db) -> Unit:
    return Unit.objects.create(code="990002", name="测试县另一局本级")


@pytest.fixture
def clerk(unit) -> User:
    return make_user("clerk", unit, Membership.CLERK)


@pytest.fixture
def supervisor(unit) -> User:
    return make_user("supervisor", unit, Membership.SUPERVISOR)


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin", None, Membership.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def other_clerk(other_unit) -> User:
    return make_user("otherclerk", other_unit, Membership.CLERK)


@pytest.fixture
def make_table(unit, hebei):
    """A clean, complete Hebei table: every level-2 row filled, money adding up."""
    from perfgoals.goals.models import Goal, Indicator, ProjectTable
    from perfgoals.goals.values import parse_value

    rows = HEBEI_ROWS

    def make(**fields) -> ProjectTable:
        defaults = dict(
            unit=unit,
            year=2026,
            framework=hebei,
            project_code="13099926P000000000001",
            project_name="安全生产培训经费",
            budget_total=Decimal("5.00"),
            budget_fiscal=Decimal("5.00"),
            budget_other=Decimal("0.00"),
            fund_use="用于组织全县安全生产专题培训。",
            spend_mar=Decimal("25"),
            spend_jun=Decimal("50"),
            spend_oct=Decimal("75"),
            spend_dec=Decimal("100"),
        )
        defaults.update(fields)
        table = ProjectTable.objects.create(**defaults)
        Goal.objects.create(table=table, text="组织全县安全生产专题培训，提高企业安全管理水平。", order=1)
        for order, level2 in enumerate(hebei.level2_list()):
            name, description, value = rows[level2.name]
            indicator = Indicator(
                table=table, level2=level2, name=name, description=description,
                basis="遵安办【2018】36号", order=order,
            )
            indicator.value = parse_value(value, name=name)
            indicator.save()
        return table

    return make


@pytest.fixture
def table(make_table):
    """A clean, complete Hebei table of the unit (make_table's defaults)."""
    return make_table()


@pytest.fixture
def client_clerk(client, clerk):
    """The test client, signed in as the unit's clerk."""
    client.force_login(clerk)
    return client


# The PostgreSQL pass (bin/test, DB=postgres) runs the tests that touch the database;
# the pure-Python ones (value parsing, text readers, …) already ran on SQLite.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}

# Under pytest-xdist (bin/test runs `-n 2`), the tests that share costly work run on one
# worker, one after the other, so that it is done once: the seed documents printed (a session
# fixture of tests/test_printing_seeds.py) and the crawl of every link as each role
# (tests/test_crawl.py), which prints the same seed books, and the same tables and plans for
# each role: the run's print cache has them from the first that printed them. (On two workers
# at once, each printed everything.)
# Each other test is scheduled on its own; the browser tests are spread over the workers
# too (each worker starts its Chromium and live server once, about 2 s, and the browser
# tests are a third of the suite's time: on one worker they were its longest pole).
# (The xdist_group mark would say the same per test, but xdist 3.8's --dist loadgroup
# no longer groups under pytest 9: pytest-xdist issue 1386.)
SHARED_SCOPES = {"tests/test_printing_seeds.py::": "printed seeds", "tests/test_crawl.py::": "printed seeds"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":  # the default; another --dist is left as asked
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        """LoadScopeScheduling with the scopes above; with more tests than any single test,
        they are sent out first (xdist orders scopes by size), one to each worker."""

        def _split_scope(self, nodeid: str) -> str:
            return next((scope for prefix, scope in SHARED_SCOPES.items() if nodeid.startswith(prefix)), nodeid)

    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    if os.getenv("DB") != "postgres":
        return
    kept, skipped = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses_db else skipped).append(item)
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept
