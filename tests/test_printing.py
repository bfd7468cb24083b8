"""The official printout: PDFs read back with pypdf and rasterised with pdftoppm.

Each seed PDF is rendered once per session (session-scoped fixtures); tests that change a
table's state build their own with `make_table`. A WeasyPrint warning (a character no font
has, a refused URL) during any render fails the test that caused it.

Reference images: tests/reference/*.png are reviewed renders of page 1 of each layout at
40 dpi. After an intended layout change, regenerate them with
`UPDATE_PRINT_REFERENCE=1 .venv/bin/pytest tests/test_printing.py tests/test_printing_seeds.py`, look at every one,
and commit them.
"""

import io
import logging
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from PIL import Image, ImageChops
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader

from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.goals import grid
from perfgoals.printing import book, cache, fonts, render, runner
from perfgoals.printing.fetcher import RefusedURL, StaticOnlyFetcher, base_url, static_path
from perfgoals.printing.models import ApprovedPdf
from tests.conftest import PASSWORD
from tests.startup import read_settings

REFERENCE_DIR = Path(__file__).parent / "reference"
UPDATE_REFERENCE = os.getenv("UPDATE_PRINT_REFERENCE") == "1"
SEED_UNITS = {"321001": 2021, "926001": 2021, "322001": 2022}  # Hebei layout
CHENGDE = "承德高新区"
HUBEI = "鄂州市招商和投资促进中心"


class Warnings(logging.Handler):
    """Collects what WeasyPrint logs at WARNING and above (missing glyphs, refused URLs)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="session")
def weasyprint_warnings():
    handler = Warnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def flat(text: str) -> str:
    """Text without whitespace: a cell's text wraps onto several lines in the PDF."""
    return re.sub(r"\s+", "", text or "")


_texts: dict[bytes, list[str]] = {}


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page, without whitespace (read once per PDF)."""
    if pdf not in _texts:
        _texts[pdf] = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    return _texts[pdf]


def assert_in_order(text: str, needles: list[str]):
    position = 0
    for needle in filter(None, map(flat, needles)):
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing or out of order after position {position}"
        position = found + len(needle)


def rasterise(pdf: bytes, tmp: Path, name: str, dpi: int = 40) -> Image.Image:
    path = tmp / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", path, tmp / name], check=True)
    return Image.open(tmp / f"{name}.png").convert("L")


def assert_looks_like_reference(pdf: bytes, tmp: Path, name: str, tolerance: float = 0.01):
    page = rasterise(pdf, tmp, name)
    reference_path = REFERENCE_DIR / f"{name}.png"
    if UPDATE_REFERENCE:
        page.save(reference_path)
    reference = Image.open(reference_path).convert("L")
    assert page.size == reference.size, f"{name}: page size changed"
    diff = ImageChops.difference(page, reference).point(lambda v: 255 if v > 64 else 0)
    ratio = diff.histogram()[255] / (page.width * page.height)
    assert ratio <= tolerance, f"{name}: {ratio:.2%} of pixels differ from tests/reference/{name}.png"


def seed_tables(**filters):
    return list(render.table_queryset().filter(is_template=True, **filters).order_by("position", "id"))


# ---- fonts ---------------------------------------------------------------------------------


def test_every_character_of_the_seeds_renders(db, weasyprint_warnings):
    # Laid out here: the books lay out their pieces in worker processes, whose warnings
    # never reach this process's log (seed_pdfs renders without a word about a lost glyph).
    before = len(weasyprint_warnings)
    contents = [render.table_content(table) for table in seed_tables()]
    contents += [render.plan_content(plan) for plan in render.plan_queryset().filter(is_template=True)]
    render.html_to_pdf(render.document_html(contents, "seeds"))
    assert weasyprint_warnings[before:] == []


def test_a_character_missing_from_the_fonts_is_caught(weasyprint_warnings):
    before = len(weasyprint_warnings)
    render.html_to_pdf('<html lang="zh-CN"><body>𠀀</body></html>')
    missing = weasyprint_warnings[before:]
    del weasyprint_warnings[before:]
    assert any("U+20000" in message for message in missing)


def embedded_fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(re.sub(r"^/[A-Z]+\+", "", str(font.get_object()["/BaseFont"])))
    return fonts


def glyph_outline(font: TTFont, character: str):
    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(character)]].draw(pen)
    return pen.value


@pytest.mark.parametrize("name, collection", [
    ("PerfgoalsSerifSC.otf", "NotoSerifCJK-Regular.ttc"), ("PerfgoalsSansSC.otf", "NotoSansCJK-Regular.ttc"),
])
def test_the_print_fonts_have_the_simplified_chinese_forms(name, collection):
    ours = TTFont(fonts.OUT_DIR / name, lazy=True)
    faces = {face["name"].getDebugName(1)[-2:]: face for face in TTCollection(fonts.NOTO_DIR / collection, lazy=True).fonts}
    for character in "骨直":  # drawn differently in the Japanese and Simplified Chinese faces
        same = {region for region, face in faces.items() if glyph_outline(face, character) == glyph_outline(ours, character)}
        assert "SC" in same and "JP" not in same, character


def test_the_print_fonts_cover_gb2312_and_every_seed_character():
    for name, *_ in fonts.FACES:
        covered = set(map(chr, TTFont(fonts.OUT_DIR / name, lazy=True).getBestCmap()))
        assert fonts.gb2312() <= covered
        for seed in fonts.SEEDS_DIR.glob("*.txt"):
            assert set(seed.read_text()) - covered <= {"\n", "\t", "\r", "\ufeff"}, seed.name


def test_the_system_check_warns_when_the_print_fonts_are_missing(monkeypatch, tmp_path):
    from perfgoals.printing.checks import print_fonts_are_built

    assert print_fonts_are_built(None) == []
    monkeypatch.setattr(fonts, "OUT_DIR", tmp_path)
    monkeypatch.setattr(fonts, "STAMP", tmp_path / "fonts.sha256")
    assert [w.id for w in print_fonts_are_built(None)] == ["printing.W001"]


def test_a_rarer_character_prints_from_the_full_noto_face(weasyprint_warnings):
    before = len(weasyprint_warnings)
    pdf = render.html_to_pdf('<html lang="zh-CN"><body><h2>王堃</h2><p>𠮷野家</p></body></html>')
    assert weasyprint_warnings[before:] == []
    assert "王堃" in "".join(pages_text(pdf))
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= embedded_fonts(pdf)


# ---- content and layout -----------------------------------------------------------------------


@pytest.mark.django_db
def test_level1_and_level2_labels_are_merged_once_per_group(make_table, hebei):
    text = "".join(pages_text(render.render_table(make_table())))
    level2_names = [level2.name for level2 in hebei.level2_list()]
    for level1 in hebei.levels1.all():  # 效益指标 is also part of 经济效益指标 …
        assert text.count(level1.name) == 1 + sum(name.count(level1.name) for name in level2_names), level1.name
    for name in level2_names:
        assert text.count(name) == 1, name


@pytest.mark.django_db
def test_a_long_group_moves_whole_and_never_leaves_an_empty_merged_cell(make_table, hebei):
    from perfgoals.goals.models import Indicator

    table = make_table()
    quantity = hebei.level2_list()[0]
    for n in range(9):
        Indicator.objects.create(table=table, level2=quantity, name=f"附加指标{n}", description="很长的描述" * 12,
                                 basis="工作计划", value_kind="qualitative", text="完成", order=100 + n)
    pages = pages_text(render.render_table(render.table_queryset().get(pk=table.pk)))
    assert len(pages) >= 2
    for page in pages[1:]:  # every page of the grid starts with the repeated header
        assert page.find("一级指标二级指标三级指标绩效指标描述指标值指标值确定依据") >= 0
    # each level-1 label sits on the page where its rows are
    assert "产出指标" in pages[0] and "附加指标0" in "".join(pages)
    effect_page = next(p for p in pages if "企业生产事故损失下降" in p)
    assert "效益指标" in effect_page


@pytest.mark.parametrize("layout", ["one_cell", "split"])
@pytest.mark.django_db
def test_a_framework_an_administrator_adds_prints_without_new_code(make_table, layout):
    from perfgoals.frameworks.models import Framework, Level1, Level2
    from perfgoals.goals.models import Indicator

    framework = Framework.objects.create(code=f"county-{layout}", name="某县2027年项目指标体系", value_layout=layout)
    outcome = Level1.objects.create(framework=framework, name="履职效能指标", order=1)
    served = Level2.objects.create(level1=outcome, name="惠企服务指标", order=1)
    table = make_table(framework=framework)
    Indicator.objects.create(table=table, level2=served, name="走访企业户数", description="全年走访规上企业",
                             value_kind="quantitative", operator="≥", number="120", unit="户", order=1)

    text = "".join(pages_text(render.render_table(render.table_queryset().get(pk=table.pk))))

    assert_in_order(text, ["履职效能指标", "惠企服务指标", "走访企业户数", "全年走访规上企业"])
    assert ("符号值单位（文字描述）" in text) == (layout == "split")
    assert "≥120户" in text  # one cell, or ≥ | 120 | 户 side by side


@pytest.mark.django_db
def test_user_text_prints_as_text_and_fetches_nothing(make_table, tmp_path):
    table = make_table(fund_use='<img src="http://example.invalid/x.png">', project_name="file:///etc/passwd")
    fetcher = StaticOnlyFetcher()
    pdf = render.html_to_pdf(render.table_html(render.table_queryset().get(pk=table.pk)), fetcher=fetcher)
    text = "".join(pages_text(pdf))
    assert flat('<img src="http://example.invalid/x.png">') in text
    assert "file:///etc/passwd" in text
    assert fetcher.asked == []


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    css = base_url() + "print/print.css"
    assert static_path(css).name == "print.css"
    assert b"@page" in StaticOnlyFetcher().fetch(css).read()
    for url in ["http://example.com/x.png", "https://example.com/", "file:///etc/passwd",
                base_url() + "../manage.py", "data:text/plain,hello", "ftp://example.com/x"]:
        with pytest.raises(RefusedURL):
            StaticOnlyFetcher().fetch(url)


# ---- states on paper -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_carries_the_watermark_on_every_page(make_table, hebei):
    from perfgoals.goals.models import Indicator

    table = make_table()
    for n in range(12):
        Indicator.objects.create(table=table, level2=hebei.level2_list()[1], name=f"质量{n}", description="描述" * 30,
                                 value_kind="qualitative", text="合格", order=50 + n)
    pages = pages_text(render.document_pdf(render.table_queryset().get(pk=table.pk)))
    assert len(pages) >= 2
    assert all("草稿·未审核" in page for page in pages)


@pytest.mark.django_db
def test_a_submitted_table_prints_unreviewed(make_table):
    table = make_table(status=Status.SUBMITTED)
    assert all("未审核" in page for page in pages_text(render.document_pdf(table)))


@pytest.mark.django_db
def test_an_approved_table_prints_clean_with_revision_and_date(make_table):
    approved_at = datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    table = make_table(status=Status.APPROVED, revision=2, approved_at=approved_at)
    pages = pages_text(render.document_pdf(table))
    assert not any("草稿" in page or "未审核" in page for page in pages)
    assert all("第2版·2026年03月05日审核通过" in page for page in pages)


APPROVED_AT = datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
APPROVAL = "第1版·2026年03月05日审核通过"
WATERMARKS = {Status.DRAFT: "草稿·未审核", Status.RETURNED: "草稿·未审核", Status.SUBMITTED: "未审核",
              Status.APPROVED: ""}


def make_document(kind: str, status: str, make_table, unit, **fields):
    approved = {"approved_at": APPROVED_AT} if status == Status.APPROVED else {}
    if kind == "table":
        return make_table(status=status, **approved, **fields)
    return DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="全年完成招商引资任务。", status=status,
                                         **approved, **fields)


def assert_paper_state(pages: list[str], status: str):
    """Every page carries the watermark of `status` (and no other), or, approved, none and
    the approval line."""
    assert pages
    for page in pages:
        if status == Status.APPROVED:
            assert "草稿" not in page and "未审核" not in page and APPROVAL in page
        else:
            assert WATERMARKS[status] in page and "审核通过" not in page
            assert ("草稿" in page) == (WATERMARKS[status] == "草稿·未审核")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED])
@pytest.mark.parametrize("kind", ["table", "plan"])
@pytest.mark.django_db
def test_a_table_or_plan_printed_alone_shows_its_state_on_every_page(make_table, unit, kind, status):
    document = make_document(kind, status, make_table, unit)
    assert render.watermark(document).replace(" ", "") == WATERMARKS[status]
    assert_paper_state(pages_text(render.document_pdf(document)), status)


@pytest.mark.parametrize("kind, status", [
    ("table", Status.DRAFT), ("table", Status.SUBMITTED), ("table", Status.RETURNED), ("plan", Status.DRAFT),
    ("plan", Status.SUBMITTED), (None, None),
])
@pytest.mark.django_db
def test_a_book_not_wholly_approved_carries_a_watermark_on_its_cover_and_contents(make_table, unit, tmp_path,
                                                                                kind, status):
    """One piece in `status`, the others approved (kind None: every piece approved). The
    cover and contents carry the least advanced piece's watermark; every piece its own state."""
    states = {"plan": Status.APPROVED, "table": Status.APPROVED}
    if kind is not None:
        states[kind] = status
    make_document("plan", states["plan"], make_table, unit)
    make_document("table", states["table"], make_table, unit, project_code="P1", project_name="第一个项目", position=1)
    make_document("table", Status.APPROVED, make_table, unit, project_code="P2", project_name="第二个项目", position=2)
    with override_settings(PRINT_CACHE_DIR=tmp_path):
        pdf = book.render_book(unit, 2026)
    front = front_pages(pdf)
    assert len(front) >= 2 and "目录" in "".join(front)  # the cover, the contents
    assert_paper_state_of_front(front, status or Status.APPROVED)
    body = body_pages(pdf)
    plan_pages = [p for p in body if "第一部分" in p or "总体绩效目标" in p]
    table_pages = {name: [p for p in body if name in p and "绩效目标表" in p] for name in ("第一个项目", "第二个项目")}
    assert_paper_state(plan_pages, states["plan"])
    assert_paper_state(table_pages["第一个项目"], states["table"])
    assert_paper_state(table_pages["第二个项目"], Status.APPROVED)


def assert_paper_state_of_front(pages: list[str], status: str):
    """The cover and contents: a watermark unless every piece is approved; no approval line."""
    for page in pages:
        assert "审核通过" not in page
        if status == Status.APPROVED:
            assert "草稿" not in page and "未审核" not in page
        else:
            assert WATERMARKS[status] in page and ("草稿" in page) == (WATERMARKS[status] == "草稿·未审核")


@pytest.mark.django_db
def test_the_approved_pdf_is_rendered_once_and_served_unchanged(make_table, client, supervisor):
    table = make_table(status=Status.APPROVED, approved_at=datetime(2026, 3, 5, tzinfo=ZoneInfo("UTC")))
    client.login(username="supervisor", password=PASSWORD)
    first = client.get(reverse("print_table", args=[table.pk])).content
    assert ApprovedPdf.objects.filter(table=table, revision=1).count() == 1
    ProjectTable.objects.filter(pk=table.pk).update(project_name="改过的名称")
    assert client.get(reverse("print_table", args=[table.pk])).content == first
    ProjectTable.objects.filter(pk=table.pk).update(revision=2)
    second = client.get(reverse("print_table", args=[table.pk])).content
    assert second != first and "改过的名称" in "".join(pages_text(second))
    assert ApprovedPdf.objects.filter(table=table).count() == 2


# ---- the book ---------------------------------------------------------------------------------------


def toc_entries(pdf: bytes) -> dict[str, int]:
    """Title → page number, read from the contents pages (before page 1)."""
    reader = PdfReader(io.BytesIO(pdf))
    entries = {}
    for page in reader.pages[:4]:
        for line in page.extract_text().splitlines():
            if m := re.match(r"^(.+?)[.\s…·]*?\s*(\d+)$", line.strip()):
                title = m[1].rstrip(". ")
                if "绩效目标表" in title or "部分" in title:
                    entries[flat(title)] = int(m[2])
    return entries


def printed_numbers(pdf: bytes) -> list[int | None]:
    numbers = []
    for text in pages_text(pdf):
        found = re.findall(r"—(\d+)—", text)
        numbers.append(int(found[-1]) if found else None)
    return numbers


def front_pages(pdf: bytes) -> list[str]:
    """The cover and contents: the pages before page 1."""
    return pages_text(pdf)[: printed_numbers(pdf).index(1)]


def body_pages(pdf: bytes) -> list[str]:
    """The numbered pages: the plan and the tables."""
    return pages_text(pdf)[printed_numbers(pdf).index(1):]


@pytest.mark.django_db
def test_a_book_prints_each_table_in_its_own_state(make_table, unit, tmp_path):
    approved_at = datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with override_settings(PRINT_CACHE_DIR=tmp_path):
        make_table(project_code="P1", project_name="已通过项目", position=1, status=Status.APPROVED, revision=3,
                   approved_at=approved_at)
        make_table(project_code="P2", project_name="草稿项目", position=2)
        make_table(project_code="P3", project_name="另一草稿项目", position=3)
        pages = [page for page in pages_text(book.render_book(unit, 2026)) if "绩效目标表" in page and "—" in page]
    approved, drafts = [p for p in pages if "已通过项目" in p], [p for p in pages if "草稿项目" in p]
    assert approved and all("第3版·2026年03月05日审核通过" in p and "草稿" not in p for p in approved)
    assert len(drafts) == 2 and all("草稿·未审核" in p and "审核通过" not in p for p in drafts)


@pytest.mark.django_db
def test_a_book_holds_the_units_own_documents_or_else_its_templates(make_table):
    templates = seed_tables(unit__code="321001")
    unit, year = templates[0].unit, templates[0].year
    plan, tables = book.book_contents(unit, year)
    assert plan.is_template and [t.pk for t in tables] == [t.pk for t in templates]  # no own documents yet
    own = make_table(unit=unit, year=year)
    assert book.book_contents(unit, year) == (None, [own])
    plan, tables = book.book_contents(unit, year, templates_only=True)  # the template library's book
    assert plan.is_template and [t.pk for t in tables] == [t.pk for t in templates]


@pytest.mark.django_db
def test_while_an_approved_table_is_adjusted_the_book_prints_the_approved_revision(make_table, unit, clerk, tmp_path):
    from perfgoals.workflow import books, workflow

    approved_at = datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    table = make_table(status=Status.APPROVED, approved_at=approved_at, fund_use="已通过的资金用途。")
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="已通过的总体目标。",
                                         status=Status.APPROVED, approved_at=approved_at)
    draft_table, draft_plan = workflow.reopen(table, clerk), workflow.reopen(plan, clerk)
    assert (draft_table.revision, draft_table.status) == (2, Status.DRAFT)
    ProjectTable.objects.filter(pk=draft_table.pk).update(fund_use="调整中的资金用途。")
    DepartmentPlan.objects.filter(pk=draft_plan.pk).update(overall_goal="调整中的总体目标。")

    printed_plan, printed_tables = book.book_contents(unit, 2026)
    assert printed_plan.pk == plan.pk and [t.pk for t in printed_tables] == [table.pk]
    status = books.book_status(unit, 2026)  # what the home page counts is what is printed
    assert status.plan.pk == plan.pk and [t.pk for t in status.tables] == [table.pk]
    with override_settings(PRINT_CACHE_DIR=tmp_path):
        pdf = book.render_book(unit, 2026)
    text = "".join(pages_text(pdf))
    assert "已通过的资金用途" in text and "已通过的总体目标" in text
    assert "调整中" not in text and "草稿" not in text and "未审核" not in text
    assert all("第1版·2026年03月05日审核通过" in page for page in body_pages(pdf))


@pytest.mark.django_db
def test_a_group_taller_than_a_page_breaks_only_in_its_own_table(make_table, hebei):
    """WeasyPrint 70 cannot keep such a group whole; the sheaf is laid out piece by piece so
    that the other tables in it keep their groups whole."""
    from perfgoals.goals.models import Indicator

    normal = seed_tables(unit__code="321001")[0]  # its 效益指标 group moves whole to page 2
    tall = make_table(project_code="P2", project_name="长表")
    level2s = hebei.level2_list()
    for n in range(8):  # eight rows of long text under one level-1 category: taller than a page
        Indicator.objects.create(table=tall, level2=level2s[0], name=f"长指标{n}",
                                 description="为保障项目顺利实施，按照计划开展工作，" * 25, basis="依据文件" * 30,
                                 value_kind="qualitative", text="达标", order=50 + n)
    normal_html, tall_html = (render.table_content(render.table_queryset().get(pk=t.pk)) for t in (normal, tall))

    alone, alone_starts = book.render_sheaf(([normal_html], "草稿", ""))
    both, starts = book.render_sheaf(([normal_html, tall_html], "草稿", ""))

    assert pages_text(both)[: starts[1]] == pages_text(alone)  # the normal table laid out as on its own
    assert all(f"长指标{n}" in "".join(pages_text(both)[starts[1]:]) for n in range(8))


@pytest.mark.django_db
def test_a_book_with_one_changed_table_reuses_the_others(make_table, unit, tmp_path):
    with override_settings(PRINT_CACHE_DIR=tmp_path):
        tables = [make_table(project_code=f"P{n}", project_name=f"项目{n}", position=n) for n in range(3)]
        before = printed_numbers(book.render_book(unit, 2026))
        ProjectTable.objects.filter(pk=tables[1].pk).update(fund_use="改写后的资金用途。")
        cached_files = len(list(tmp_path.glob("*.pdf")))
        pdf = book.render_book(unit, 2026)
        # only the edited table was laid out again; cover, contents and page numbers were reused
        assert len(list(tmp_path.glob("*.pdf"))) == cached_files + 1
    assert "改写后的资金用途" in "".join(pages_text(pdf))
    assert printed_numbers(pdf) == before


@pytest.mark.django_db
def test_the_print_cache_forgets_what_it_has_not_served_for_a_month(make_table, unit, tmp_path):
    with override_settings(PRINT_CACHE_DIR=tmp_path):
        make_table()
        first = book.render_book(unit, 2026)
        files = sorted(tmp_path.iterdir())
        stale = time.time() - 31 * 86400
        for path in files:
            os.utime(path, (stale, stale))
        (tmp_path / "fresh.pdf").write_bytes(b"%PDF")
        assert cache.prune() == len(files)
        assert [p.name for p in tmp_path.iterdir()] == ["fresh.pdf"]
        assert pages_text(book.render_book(unit, 2026)) == pages_text(first)  # laid out again


@pytest.mark.django_db
def test_the_print_cache_can_live_in_another_storage(make_table, unit, tmp_path, monkeypatch):
    """STORAGES["print_cache"] (here in memory, later off the machine) replaces PRINT_CACHE_DIR."""
    in_memory = {**settings.STORAGES, "print_cache": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with override_settings(STORAGES=in_memory, PRINT_CACHE_DIR=tmp_path / "unused"):
        make_table()
        first = book.render_book(unit, 2026)
        names = cache.storage().listdir("")[1]
        assert any(n.endswith(".piece") for n in names) and any(n.endswith(".pdf") for n in names)
        monkeypatch.setattr(runner, "run", lambda function, jobs: pytest.fail("laid out again") if jobs else [])
        again = book.render_book(unit, 2026)
        assert sorted(cache.storage().listdir("")[1]) == sorted(names)  # read, not written again
    assert not (tmp_path / "unused").exists()
    assert pages_text(again) == pages_text(first)


def print_settings(tmp_path, **env) -> list[str]:
    """PRINT_WORKERS and PRINT_CACHE_DIR as a server started with this environment reads them
    (tests/startup.py)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PRINT_", "CELERY_"))}
    s = read_settings({**base, "DJANGO_SETTINGS_MODULE": "perfgoals.settings", "DATA_DIR": str(tmp_path), **env})
    return [str(s.PRINT_WORKERS), str(s.PRINT_CACHE_DIR)]


def test_print_settings_come_from_the_environment(tmp_path):
    defaults = print_settings(tmp_path)
    assert defaults == [str(min(2, os.cpu_count() or 1)), str(tmp_path / "print-cache")]
    assert print_settings(tmp_path, PRINT_WORKERS="0", PRINT_CACHE_DIR="/srv/c") == ["0", "/srv/c"]
    # With a broker the Celery workers print: a web process starts no pool unless told to.
    assert print_settings(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")[0] == "0"
    assert print_settings(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0", PRINT_WORKERS="2")[0] == "2"
    for wrong in ("two", "-1"):
        with pytest.raises(ImproperlyConfigured, match="PRINT_WORKERS"):
            print_settings(tmp_path, PRINT_WORKERS=wrong)


# ---- where the work runs ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_no_workers_a_book_is_laid_out_in_this_process(make_table, unit, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "pool", lambda: pytest.fail("PRINT_WORKERS=0 starts no pool"))
    with override_settings(PRINT_WORKERS=0, PRINT_CACHE_DIR=tmp_path):
        make_table()
        pdf = book.render_book(unit, 2026)
    assert "安全生产培训经费" in "".join(pages_text(pdf))


def test_the_pool_is_started_once_per_process():
    with override_settings(PRINT_WORKERS=2):
        assert runner.pool() is runner.pool()
        assert runner.run(abs, [-1, 2, -3]) == [1, 2, 3]


def test_the_workers_hold_no_file_of_this_process():
    """Workers forked from this process held every file it had open, so the other end of a
    pipe never saw it closed. That hung `pytest -n 3`: Playwright's driver waits for its
    stdin to close, and workers forked after the driver started held it open. Here `cat`
    stands for the driver, and the workers are started (from a thread, as start() does)
    while its stdin is open."""
    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        with override_settings(PRINT_WORKERS=3):  # a new pool, of three
            runner.start()
            assert runner.run(abs, [-1, -2, -3]) == [1, 2, 3]
            assert len(runner.pool()._processes) == 3
            reader.stdin.close()
            assert reader.wait(timeout=60) == 0  # with the workers forked from here: TimeoutExpired
    finally:
        reader.kill()
        reader.wait()


@pytest.mark.django_db
def test_a_killed_worker_is_replaced_and_its_broken_pool_shut_down(make_table, unit, tmp_path):
    make_table()
    with override_settings(PRINT_WORKERS=2, PRINT_CACHE_DIR=tmp_path):
        broken = runner.pool()
        workers = list(broken._processes.values())
        workers[0].kill()  # as the kernel's OOM killer would
        workers[0].join()
        pdf = book.render_book(unit, 2026)
        assert runner.pool() is not broken
    assert "安全生产培训经费" in "".join(pages_text(pdf))
    for worker in workers:  # the survivor went with its broken executor
        worker.join(timeout=30)
        assert not worker.is_alive()


@pytest.mark.django_db
def test_a_render_over_the_time_limit_answers_in_chinese_and_stops_its_workers(make_table, client, clerk, unit,
                                                                             tmp_path):
    """A render that takes longer than PRINT_TIME_LIMIT (here any render: the limit is a
    millisecond) is stopped: its workers are ended and the reader gets a Chinese 503 at once,
    not a 500 when the web server's own timeout kills the request."""
    table = make_table()
    client.force_login(clerk)
    with override_settings(PRINT_WORKERS=1, PRINT_CACHE_DIR=tmp_path):
        workers = list(runner.pool()._processes.values())
        with override_settings(PRINT_TIME_LIMIT=0.001):
            answers = [client.get(reverse("print_table", args=[table.pk])),
                       client.get(reverse("print_book", args=[unit.code, 2026]))]
        for answer in answers:
            assert answer.status_code == 503
            assert "生成 PDF 超过了 0.001 秒的时限，已停止" in answer.content.decode()
        for worker in workers:
            worker.join(timeout=30)
            assert not worker.is_alive()
        again = client.get(reverse("print_table", args=[table.pk]))  # new workers, the usual limit
    assert again.status_code == 200 and "安全生产培训经费" in "".join(pages_text(again.content))


WORKER_PARENT = """
import sys
import django

django.setup()
from perfgoals.printing import runner

if sys.argv[1] == "jobs":
    runner.run(abs, [1, 2])
elif sys.argv[1] == "busy":  # a job in C code that never lets another thread of the worker run
    import threading

    runner.run(abs, [1, 2])
    threading.Thread(target=runner.run, args=(sum, [range(10**15)]), daemon=True).start()
else:  # started, and no job run yet (as when start() is followed by a book found in the cache)
    runner.start()
print(*runner.pool()._processes, flush=True)  # the workers' pids
sys.stdin.read()  # until killed, or told to exit
"""


def proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from /proc, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], int(fields[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := proc_stat(int(entry.name))) and stat[1] == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        below = children(todo.pop())
        found += below
        todo += below
    return found


def cpu_seconds(pid: int) -> float:
    """User CPU time a process has spent, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return int(fields[11]) / os.sysconf("SC_CLK_TCK")


def running(pid: int) -> bool:
    stat = proc_stat(pid)
    return stat is not None and stat[0] not in "ZX"  # a zombie has ended; only its entry is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("end, work", [("kill", "jobs"), ("exit", "jobs"), ("exit", "none"), ("kill", "busy")])
def test_worker_processes_never_outlive_their_parent(tmp_path, end, work):
    # A busy worker ends PRINT_TIME_LIMIT + PRINT_ALARM_GRACE (1 s in the test settings) into its job.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "perfgoals.test_settings", "PRINT_WORKERS": "2",
           "PRINT_TIME_LIMIT": "3", "DATA_DIR": str(tmp_path)}
    parent = subprocess.Popen([sys.executable, "-c", WORKER_PARENT, work], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).parent.parent)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        helpers = descendants(parent.pid)  # the workers, the fork server they come from, its resource tracker
        assert len(workers) == 2 and set(workers) <= set(helpers) and all(map(running, helpers))
        if work == "busy":  # until a worker is in the job, on the CPU (bounded poll); a fifth of a second
            # of CPU, not more: the parent's own time limit (3 s) must not stop the workers before the
            # parent is killed, or the alarm would not be what ends them
            deadline = time.monotonic() + 30
            while max(map(cpu_seconds, workers)) < 0.2 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert max(map(cpu_seconds, workers)) >= 0.2
            assert all(map(running, workers)), "the parent's time limit stopped the workers first"
        if end == "kill":
            parent.kill()  # SIGKILL: no atexit, no finally, nothing to tell the workers
        else:
            parent.stdin.close()  # the interpreter exits normally
        assert parent.wait(timeout=60) is not None
        deadline = time.monotonic() + 30
        while any(map(running, helpers)) and time.monotonic() < deadline:  # bounded poll
            time.sleep(0.05)
        assert not any(map(running, helpers))
    finally:
        parent.kill()
        parent.wait()


# ---- reference images -------------------------------------------------------------------------------


# ---- views and the command --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_downloads_the_table_inline_or_as_attachment(make_table, client, clerk):
    table = make_table()
    client.login(username="clerk", password=PASSWORD)
    inline = client.get(reverse("print_table", args=[table.pk]))
    assert inline.status_code == 200 and inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    attachment = client.get(reverse("print_table", args=[table.pk]) + "?download=1")
    assert attachment["Content-Disposition"].startswith("attachment")
    assert attachment.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_another_units_table_plan_and_book_are_not_found(make_table, client, other_clerk, unit):
    table = make_table()
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="目标")
    client.login(username="otherclerk", password=PASSWORD)
    assert client.get(reverse("print_table", args=[table.pk])).status_code == 404
    assert client.get(reverse("print_plan", args=[plan.pk])).status_code == 404
    assert client.get(reverse("print_book", args=[unit.code, 2026])).status_code == 404


@pytest.mark.django_db
def test_templates_are_public_to_signed_in_users(client, other_clerk):
    template = seed_tables(unit__code="321001")[0]
    assert client.get(reverse("print_table", args=[template.pk])).status_code == 302  # sign in first
    client.login(username="otherclerk", password=PASSWORD)
    assert client.get(reverse("print_table", args=[template.pk])).status_code == 200


@pytest.mark.django_db
def test_the_book_preview_shows_progress_and_links_the_download(client, supervisor, make_table, unit):
    make_table()
    client.login(username="supervisor", password=PASSWORD)
    page = client.get(reverse("print_book_preview", args=[unit.code, 2026]))
    assert "正在生成PDF" in page.content.decode()
    assert reverse("print_book", args=[unit.code, 2026]) + "?download=1" in page.content.decode()
    book_pdf = client.get(reverse("print_book", args=[unit.code, 2026]))
    assert book_pdf.status_code == 200 and book_pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_supervisor_downloads_the_book_of_seed_002_from_the_library(client, supervisor):
    client.login(username="supervisor", password=PASSWORD)
    library = client.get(reverse("template_library")).content.decode()
    preview_url = reverse("print_book_preview", args=["926001", 2021])
    assert f'href="{preview_url}"' in library
    preview = client.get(preview_url).content.decode()
    download_url = reverse("print_book", args=["926001", 2021]) + "?download=1"
    assert f'href="{download_url}"' in preview and "正在生成PDF" in preview
    response = client.get(download_url)
    assert response["Content-Disposition"].startswith("attachment")
    titles = [f"{n}.{t.project_name}绩效目标表" for n, t in enumerate(seed_tables(unit__code="926001"), 1)]
    assert_in_order("".join(pages_text(response.content)), ["目录", "第一部分", "第二部分", *map(flat, titles)])


@pytest.mark.django_db
def test_print_goals_prints_one_project_or_the_plan(tmp_path):
    table = seed_tables(unit__code="322001")[0]
    call_command("print_goals", unit="322001", year=2022, project=table.project_code, out=str(tmp_path / "t.pdf"),
                 stdout=io.StringIO())
    assert_in_order("".join(pages_text((tmp_path / "t.pdf").read_bytes())), [table.project_name, table.project_code])
    call_command("print_goals", unit="322001", year=2022, part="plan", out=str(tmp_path / "p.pdf"), stdout=io.StringIO())
    assert "一、总体绩效目标" in "".join(pages_text((tmp_path / "p.pdf").read_bytes()))
