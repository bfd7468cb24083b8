"""The print cache: rendered PDFs, content-addressed, kept in a Django Storage.

A key is the SHA-256 of the print stylesheets' and fonts' version and of the text that
was rendered (a piece's HTML with its paper state, a sheaf's pieces, a book's cover and
contents, its page numbers), so a key never needs invalidating: what changes gets a new
key. Two kinds of file:

- `<key>.pdf`: a rendered PDF (a sheaf of pieces, a cover and contents, page numbers);
- `<key>.piece`: where a laid-out piece is: the key of its sheaf and its pages there.

The storage is the "print_cache" alias of settings.STORAGES when there is one (a Storage
off this machine, later), else a FileSystemStorage at settings.PRINT_CACHE_DIR whose files
appear whole (written under a temporary name, then renamed), since several processes
read and write the same keys. Files not served for KEEP_DAYS are deleted by prune(), which
each process runs at most every PRUNE_EVERY seconds; a piece whose sheaf is gone is simply
laid out again.

There is no in-memory copy on top of the storage: a book reads each file it needs once
(its sheafs, a small `.piece` file per piece, cover and contents, page numbers). Dropping
the 200 MB per-process copy cost nothing measurable on the 30-table book (bench/print.py,
and 20 books in a row, load about 2 on 2 cores): nothing changed 46-48 ms without it,
48-52 ms with it; one table changed 124-132 ms without, 130-134 ms with.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

from perfgoals.printing.fetcher import STATIC_DIR

KEEP_DAYS = 30  # a cached file not served for this long is deleted
PRUNE_EVERY = 3600  # seconds; each process prunes at most this often
ALIAS = "print_cache"
SUFFIXES = (".pdf", ".piece")


class CacheFileStorage(FileSystemStorage):
    """A FileSystemStorage for content-addressed files: saving a name that exists replaces
    it, and a reader in another process sees the old file or the new one, never half of one."""

    def __init__(self, location) -> None:
        super().__init__(location=location, allow_overwrite=True)

    def _save(self, name: str, content) -> str:
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp{os.getpid()}-{threading.get_ident()}"
        with open(tmp, "wb") as out:
            for chunk in content.chunks():
                out.write(chunk)
        os.replace(tmp, path)
        return name


_local: dict[str, CacheFileStorage] = {}


def storage() -> Storage:
    """Where the cache is: STORAGES["print_cache"], else PRINT_CACHE_DIR on this machine."""
    if ALIAS in settings.STORAGES:
        return storages[ALIAS]
    location = str(settings.PRINT_CACHE_DIR)
    if location not in _local:
        _local[location] = CacheFileStorage(location)
    return _local[location]


def css_version() -> str:
    """Part of every key: a change to the print stylesheets or fonts re-renders everything."""
    digest = hashlib.sha256()
    for name in ("ua.css", "print.css", "furniture.css", "fonts/fonts.sha256"):
        path = STATIC_DIR / "print" / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def key(text: str) -> str:
    return hashlib.sha256((css_version() + text).encode()).hexdigest()


# ---- reading and writing ------------------------------------------------------------------


def _read(name: str) -> bytes | None:
    where = storage()
    try:
        with where.open(name, "rb") as file:
            data = file.read()
    except FileNotFoundError:  # never written, or pruned
        return None
    _served(where, name, data)
    return data


def _served(where: Storage, name: str, data: bytes) -> None:
    """Mark a file as in use, so that prune() keeps it: its modified time is now."""
    try:
        path = where.path(name)
    except NotImplementedError:  # not on this machine's disk: rewritten at most daily
        if where.get_modified_time(name) < timezone.now() - timedelta(days=1):
            _write(name, data)
        return
    try:
        os.utime(path)
    except FileNotFoundError:  # pruned meanwhile by another process
        pass


def _write(name: str, data: bytes) -> None:
    where = storage()
    if type(where) is not CacheFileStorage:
        where.delete(name)  # a Storage that does not overwrite would save under another name
    where.save(name, ContentFile(data))
    if time.monotonic() - _pruned[0] > PRUNE_EVERY:
        prune()


def get(key: str) -> bytes | None:
    """A rendered PDF by key, if the cache has it."""
    return _read(f"{key}.pdf")


def put(key: str, pdf: bytes) -> None:
    _write(f"{key}.pdf", pdf)


@dataclass(frozen=True)
class Placement:
    """Where a laid-out piece is: pages [first, end) of a sheaf."""

    sheaf: str
    first: int
    end: int


def placement(key: str) -> Placement | None:
    """Where a piece laid out before is (its sheaf may have been pruned since)."""
    data = _read(f"{key}.piece")
    if data is None:
        return None
    sheaf, first, end = data.decode().split()
    return Placement(sheaf, int(first), int(end))


def place(key: str, where: Placement) -> None:
    _write(f"{key}.piece", f"{where.sheaf} {where.first} {where.end}\n".encode())


# ---- pruning ------------------------------------------------------------------------------------


_pruned = [-float("inf")]


def prune() -> int:
    """Delete what the cache has not served for KEEP_DAYS (drafts edited since, old sheafs).
    Returns how many files went."""
    _pruned[0] = time.monotonic()
    where = storage()
    oldest = timezone.now() - timedelta(days=KEEP_DAYS)
    try:
        names = [name for name in where.listdir("")[1] if name.endswith(SUFFIXES)]
    except FileNotFoundError:  # nothing cached yet
        return 0
    gone = 0
    for name in names:
        try:
            if where.get_modified_time(name) < oldest:
                where.delete(name)
                gone += 1
        except FileNotFoundError:  # pruned at the same moment by another process
            pass
    return gone
