"""Word documents as clerks hold them import into the same tables, plans and indicators as the seeds.

Each seed text dump is a dump of a published Word document. `word_document` lays it out
again as Word does, with python-docx: one table per run of rows, a cell that spans the
rest of a shorter row, the 一级/二级 (and label) cells merged down, labels split over
lines, a nested table in a cell (seed 003), Excel row numbers as a real column (seed 001),
table-of-contents field codes and bookmarks on the headings. The document goes through
the import (files.read_file → documents.make_preview → store), and every table,
indicator and department plan is compared with what the seed import stored.
"""

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell

from perfgoals.exchange.documents import make_preview, store
from perfgoals.exchange.files import read_file
from perfgoals.exchange.seedtext import Paragraph, Row, dump_tokens, label
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from tests.conftest import SEED_FILES

pytestmark = pytest.mark.django_db

_ROW_NUMBER = re.compile(r"^\d+\.00$")
_TC_FIELD = re.compile(r"\s+TC\s+(.*)$")
_BOOKMARK = re.compile(r"\[bookmark:\s*([^\]]*)\]")


# ---------------------------------------------------------------- the builder


def _field(paragraph, instruction: str) -> None:
    """A field code (a table of contents' TC entry) as Word writes it: begin, instruction, end."""
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        run = paragraph.add_run()._r
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.text = f" {text} "
            run.append(instr)


def _bookmark(paragraph, name: str) -> None:
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), "0"), start.set(qn("w:name"), name), end.set(qn("w:id"), "0")
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _write(cell, text: str) -> None:
    """A cell's lines: a short label split by a line break (运行 / 成本), longer text one paragraph a line."""
    lines = text.split("\n")
    first = cell.paragraphs[0]
    if len(lines) > 1 and len(text) <= 12:
        run = first.add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run = first.add_run(line)
        return
    first.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line)


def _mend_broken(rows: list[list[str]], width: int) -> list[tuple[list[str], int | None]]:
    """A row cut short by a nested table in the dump (seed 003) → one row, and where the nested table sits."""
    mended, i = [], 0
    while i < len(rows):
        cells = rows[i]
        if 0 < len(cells) < width and any(cells) and i + 1 < len(rows):
            head = list(cells)
            while head and not head[-1]:
                head.pop()
            mended.append((head + rows[i + 1], len(head) - 1))
            i += 2
            continue
        mended.append((cells, None))
        i += 1
    return mended


def _tc(tr, span: int = 1, merge: str = ""):
    """A cell as Word writes it: its span across (w:gridSpan) and down (w:vMerge restart/continue)."""
    tc = OxmlElement("w:tc")
    props = OxmlElement("w:tcPr")
    if span > 1:
        grid_span = OxmlElement("w:gridSpan")
        grid_span.set(qn("w:val"), str(span))
        props.append(grid_span)
    if merge:
        v_merge = OxmlElement("w:vMerge")
        if merge == "restart":
            v_merge.set(qn("w:val"), "restart")
        props.append(v_merge)
    tc.append(props)
    tc.append(OxmlElement("w:p"))
    tr.append(tc)
    return tc


def _table(document, rows: list[list[str]]) -> None:
    numbered = all(_ROW_NUMBER.match(r[0]) for r in rows if len(r) > 1 and r[0])
    offset = 1 if numbered and any(_ROW_NUMBER.match(r[0]) for r in rows if r) else 0
    grid_at = next((i for i, r in enumerate(rows) if len(r) > offset and label(r[offset]) == "一级指标"), None)
    laid = [(r, None) for r in rows]
    if grid_at is not None:
        laid = laid[: grid_at + 1] + _mend_broken(rows[grid_at + 1 :], len(rows[grid_at]))
    width = max(len(r) for r, _ in laid)
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    hubei = label(rows[0][0]).startswith("部门（单位）")
    open_above: dict[int, object] = {}  # column → the cell a merge down would continue
    for r, (cells, nested) in enumerate(laid):
        tr = OxmlElement("w:tr")
        table._tbl.append(tr)
        in_grid = grid_at is not None and r > grid_at
        mergeable = {0, 1, 2} if hubei else {offset, offset + 1} if in_grid else {0}
        row_cells = {}
        for c, text in enumerate(cells):
            last = c == len(cells) - 1
            span = width - c if last else 1  # the last cell spans the rest of the row
            if not text and c in mergeable and not last and c in open_above:
                _start_merge(open_above[c])
                _tc(tr, span, "continue")  # merged down: the category of the rows below
                row_cells[c] = open_above[c]
                continue
            tc = _tc(tr, span)
            cell = _Cell(tc, table)
            if text:
                _write(cell, text)
            if nested == c:  # the empty nested table Word left in this cell
                inner = document.add_table(rows=1, cols=2)._tbl
                tc.insert(len(tc) - 1, inner)
            row_cells[c] = tc
        # a label (or one merged down from it) may be continued by an empty cell in the next row
        open_above = {c: tc for c, tc in row_cells.items()
                      if c < len(cells) - 1 and (cells[c] or tc is open_above.get(c))}


def _start_merge(tc) -> None:
    props = tc.find(qn("w:tcPr"))
    if props.find(qn("w:vMerge")) is None:
        v_merge = OxmlElement("w:vMerge")
        v_merge.set(qn("w:val"), "restart")
        props.append(v_merge)


def word_document(path: Path) -> bytes:
    """The seed dump at `path` laid out again as the Word document it was dumped from."""
    return word_document_of(path.read_text(encoding="utf-8"))


def word_document_of(text: str) -> bytes:
    raw = text.splitlines()
    document = docx.Document()
    rows: list[list[str]] = []
    for token in dump_tokens(text) + [Paragraph("", 0)]:
        if isinstance(token, Row):
            rows.append(token.cells)
            continue
        if rows:
            _table(document, rows)
            rows = []
        if not token.text:
            continue
        paragraph = document.add_paragraph(token.text)
        source = raw[token.line - 1]
        if m := _TC_FIELD.search(source):
            _field(paragraph, "TC " + m[1].strip())
        if m := _BOOKMARK.search(source):
            _bookmark(paragraph, m[1])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- comparing


def _indicators(document) -> list[tuple]:
    return [
        (i.level1.name if i.level1 else None, i.level2.name if i.level2 else None, i.name, i.description,
         i.value_display, i.value_cells, i.basis, i.basis_category, i.prior_value_1, i.prior_value_2,
         getattr(i, "horizon", ""))
        for i in document.indicators.select_related("level2__level1", "level1").order_by("order")
    ] if isinstance(document, DepartmentPlan) else [
        (i.level1.name, i.level2.name, i.name, i.description, i.value_display, i.value_cells, i.basis,
         i.basis_category, i.prior_value_1, i.prior_value_2)
        for i in document.indicators.select_related("level2__level1").order_by("order")
    ]


def _table_fields(table: ProjectTable) -> dict:
    return {
        "unit": table.unit.code, "year": table.year, "framework": table.framework.code,
        "code": table.project_code, "name": table.project_name,
        "money": (table.budget_total, table.budget_fiscal, table.budget_other),
        "fund_use": table.fund_use, "spending_plan": table.spending_plan, "explanation": table.explanation,
        "goals": [g.text for g in table.goals.order_by("order")], "indicators": _indicators(table),
    }


def _plan_fields(plan: DepartmentPlan) -> dict:
    return {
        "unit": plan.unit.code, "year": plan.year, "framework": plan.framework.code if plan.framework else None,
        "texts": (plan.overall_goal, plan.functions, plan.annual_tasks, plan.long_term_goal, plan.annual_goal,
                  plan.contact_person, plan.contact_phone),
        "items": [(i.kind, i.text) for i in plan.items.order_by("kind", "order")],
        "funding": [(f.kind, f.name, f.amount, f.prior_amount_1, f.prior_amount_2)
                    for f in plan.funding_lines.order_by("order")],
        "indicators": _indicators(plan),
    }


@pytest.mark.parametrize("seed", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_a_word_document_laid_out_as_a_seed_imports_the_same_tables_plan_and_indicators(seed):
    name = seed.name.replace(".txt", ".docx")
    templates = list(ProjectTable.objects.filter(source=seed.name, is_template=True).order_by("position", "id"))
    template_plan = DepartmentPlan.objects.filter(source=seed.name, is_template=True).first()

    preview = make_preview(read_file(name, word_document(seed)), source=name)
    assert preview.errors == []
    created = store(preview)

    tables = [d for d in created if isinstance(d, ProjectTable)]
    plans = [d for d in created if isinstance(d, DepartmentPlan)]
    assert [t.project_name for t in tables] == [t.project_name for t in templates]
    for table, template in zip(tables, templates):
        assert table.status == "draft" and not table.is_template
        assert _table_fields(table) == _table_fields(template), template.project_name
    assert len(plans) == (1 if template_plan else 0)
    if template_plan:
        assert _plan_fields(plans[0]) == _plan_fields(template_plan)
        assert not plans[0].is_template


# ---------------------------------------------------------------- other layouts in a department document


def _department_document_with_a_hubei_project_table() -> bytes:
    document = docx.Document()
    for text in ["第一部分", "部门整体绩效目标", "一、总体绩效目标", "全面完成年度教育工作任务。", "二、分项绩效目标",
                 "1.改善办学条件", "三、工作保障措施", "加强预算绩效管理。", "第二部分", "2024年项目支出绩效目标表", "单位：元"]:
        document.add_paragraph(text)
    rows = [
        ["项目名称", "学校设备购置", "", ""],
        ["主管部门及代码", "[015001]某区教育局", "实施单位", "某区教育局"],
        ["项目资金", "资金总额", "1,200,000.00", ""],
        ["", "其中：财政拨款", "1,200,000.00", ""],
        ["年度目标", "购置教学设备，改善办学条件", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出值", "数量指标", "购置设备台数", "≧200台"],
        ["", "", "验收合格率", "100%"],
        ["效果指标", "社会效益指标", "办学条件", "持续改善"],
        ["满意度指标（必填）", "服务对象满意度指标", "师生满意度", "≥90%"],
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text:
                table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 3))
    table.cell(4, 1).merge(table.cell(4, 3))
    table.cell(2, 0).merge(table.cell(3, 0))
    table.cell(6, 0).merge(table.cell(7, 0))
    table.cell(6, 1).merge(table.cell(7, 1))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_department_document_with_a_project_table_in_another_layout_imports_both(unit):
    doc = read_file("部门.docx", _department_document_with_a_hubei_project_table())
    preview = make_preview(doc, source="部门.docx", unit=unit)
    assert preview.errors == [] and preview.year == 2024
    (table,) = preview.tables
    assert table.parsed.project_name == "学校设备购置" and table.budget[0] == 120
    assert [(i.level2.name, i.parsed.name, i.value.display()) for i in table.indicators] == [
        ("数量指标", "购置设备台数", "≥200台"), ("数量指标", "验收合格率", "100%"),  # merged down
        ("社会效益指标", "办学条件", "持续改善"), ("服务对象满意度指标", "师生满意度", "≥90%")]
    assert table.indicators[0].level2.level1.name == "产出指标"  # 产出值
    assert preview.plan.parsed.overall_goal == "全面完成年度教育工作任务。"
    assert preview.plan.parsed.sub_goals == ["1.改善办学条件"] and preview.plan.parsed.indicators == []
    created = store(preview)
    plan = next(d for d in created if isinstance(d, DepartmentPlan))
    assert (plan.unit, plan.year, plan.status, plan.items.count()) == (unit, 2024, "draft", 2)


def test_the_dry_run_of_a_department_document_names_its_plan_and_tables(unit, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "部门.docx"
    path.write_bytes(_department_document_with_a_hubei_project_table())
    before = (ProjectTable.objects.count(), DepartmentPlan.objects.count())
    call_command("import_document", str(path), "--unit", unit.code, "--dry-run")
    out = capsys.readouterr().out
    assert "项目表 1：学校设备购置" in out and "部门整体绩效目标" in out and "总体绩效目标：全面完成年度教育工作任务。" in out
    call_command("import_document", str(path), "--unit", unit.code, "--dry-run", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["overall_goal"] == "全面完成年度教育工作任务。" and data["plan"]["sub_goals"] == ["1.改善办学条件"]
    assert data["tables"][0]["budget_total"] == "120.00"
    assert before == (ProjectTable.objects.count(), DepartmentPlan.objects.count())


def _single_table(rows: list[list[str]], merges=(), nested_in=None, nested_text=()) -> bytes:
    document = docx.Document()
    document.add_paragraph("2024年项目支出绩效目标表")
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text:
                _write(table.cell(r, c), text)
    for (r1, c1), (r2, c2) in merges:
        table.cell(r1, c1).merge(table.cell(r2, c2))
    if nested_in:
        inner = table.cell(*nested_in).add_table(rows=1, cols=len(nested_text))
        for c, text in enumerate(nested_text):
            inner.cell(0, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_table_with_a_project_code_in_another_layout_is_read_by_its_headings(unit):
    data = _single_table([
        ["项目编码", "51080221Y000000123", "项目名称", "麻风病防治"],
        ["一级指标", "二级指标", "三级指标", "指标值（包含数字及文字描述）"],
        ["项目完成指标", "数量指标", "宣传教育", "≥2次"],
        ["", "", "走访慰问", "32人"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"],
    ], merges=[((2, 0), (3, 0)), ((2, 1), (3, 1))])
    preview = make_preview(read_file("表.docx", data), source="表.docx", unit=unit)
    assert preview.errors == []
    (table,) = preview.tables
    assert [(i.level2.level1.name, i.level2.name, i.parsed.name, i.value.display()) for i in table.indicators] == [
        ("产出指标", "数量指标", "宣传教育", "≥2次"), ("产出指标", "数量指标", "走访慰问", "32人"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")]


def test_a_merged_heading_is_read_once_and_a_nested_tables_text_joins_its_cell(unit):
    data = _single_table([
        ["项目名称", "图书购置", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值", ""],
        ["产出指标", "数量指标", "购书册数", "≥2000册", ""],
        ["满意度指标", "服务对象满意度指标", "读者满意度", "≥90%", ""],
    ], merges=[((0, 1), (0, 4)), ((1, 3), (1, 4)), ((2, 3), (2, 4)), ((3, 3), (3, 4))],
        nested_in=(2, 2), nested_text=("（含电子书）",))
    preview = make_preview(read_file("表.docx", data), source="表.docx", unit=unit)
    (table,) = preview.tables
    assert table.parsed.project_name == "图书购置"  # not 图书购置 repeated over the merged cells
    assert [(i.parsed.name, i.value.display()) for i in table.indicators] == [
        ("购书册数\n（含电子书）", "≥2000册"), ("读者满意度", "≥90%")]


def test_a_hubei_department_form_followed_by_project_tables_gives_the_plan_and_the_tables():
    hubei, hebei = SEED_FILES[4].read_text(encoding="utf-8"), SEED_FILES[0].read_text(encoding="utf-8")
    projects = hebei[hebei.index("第二部分") :]
    doc = read_file("部门预算.docx", word_document_of(hubei + "\n" + projects))
    template_plan = DepartmentPlan.objects.get(source=SEED_FILES[4].name, is_template=True)
    assert doc.unit_name == "鄂州市招商和投资促进中心"
    assert len(doc.plan.indicators) == template_plan.indicators.count()  # no project row taken for the plan's
    assert len(doc.plan.funding) == template_plan.funding_lines.count()
    assert [t.project_name for t in doc.tables] == ["2018-2019年度招商引资奖励资金", "招商引资工作经费"]
    assert [len(t.indicators) for t in doc.tables] == [9, 9]


def test_a_clerk_uploads_a_department_document_and_confirms_the_plan(client, clerk, unit):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    client.login(username="clerk", password=PASSWORD)
    upload = io.BytesIO(word_document(SEED_FILES[4]))
    upload.name = "部门整体绩效目标.docx"
    url = reverse("import_document")
    response = client.post(url, {"unit": unit.pk, "file": upload, "action": "preview"})
    page = response.content.decode()
    assert "部门整体绩效目标" in page and "签约亿元以上项目不少于330个" in page and "公用经费控制率" in page
    assert not DepartmentPlan.objects.filter(unit=unit).exists()
    response = client.post(url, {"action": "confirm", "token": response.context["token"]})
    plan = DepartmentPlan.objects.get(unit=unit)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert (plan.status, plan.year, plan.indicators.count(), plan.funding_lines.count()) == ("draft", 2024, 82, 6)


def test_deleted_text_is_not_read_and_a_title_in_a_content_control_is(unit):
    data = _single_table([
        ["项目名称", "图书购置"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "购书册数", "≥2000册"],
    ], merges=[((0, 1), (0, 3))])
    document = docx.Document(io.BytesIO(data))
    title = document.paragraphs[0]._p
    title.getparent().remove(title)  # the title moves into a content control (w:sdt), as WPS templates have it
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    content.append(title)
    sdt.append(content)
    document.element.body.insert(0, sdt)
    run = document.tables[0].cell(2, 2).paragraphs[0].runs[0]._r  # 购书册数 with 年度 deleted (tracked)
    deleted, text = OxmlElement("w:del"), OxmlElement("w:delText")
    text.text = "年度"
    removed = OxmlElement("w:r")
    removed.append(text)
    deleted.append(removed)
    run.addprevious(deleted)
    buffer = io.BytesIO()
    document.save(buffer)
    preview = make_preview(read_file("表.docx", buffer.getvalue()), source="表.docx", unit=unit)
    assert preview.year == 2024
    assert [i.parsed.name for i in preview.tables[0].indicators] == ["购书册数"]


def test_a_project_table_without_an_indicator_grid_is_named_in_the_preview_not_dropped_silently(unit):
    document = docx.Document()
    for text in ["第一部分", "一、总体绩效目标", "做好机关运转保障。", "第二部分", "2024年项目支出情况"]:
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    for r, cells in enumerate([["项目名称", "办公设备购置"], ["预算数", "5"]]):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    preview = make_preview(read_file("部门.docx", buffer.getvalue()), source="部门.docx", unit=unit, year=2024)
    assert preview.errors == [] and preview.tables == []
    assert preview.plan.parsed.overall_goal == "做好机关运转保障。"
    (note,) = preview.notes
    assert note.startswith("表格“办公设备购置”未导入") and "没有找到绩效指标表" in note
    assert "说明：表格“办公设备购置”未导入" in preview.as_text()


def test_a_department_document_whose_project_table_breaks_the_seed_layout_keeps_its_plan(unit):
    document = docx.Document()
    for text in ["第一部分", "一、总体绩效目标", "做好机关运转保障。", "三、工作保障措施", "加强预算绩效管理。",
                 "第二部分", "1.办公设备购置绩效目标表"]:
        document.add_paragraph(text)
    rows = [  # the Hebei table's head, but a grid of five columns (no 绩效指标描述)
        ["项目编码", "13032224Q0000000001", "项目名称", "办公设备购置", ""],
        ["预算规模及资金用途", "预算数", "5", "其中：财政资金", "5"],
        ["一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据"],
        ["产出指标", "数量指标", "购置台数", "≥10台", "工作计划"],
        ["满意度指标", "服务对象满意度指标", "使用人员满意度", "≥90%", "工作计划"],
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text:
                table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    preview = make_preview(read_file("部门.docx", buffer.getvalue()), source="部门.docx", unit=unit, year=2024)
    assert preview.errors == []
    assert preview.plan.parsed.safeguards == ["加强预算绩效管理。"]
    (table,) = preview.tables
    assert (table.parsed.project_code, table.parsed.project_name, table.budget[0]) == (
        "13032224Q0000000001", "办公设备购置", Decimal("5.00"))
    assert [(i.parsed.name, i.value.display(), i.parsed.basis) for i in table.indicators] == [
        ("购置台数", "≥10台", "工作计划"), ("使用人员满意度", "≥90%", "工作计划")]
