"""The department book (部门预算绩效目标文本): cover, contents, 第一部分 the department plan,
第二部分 every project table, page numbers `— N —` and PDF bookmarks.

Each piece (the plan, each table) is rendered as its own document without page numbers,
on both cores, and kept in a cache keyed by the hash of its HTML: an approved table never
changes, and when one table of thirty is edited only that one is laid out again. The
pieces are then merged with pikepdf (qpdf); the cover and contents are rendered last, when the
page each piece starts on is known, and the page numbers are laid over the merged pages
from one document of empty pages that uses the same furniture.css as a standalone print.
"""

from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
import pikepdf

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


# ---- pieces and their cache ---------------------------------------------------------------


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


_memory: dict[str, bytes] = {}


def cache_key(html: str) -> str:
    return hashlib.sha256((css_version() + html).encode()).hexdigest()


def cached(key: str) -> bytes | None:
    if key in _memory:
        return _memory[key]
    path = cache_dir() / f"{key}.pdf"
    if path.exists():
        _memory[key] = path.read_bytes()
        return _memory[key]
    return None


def store(key: str, pdf: bytes) -> None:
    if len(_memory) > 500:
        _memory.clear()
    _memory[key] = pdf
    tmp = cache_dir() / f"{key}.tmp{os.getpid()}"
    tmp.write_bytes(pdf)
    tmp.replace(cache_dir() / f"{key}.pdf")


def render_piece(html: str) -> bytes:
    """One piece of a book: its own document, without page numbers."""
    return render.html_to_pdf(html, furniture=False)


_pool: ProcessPoolExecutor | None = None


def pool() -> ProcessPoolExecutor:
    """Worker processes forked once from a process whose fonts are already loaded."""
    global _pool
    if _pool is None:
        render.html_to_pdf("<html lang=zh-CN><body>预热</body></html>", furniture=False)
        _pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))
    return _pool


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


def render_all(jobs: list[tuple[Callable[[str], bytes], str]]) -> list[bytes]:
    """Run (renderer, html) jobs not already cached, in parallel when there is more than one."""
    keys = [cache_key(fn.__name__ + html) for fn, html in jobs]
    results = {key: pdf for key in keys if (pdf := cached(key)) is not None}
    todo = {key: job for key, job in zip(keys, jobs) if key not in results}
    if len(todo) > 1 and WORKERS > 1:
        futures = {key: pool().submit(fn, html) for key, (fn, html) in todo.items()}
        rendered = ((key, future.result()) for key, future in futures.items())
    else:
        rendered = ((key, fn(html)) for key, (fn, html) in todo.items())
    for key, pdf in rendered:
        store(key, pdf)
        results[key] = pdf
    logger.debug("book: %d documents rendered, %d from cache", len(todo), len(keys) - len(todo))
    return [results[key] for key in keys]


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
    return f"{number}.{table.project_name}绩效目标表"


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


def render_book(unit: Unit, year: int, templates_only: bool = False) -> bytes:
    plan, tables = book_contents(unit, year, templates_only)
    book = Book(unit, year, plan, tables)
    htmls = []
    if plan is not None:
        htmls.append(render.plan_html(plan, in_book=True))
    for number, table in enumerate(tables, start=1):
        heading = "第二部分" if number == 1 else ""
        htmls.append(render.table_html(table, number=number, heading=heading))
    pieces = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf in render_all([(render_piece, html) for html in htmls])]

    page = 1
    if plan is not None:
        book.entries.append(Entry(f"第一部分 {unit.name}整体绩效目标", 0, page))
        page += len(pieces[0].pages)
    table_pieces = pieces[1:] if plan is not None else pieces
    for number, (table, piece) in enumerate(zip(tables, table_pieces), start=1):
        if number == 1:
            book.entries.append(Entry(PART_TWO, 0, page))
        book.entries.append(Entry(table_title(number, table), 1, page))
        page += len(piece.pages)

    landscape = [is_landscape(p) for piece in pieces for p in piece.pages]
    front, overlay = render_all([(render_front, front_html(book)), (render_overlay, overlay_html(landscape))])
    return assemble(book, front, pieces, overlay)


def assemble(book: Book, front: bytes, pieces: list[pikepdf.Pdf], overlay: bytes) -> bytes:
    """Cover and contents, then every piece, page numbers laid over, bookmarks added (qpdf)."""
    out = pikepdf.Pdf.open(io.BytesIO(front))
    first_numbered = len(out.pages)
    for piece in pieces:
        out.pages.extend(piece.pages)
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
