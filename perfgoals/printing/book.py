"""The department book (部门预算绩效目标文本): cover, contents, 第一部分 the department plan,
第二部分 every project table, page numbers `— N —` and PDF bookmarks.

What goes in it is `of_year`'s answer (the approved revision of each document while a
newer one is being adjusted, else the newest), the same documents the book's completeness
status counts. The plan and each table is a *piece*: its content and its paper state
(watermark, approval line). Pieces not already in the cache (cache.py) are laid out by the
runner (runner.py: the worker processes), several pieces with the same paper state as one
document (a *sheaf*: one style cascade, one font subset and one PDF to write instead of
one per piece, a fifth less work). The cache keeps each sheaf's PDF and, for each piece,
keyed by the hash of its HTML, the sheaf and pages it sits on: an approved table never
changes, and when one table of thirty is edited only that one is laid out again. The pages
are then merged with pikepdf (qpdf); the cover and contents are rendered last, when the
page each piece starts on is known, with the watermark of the least advanced piece, and
the page numbers are laid over the merged pages from one document of empty pages that
uses the same furniture.css as a standalone print.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pikepdf

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.printing import cache, render, runner
from perfgoals.printing.cache import Placement
from perfgoals.units.models import Unit

logger = logging.getLogger("perfgoals.printing")

PART_TWO = "第二部分 预算项目绩效目标"


# ---- what goes in the book -------------------------------------------------------------


def book_contents(
    unit: Unit, year: int, templates_only: bool = False
) -> tuple[DepartmentPlan | None, list[ProjectTable]]:
    """The unit's plan and tables for the year (`of_year`: of each chain of revisions the
    newest approved one, else the newest), tables in `position` order.

    A unit's own documents are printed when it has any; otherwise its templates (the
    seed documents imported as the template library)."""
    tables = render.table_queryset().order_by("position", "id")
    plans = render.plan_queryset().order_by("-revision", "id")
    has_own = (
        ProjectTable.objects.filter(unit=unit, year=year, is_template=False).exists()
        or DepartmentPlan.objects.filter(unit=unit, year=year, is_template=False).exists()
    )
    templates = templates_only or not has_own
    plan = next(iter(plans.of_year(unit, year, templates=templates)), None)
    return plan, tables.of_year(unit, year, templates=templates)


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
        return cache.key("\0".join(["piece", self.watermark, self.approval, self.content]))


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


def sheafs(pieces: list[Piece], workers: int = 1) -> list[list[Piece]]:
    """Pieces grouped for laying out: only pieces with the same paper state share a sheaf
    (it prints one watermark and one approval line), and each group is cut into up to
    `workers` runs of about equal length, so that the workers finish together."""
    groups: dict[tuple[str, str], list[Piece]] = {}
    for piece in pieces:
        groups.setdefault(piece.state, []).append(piece)
    runs = []
    for group in groups.values():
        share = sum(len(p.content) for p in group) / min(max(1, workers), len(group))
        run: list[Piece] = []
        for piece in group:
            if run and sum(len(p.content) for p in run) + len(piece.content) / 2 > share:
                runs.append(run)
                run = []
            run.append(piece)
        runs.append(run)
    return sorted(runs, key=lambda run: -sum(len(p.content) for p in run))


def lay_out(pieces: list[Piece]) -> tuple[list[Placement], dict[str, bytes]]:
    """Where each piece's pages are, and the PDF of each sheaf they are in: from the cache,
    laying out (and caching) the pieces it does not have. Each sheaf is read once."""
    where = {piece.key: cache.placement(piece.key) for piece in pieces}
    sheaf_pdfs: dict[str, bytes] = {}
    for sheaf in {w.sheaf for w in where.values() if w is not None}:
        if (pdf := cache.get(sheaf)) is not None:
            sheaf_pdfs[sheaf] = pdf
    todo = [piece for key, piece in {p.key: p for p in pieces}.items()
            if where[key] is None or where[key].sheaf not in sheaf_pdfs]
    runs = sheafs(todo, runner.workers())
    jobs = [([p.content for p in run], *run[0].state) for run in runs]
    for run, (pdf, starts) in zip(runs, runner.run(render_sheaf, jobs)):
        sheaf = cache.key("sheaf" + "".join(p.key for p in run))
        cache.put(sheaf, pdf)
        sheaf_pdfs[sheaf] = pdf
        for n, piece in enumerate(run):
            where[piece.key] = Placement(sheaf, starts[n], starts[n + 1])
            cache.place(piece.key, where[piece.key])
    logger.debug("book: %d pieces laid out in %d sheafs, %d from cache", len(todo), len(runs), len(pieces) - len(todo))
    return [where[piece.key] for piece in pieces], sheaf_pdfs


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
    def documents(self) -> list[DepartmentPlan | ProjectTable]:
        return [*([self.plan] if self.plan else []), *self.tables]

    @property
    def watermark(self) -> str:
        """The cover's and the contents': a book that is not wholly approved must not look final."""
        return render.watermark_of_all(self.documents)


def table_title(number: int, table: ProjectTable) -> str:
    return f"{number}.{render.table_title(table)}"


def front_html(book: Book) -> str:
    """Cover and table of contents (rendered last, when page numbers are known)."""
    return render.render_to_string("print/book_front.html", {
        "unit": book.unit,
        "year": book.year,
        "title": f"{book.unit.name}{book.year}年部门预算绩效目标文本",
        "entries": book.entries,
        "watermark": book.watermark,
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


def render_book(unit: Unit, year: int, templates_only: bool = False, contents=None) -> bytes:
    """The unit's book for the year; `contents`: its `book_contents`, when the caller has them."""
    runner.start()  # the workers load their fonts while this process reads the database
    plan, tables = contents or book_contents(unit, year, templates_only)
    book = Book(unit, year, plan, tables)
    placements, sheaf_pdfs = lay_out(book_pieces(book))
    sources = {sheaf: pikepdf.Pdf.open(io.BytesIO(pdf)) for sheaf, pdf in sheaf_pdfs.items()}
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
    keys = [cache.key(function.__name__ + html) for function, html in jobs]
    pdfs = {key: cache.get(key) for key in keys}
    todo = [(key, job) for key, job in zip(keys, jobs) if pdfs[key] is None]
    for (key, _), pdf in zip(todo, runner.run(call, [job for _, job in todo])):
        cache.put(key, pdf)
        pdfs[key] = pdf
    return pdfs[keys[0]], pdfs[keys[1]]


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
