"""manage.py backup DIR / restore DIR: everything comes back as it was."""

import json
import re
import sqlite3
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from perfgoals.exchange.backup import sha256, sqlite_copy
from perfgoals.frameworks.models import Column, Framework, Level1, Level2, PrintLayout
from perfgoals.printing import cache
from perfgoals.review.models import KeptHint, RuleSwitch
from perfgoals.workflow import workflow
from perfgoals.workflow.models import Comment

KEPT_BY_MIGRATE = {ContentType, Permission}  # a migrated database has them: not backed up
SHIPPED = {Framework, Level1, Level2, Column, PrintLayout, RuleSwitch}  # the frameworks the migrations ship


def models():
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and m not in KEPT_BY_MIGRATE | {Session}]  # fmt: skip


def snapshot() -> dict[str, list]:
    """Every row of every model, as JSON, by model. Django's JSON keeps times to the
    millisecond (a backup too): 12:00:01.000300 is written 12:00:01.000 and comes back 12:00:01."""
    return {m._meta.label: json.loads(re.sub(r"\.000(Z|[+-]\d\d:\d\d)", r"\1",
                                             serializers.serialize("json", m._base_manager.order_by("pk"))))
            for m in models()}  # fmt: skip


def wipe() -> None:
    """What a new, migrated database holds: no rows but the content types, permissions and shipped frameworks."""
    for model in reversed(models()):
        if model not in SHIPPED:
            model._base_manager.all()._raw_delete(connection.alias)


@pytest.fixture
def world(make_table, clerk, supervisor, tmp_path, settings):
    settings.PRINT_CACHE_DIR = tmp_path / "print-cache"
    table = make_table()
    workflow.submit(table, clerk)
    Comment.objects.create(unit=table.unit, table=table, indicator=table.indicators.first(), author=supervisor,
                           text="请核对指标值。")  # fmt: skip
    KeptHint.objects.create(code="TEXT_DESCRIPTION_REPEATS_NAME", target="table", reason="保留", user=clerk, table=table)
    storage = cache.storage()
    storage.save("ab/abcdef.pdf", ContentFile(b"%PDF-1.7 a stored table"))
    storage.save("0123.piece", ContentFile(b"a stored piece"))
    return table


def test_backup_then_restore_into_an_empty_database_recreates_everything(world, tmp_path):
    before = snapshot()
    files_before = {name: cache.storage().open(name).read() for name in ("ab/abcdef.pdf", "0123.piece")}
    folder = tmp_path / "backup"
    call_command("backup", str(folder), verbosity=0)

    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    assert {"data.json", "exchange.json", "files/print-cache/ab/abcdef.pdf", "files/print-cache/0123.piece"} <= set(listed)
    for path, entry in listed.items():
        assert sha256(folder / path) == entry["sha256"] and (folder / path).stat().st_size == entry["bytes"]
    exchange = json.loads((folder / "exchange.json").read_text())
    assert world.project_name in json.dumps(exchange, ensure_ascii=False)
    assert manifest["raw_copy"].startswith("none")  # the test database is in memory (or PostgreSQL)

    wipe()
    for name in files_before:
        cache.storage().delete(name)
    call_command("restore", str(folder), verbosity=0)

    after = snapshot()
    for label in before:  # model by model, so a difference names its model and row
        assert after[label] == before[label], label
    assert {name: cache.storage().open(name).read() for name in files_before} == files_before
    with pytest.raises(CommandError, match="不是空的"):  # only into an empty database
        call_command("restore", str(folder), verbosity=0)


def test_a_damaged_backup_is_refused_before_anything_is_loaded(world, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), verbosity=0)
    wipe()
    data = folder / "data.json"
    data.write_text(data.read_text().replace("请核对指标值。", "请核对指标值！"))
    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(folder), verbosity=0)
    assert not Comment.objects.exists()


def test_a_new_installation_that_never_printed_is_backed_up_and_restored(make_table, tmp_path, settings):
    settings.PRINT_CACHE_DIR = tmp_path / "print-cache"  # not made until something is printed
    make_table()
    before = snapshot()
    folder = tmp_path / "backup"

    call_command("backup", str(folder), verbosity=0)

    listed = {f["path"] for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert {"data.json", "exchange.json"} <= listed and not any(p.startswith("files/") for p in listed)
    wipe()
    call_command("restore", str(folder), verbosity=0)
    assert snapshot() == before


def test_a_backup_that_fails_part_way_leaves_the_folder_empty(make_table, tmp_path, settings):
    (tmp_path / "not-a-folder").write_text("x")
    settings.PRINT_CACHE_DIR = tmp_path / "not-a-folder"  # the rows are written before the cache is read
    make_table()
    folder = tmp_path / "backup"

    with pytest.raises(NotADirectoryError):
        call_command("backup", str(folder), verbosity=0)

    assert folder.is_dir() and not any(folder.iterdir())  # a second try may use it


def test_backup_wants_an_empty_folder(world, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path / "full"), verbosity=0)


def test_the_raw_sqlite_copy_is_consistent_while_another_connection_writes(tmp_path):
    source = tmp_path / "live.sqlite3"
    db = sqlite3.connect(source)
    db.execute("pragma journal_mode=wal")
    db.execute("create table t (n integer)")
    db.executemany("insert into t values (?)", [(n,) for n in range(1000)])
    db.commit()
    db.execute("begin immediate")
    db.execute("insert into t values (-1)")  # not committed while the copy is made
    copier = threading.Thread(target=sqlite_copy, args=(source, tmp_path / "copy.sqlite3"))
    copier.start()
    copier.join(timeout=30)
    assert not copier.is_alive()
    db.rollback()
    db.close()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("select count(*), min(n) from t").fetchone() == (1000, 0)
    copy.close()
