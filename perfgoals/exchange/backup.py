"""Backup and restore (manage.py backup DIR / restore DIR).

A backup is a folder:

    manifest.json     what is in it: each file's size and sha256, the database vendor, the
                      migrations applied, when; restore checks every checksum first
    data.json         every row of the database (Django's JSON serialization, natural keys
                      for content types and permissions, primary keys kept): what restore loads
    exchange.json     every table and plan in the exchange format (perfgoals/exchange/jsonexport.py),
                      readable by other systems; not needed by restore
    files/print-cache/…  the stored PDFs and pieces of the print cache (its storage, local or not)
    perfgoals.sqlite3 on SQLite only: the raw database, copied with SQLite's online backup API
                      while the app runs (a second way back: put it in place with the app stopped)

On PostgreSQL, pg_dump is the raw copy's counterpart (README); data.json restores into
any of the two databases.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import django
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from perfgoals.exchange.jsonexport import export
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.printing import cache
from perfgoals.units.models import Unit

FORMAT = 1
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]  # made by migrate; sessions are not worth keeping
CACHE_DIR = "files/print-cache"


class BackupError(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _storage_files(storage, folder: str = "") -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing printed yet on a new installation: no cache folder
        if folder:
            raise
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += _storage_files(storage, f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def _migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def backup(folder: Path) -> dict:
    """Write a backup into `folder` (created; it must be empty). Returns the manifest. A
    backup that fails part way leaves the folder empty again, not half a backup."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"备份目录 {folder} 不是空的。")
    try:
        return _write(folder)
    except BaseException:
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        raise


def _write(folder: Path) -> dict:
    with transaction.atomic():  # one consistent moment for the rows and the exchange format
        call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(folder / "data.json"),
                     verbosity=0)  # fmt: skip
        exchange = export(ProjectTable.objects.order_by("unit__code", "year", "position", "id"),
                          DepartmentPlan.objects.order_by("unit__code", "year", "id"))  # fmt: skip
    (folder / "exchange.json").write_text(json.dumps(exchange, ensure_ascii=False, indent=1), encoding="utf-8")

    storage = cache.storage()
    for name in _storage_files(storage):
        target = folder / CACHE_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name) as source:
            target.write_bytes(source.read())

    raw_copy = "none (not SQLite: use pg_dump)"
    if connection.vendor == "sqlite":
        source = str(connection.settings_dict["NAME"])
        if connection.is_in_memory_db():
            raw_copy = "none (an in-memory database)"
        else:
            sqlite_copy(Path(source), folder / "perfgoals.sqlite3")
            raw_copy = "perfgoals.sqlite3"

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "django": django.get_version(),
        "database": connection.vendor,
        "migrations": _migrations(),
        "raw_copy": raw_copy,
        "files": [{"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size, "sha256": sha256(p)}
                  for p in files],  # fmt: skip
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API, on a connection of its own: a consistent copy of what is
    committed, while the app goes on reading and writing."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def verify(folder: Path) -> dict:
    """The manifest, once every file it lists is there with its size and checksum."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackupError(f"{folder} 不是备份目录（manifest.json 无法读取：{e}）。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持。")
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if ".." in Path(entry["path"]).parts or not path.is_file():
            raise BackupError(f"备份缺少文件 {entry['path']}。")
        if path.stat().st_size != entry["bytes"] or sha256(path) != entry["sha256"]:
            raise BackupError(f"备份文件 {entry['path']} 的校验和不符，文件已损坏或被修改。")
    return manifest


def is_empty() -> bool:
    """No people, units or documents yet (a migrated database has only the shipped frameworks)."""
    return not any(model.objects.exists() for model in (User, Unit, ProjectTable, DepartmentPlan))


def restore(folder: Path) -> dict:
    """Load a verified backup into an empty, migrated database, and its files into storage."""
    manifest = verify(folder)
    if not is_empty():
        raise BackupError("数据库不是空的：只能恢复到新建（已 migrate、无用户和单位）的数据库。")
    missing = {tuple(m) for m in manifest["migrations"]} - {tuple(m) for m in _migrations()}
    if missing:
        raise BackupError(f"数据库缺少备份时已有的迁移，请先运行 migrate：{sorted(missing)[:5]}")
    with transaction.atomic():
        call_command("loaddata", str(folder / "data.json"), verbosity=0)
    storage = cache.storage()
    for entry in manifest["files"]:
        if entry["path"].startswith(CACHE_DIR + "/"):
            name = entry["path"][len(CACHE_DIR) + 1:]
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, ContentFile((folder / entry["path"]).read_bytes()))
    return manifest
