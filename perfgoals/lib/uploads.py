"""Uploads kept between a preview and its confirmation, and swept when abandoned.

The import page and the editor's 导入指标 keep the file a user previewed in the default
storage (`keep_pending` / `read_pending` / `forget_pending`: any app server may answer the
confirmation); the admin's import keeps it in a folder under DATA_DIR (`keep_file`). A preview nobody confirms (the tab closed, the session expired) would
leave its file there for ever: every time a file is kept, the files beside it older than
KEEP_DAYS are removed first.
"""

from __future__ import annotations

import posixpath
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils import timezone

KEEP_DAYS = 1  # a preview not confirmed within a day is abandoned


def keep(storage: Storage, name: str, data: bytes) -> str:
    """Save `data` as `name` (folder/file, a name of ours, never the user's) in the storage,
    after sweeping the files beside it."""
    sweep(storage, posixpath.dirname(name))
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def keep_file(path: Path, data: bytes) -> Path:
    """`keep` for a file on this machine's disk (a folder of DATA_DIR, made private)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keep(FileSystemStorage(location=path.parent), path.name, data)
    return path


def sweep(storage: Storage, folder: str = "", days: float = KEEP_DAYS) -> int:
    """Remove the files in the storage's `folder` older than `days`; how many were removed."""
    try:
        _, names = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    stale, removed = timezone.now() - timedelta(days=days), 0
    for name in names:
        name = posixpath.join(folder, name)
        try:
            if storage.get_modified_time(name) < stale:
                storage.delete(name)
                removed += 1
        except FileNotFoundError:  # another request swept it first
            continue
    return removed


def pending_name(token: str, prefix: str = "") -> str:
    """Where an upload waits for its confirmation in the default storage (the token is the
    session's; only its letters, digits, - and _ make the name)."""
    return "imports/" + prefix + "".join(c for c in token if c.isalnum() or c in "-_")


def keep_pending(name: str, data: bytes) -> str:
    return keep(default_storage, name, data)


def read_pending(name: str) -> bytes:
    """The upload waiting under `name`; FileNotFoundError when it was confirmed elsewhere or swept."""
    with default_storage.open(name, "rb") as file:
        return file.read()


def forget_pending(name: str) -> None:
    default_storage.delete(name)  # no error when it is gone already
