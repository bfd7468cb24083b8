"""Uploads kept between a preview and its confirmation, and swept when abandoned.

The import page (in the default storage, shared by every app server), the editor's 导入指标
and the admin's import (in folders under DATA_DIR) keep the file a user previewed until
it is confirmed. A preview nobody confirms (the tab closed, the session expired) would
leave its file there for ever: every time a file is kept, the files beside it older than
KEEP_DAYS are removed first.
"""

from __future__ import annotations

import posixpath
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
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
