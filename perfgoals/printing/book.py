"""The department book (部门预算绩效目标文本): cover, contents, 第一部分 the department plan,
第二部分 every project table, page numbers `— N —` and PDF bookmarks.

The plan and each table is a *piece*: its content and its paper state (watermark, approval
line). Pieces not already in the cache are laid out on both cores, several pieces with
the same paper state as one document (a *sheaf*: one style cascade, one font subset and
one PDF to write instead of one per piece, a fifth less work). The cache, in memory and
in DATA_DIR/print-cache (files unused for 30 days are pruned), keeps each sheaf's PDF and, for each piece, keyed by the hash of
its HTML, the sheaf and pages it sits on: an approved table never changes, and when one
table of thirty is edited only that one is laid out again. The pages are then merged
with pikepdf (qpdf); the cover and contents are rendered last, when the page each piece
starts on is known, and the page numbers are laid over the merged pages from one
document of empty pages that uses the same furniture.css as a standalone print.
"""

from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pikepdf
from django.conf import settings

from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.printing import render
from perfgoals.printing.fetcher import STATIC_DIR
from perfgoals.units.models import Unit

logger = logging.getLogger("perfgoals.printing")

PART_TWO = "第二部分 预算项目绩效目标"
WORKERS = max(1, min(2, os.cpu_count() or 1))


# ---- what goes in the book -------------------------------------------------------------


def book_contents(
    unit: Unit, year: int, templates_only: bool = False
) -> tuple[DepartmentPlan | None, list[ProjectTable]]:
    """The unit's plan and tables for the year, latest revision of each, in `position` order.

    A unit's own documents are printed when it has any; otherwise its templates (the
    seed documents imported as the template library)."""
    tables = render.table_queryset().filter(unit=unit, year=year)
    plans = render.plan_queryset().filter(unit=unit, year=year)
    has_own = tables.filter(is_template=False).exists() or plans.filter(is_template=False).exists()
    use_templates = templates_only or not has_own
    tables, plans = tables.filter(is_template=use_templates), plans.filter(is_template=use_templates)
    superseded = set(ProjectTable.objects.filter(previous__isnull=False).values_list("previous_id", flat=True))
    latest = [t for t in tables.order_by("position", "id") if t.pk not in superseded]
    plan = plans.order_by("-revision").first()
    return plan, latest


# ---- the cache ------------------------------------------------------------------------------


def css_version() -> str:
    """Part of every cache key: a change to the print stylesheets or fonts re-renders everything."""
    digest = hashlib.sha256()
    for name in ("ua.css", "print.css", "furniture.css", "fonts/fonts.sha256"):
        path = STATIC_DIR / "print" / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def cache_dir():
    path = Path(getattr(settings, "PRINT_CACHE_DIR", settings.DATA_DIR / "print-cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


_memory: dict[Path, dict[str, object]] = {}  # cache directory -> key -> PDF bytes or Placement


def memory() -> dict[str, object]:
    """The in-memory copy of the current cache directory."""
    return _memory.setdefault(cache_dir(), {})


def cache_key(text: str) -> str:
    return hashlib.sha256((css_version() + text).encode()).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)


MEMORY_BYTES = 200 * 2**20  # PDFs kept in a process's memory; the disk cache keeps the rest


def remember(key: str, value: object) -> None:
    kept = memory()
    if len(kept) > 20000 or sum(len(v) for v in kept.values() if isinstance(v, bytes)) > MEMORY_BYTES:
        kept.clear()
    kept[key] = value


def cached(key: str) -> bytes | None:
    """A rendered PDF (sheaf, front, page numbers) by key."""
    if key not in memory() and (path := cache_dir() / f"{key}.pdf").exists():
        remember(key, path.read_bytes())
        path.touch()  # in use: kept by prune()
    return memory().get(key)


def store(key: str, pdf: bytes) -> None:
    remember(key, pdf)
    write_atomically(cache_dir() / f"{key}.pdf", pdf)
    if time.monotonic() - _pruned[0] > PRUNE_EVERY:
        prune()


KEEP_DAYS = 30  # a cached file not read for this long is deleted
PRUNE_EVERY = 3600  # seconds; each process prunes at most this often
_pruned = [-float("inf")]


def prune() -> int:
    """Delete what the cache has not served for KEEP_DAYS (drafts edited since, old sheafs);
    a piece whose sheaf is gone is simply laid out again. Returns how many files went."""
    _pruned[0] = time.monotonic()
    oldest = time.time() - KEEP_DAYS * 86400
    gone = 0
    for path in [*cache_dir().glob("*.pdf"), *cache_dir().glob("*.piece")]:
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
                gone += 1
        except FileNotFoundError:  # pruned at the same moment by another process
            pass
    return gone


@dataclass(frozen=True)
class Placement:
    """Where a laid-out piece is: pages [first, end) of a sheaf."""

    sheaf: str
    first: int
    end: int


def placement(key: str) -> Placement | None:
    """Where a piece laid out before is, if its sheaf is still in the cache."""
    if key not in memory() and (path := cache_dir() / f"{key}.piece").exists():
        sheaf, first, end = path.read_text().split()
        remember(key, Placement(sheaf, int(first), int(end)))
        path.touch()
    where = memory().get(key)
    return where if where is not None and cached(where.sheaf) is not None else None


def place(key: str, where: Placement) -> None:
    remember(key, where)
    write_atomically(cache_dir() / f"{key}.piece", f"{where.sheaf} {where.first} {where.end}\n".encode())


# ---- laying out pieces ------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """The plan or a table as the book prints it: its content and its paper state."""

    content: str
    watermark: str
    approval: str

    @property
    def state(self) -> tuple[str, str]:
        return self.watermark, self.approval

    @cached_property
    def key(self) -> str:
        return cache_key("\0".join(["piece", self.watermark, self.approval, self.content]))


Sheaf = tuple[bytes, list[int]]  # the PDF; the page each piece starts on, then the page count


def render_sheaf(job: tuple[list[str], str, str]) -> Sheaf:
    """Pieces (their contents, and the watermark and approval line they share) laid out
    as one document, without page numbers."""
    contents, watermark, approval = job
    html = render.document_html(contents, "", watermark, approval)
    try:
        document = render.html_to_document(html, furniture=False, relax=len(contents) == 1)
    except AssertionError:
        # A level-1 group of one piece is taller than a page. Lay out each piece on its own,
        # so that only that piece prints its groups across pages.
        return join([render_sheaf(([content], watermark, approval)) for content in contents])
    starts: dict[int, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("piece-"):
                starts.setdefault(int(anchor.removeprefix("piece-")), index)
    return document.write_pdf(), [*(starts[n] for n in range(len(contents))), len(document.pages)]


def join(sheafs: list[Sheaf]) -> Sheaf:
    out, starts = pikepdf.Pdf.new(), []
    sources = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf, _ in sheafs]  # open until saved
    for source in sources:
        starts.append(len(out.pages))
        out.pages.extend(source.pages)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue(), [*starts, len(out.pages)]


def sheafs(pieces: list[Piece], workers: int = WORKERS) -> list[list[Piece]]:
    """Pieces grouped for laying out: only pieces with the same paper state share a sheaf
    (it prints one watermark and one approval line), and each group is cut into up to
    `workers` runs of about equal length, so that both cores finish together."""
    groups: dict[tuple[str, str], list[Piece]] = {}
    for piece in pieces:
        groups.setdefault(piece.state, []).append(piece)
    runs = []
    for group in groups.values():
        share = sum(len(p.content) for p in group) / min(workers, len(group))
        run: list[Piece] = []
        for piece in group:
            if run and sum(len(p.content) for p in run) + len(piece.content) / 2 > share:
                runs.append(run)
                run = []
            run.append(piece)
        runs.append(run)
    return sorted(runs, key=lambda run: -sum(len(p.content) for p in run))


_pool: ProcessPoolExecutor | None = None


def pool() -> ProcessPoolExecutor:
    """Worker processes, forked once and kept. They start at once and load the fonts
    (render.warm_up) while this process is still reading the database."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"), initializer=render.warm_up)
        _pool.submit(int)  # the first job starts every worker
    return _pool


def run_jobs(function: Callable, jobs: list) -> list:
    """function(job) for each job, in the worker processes (whose fonts are loaded) when
    there are more cores than one."""
    if jobs and WORKERS > 1:
        try:
            return [future.result() for future in [pool().submit(function, job) for job in jobs]]
        except BrokenProcessPool:  # a worker was killed (out of memory, by hand): start afresh
            logger.warning("book: a print worker died; starting new workers")
            global _pool
            _pool = None
            return [future.result() for future in [pool().submit(function, job) for job in jobs]]
    return [function(job) for job in jobs]


def lay_out(pieces: list[Piece]) -> list[Placement]:
    """Where each piece's pages are, laying out those not in the cache."""
    todo = list({piece.key: piece for piece in pieces if placement(piece.key) is None}.values())
    runs = sheafs(todo)
    jobs = [([p.content for p in run], *run[0].state) for run in runs]
    for run, (pdf, starts) in zip(runs, run_jobs(render_sheaf, jobs)):
        sheaf = cache_key("sheaf" + "".join(p.key for p in run))
        store(sheaf, pdf)
        for n, piece in enumerate(run):
            place(piece.key, Placement(sheaf, starts[n], starts[n + 1]))
    logger.debug("book: %d pieces laid out in %d sheafs, %d from cache", len(todo), len(runs), len(pieces) - len(todo))
    return [placement(piece.key) for piece in pieces]


def render_front(html: str) -> bytes:
    """Cover and contents. The HTML ends with a blank page, kept only when the contents
    would otherwise end on a right-hand page, so that page 1 is a right-hand page."""
    document = render.print_html(html).render(stylesheets=list(render.stylesheets(False)), font_config=render.font_config())
    if len(document.pages) % 2:
        document = document.copy(document.pages[:-1])
    return document.write_pdf()


def render_overlay(html: str) -> bytes:
    """The page numbers of the merged pages: empty pages with furniture.css."""
    return render.html_to_pdf(html, furniture=True)


# ---- the book -------------------------------------------------------------------------------


@dataclass
class Entry:
    """A line of the contents and a bookmark: a part heading or a table."""

    title: str
    level: int  # 0 part, 1 table
    page: int = 0  # printed page number
    index: int = 0  # index of the physical page in the merged PDF


@dataclass
class Book:
    unit: Unit
    year: int
    plan: DepartmentPlan | None
    tables: list[ProjectTable]
    entries: list[Entry] = field(default_factory=list)

    @property
    def is_approved(self) -> bool:
        docs = [*self.tables, *([self.plan] if self.plan else [])]
        return bool(docs) and all(d.status == Status.APPROVED for d in docs)


def table_title(number: int, table: ProjectTable) -> str:
    return f"{number}.{render.table_title(table)}"


def front_html(book: Book) -> str:
    """Cover and table of contents (rendered last, when page numbers are known)."""
    return render.render_to_string("print/book_front.html", {
        "unit": book.unit,
        "year": book.year,
        "title": f"{book.unit.name}{book.year}年部门预算绩效目标文本",
        "entries": book.entries,
        "watermark": "" if book.is_approved else "草稿 · 未审核",
    })


def overlay_html(landscape: list[bool]) -> str:
    sheets = "".join(f'<div class="sheet{" landscape" if wide else ""}"></div>' for wide in landscape)
    return f'<!doctype html><html lang="zh-CN"><body>{sheets}</body></html>'


def is_landscape(page: pikepdf.Page) -> bool:
    box = page.mediabox
    return float(box[2] - box[0]) > float(box[3] - box[1])


def book_pieces(book: Book) -> list[Piece]:
    pieces = []
    if book.plan is not None:
        plan = book.plan
        pieces.append(Piece(render.plan_content(plan, in_book=True), render.watermark(plan), render.approval_line(plan)))
    for number, table in enumerate(book.tables, start=1):
        content = render.table_content(table, number=number, heading="第二部分" if number == 1 else "")
        pieces.append(Piece(content, render.watermark(table), render.approval_line(table)))
    return pieces


def render_book(unit: Unit, year: int, templates_only: bool = False) -> bytes:
    if WORKERS > 1:
        pool()
    plan, tables = book_contents(unit, year, templates_only)
    book = Book(unit, year, plan, tables)
    placements = lay_out(book_pieces(book))
    sources: dict[str, pikepdf.Pdf] = {}
    for where in placements:
        if where.sheaf not in sources:
            sources[where.sheaf] = pikepdf.Pdf.open(io.BytesIO(cached(where.sheaf)))
    pages = [[*sources[w.sheaf].pages[w.first:w.end]] for w in placements]

    page = 1
    if plan is not None:
        book.entries.append(Entry(f"第一部分 {unit.name}整体绩效目标", 0, page))
        page += len(pages[0])
    for number, (table, piece) in enumerate(zip(tables, pages[1:] if plan is not None else pages), start=1):
        if number == 1:
            book.entries.append(Entry(PART_TWO, 0, page))
        book.entries.append(Entry(table_title(number, table), 1, page))
        page += len(piece)

    landscape = [is_landscape(p) for piece in pages for p in piece]
    front, overlay = render_cached_pair(front_html(book), overlay_html(landscape))
    return assemble(book, front, [p for piece in pages for p in piece], overlay)


def render_cached_pair(front: str, overlay: str) -> tuple[bytes, bytes]:
    """Cover and contents, and the page numbers: rendered (together, on both cores) unless
    the same HTML was rendered before."""
    jobs = [(render_front, front), (render_overlay, overlay)]
    keys = [cache_key(function.__name__ + html) for function, html in jobs]
    todo = [(key, job) for key, job in zip(keys, jobs) if cached(key) is None]
    for (key, _), pdf in zip(todo, run_jobs(call, [job for _, job in todo])):
        store(key, pdf)
    return cached(keys[0]), cached(keys[1])


def call(job: tuple[Callable[[str], bytes], str]) -> bytes:
    function, html = job
    return function(html)


def assemble(book: Book, front: bytes, pages: list[pikepdf.Page], overlay: bytes) -> bytes:
    """Cover and contents, then every piece's pages, page numbers laid over, bookmarks added."""
    out = pikepdf.Pdf.open(io.BytesIO(front))
    first_numbered = len(out.pages)
    out.pages.extend(pages)
    numbers = pikepdf.Pdf.open(io.BytesIO(overlay))
    for page, stamp in zip(out.pages[first_numbered:], numbers.pages):
        page.add_overlay(stamp)
    with out.open_outline() as outline:
        outline.root.clear()
        part = None
        for entry in book.entries:
            entry.index = first_numbered + entry.page - 1
            item = pikepdf.OutlineItem(entry.title, entry.index)
            if entry.level == 1 and part is not None:
                part.children.append(item)
            else:
                outline.root.append(item)
                part = item if entry.level == 0 else None
    out.docinfo["/Title"] = f"{book.unit.name}{book.year}年部门预算绩效目标文本"
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
