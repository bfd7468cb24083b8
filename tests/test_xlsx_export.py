"""导出Excel: the official layout as a workbook, imported back identical; formula-like text stays text."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from perfgoals.exchange.documents import make_preview, store
from perfgoals.exchange.files import read_file
from perfgoals.goals import grid
from perfgoals.goals.models import ProjectTable
from perfgoals.printing import xlsx
from perfgoals.printing.render import paragraphs, table_queryset
from perfgoals.units.models import Unit

pytestmark = pytest.mark.django_db


def seed_tables() -> list[ProjectTable]:
    return list(table_queryset().filter(is_template=True).order_by("unit__code", "position", "id"))


def printed_indicators(table: ProjectTable) -> list:
    """The indicators in the order the form prints them (framework order)."""
    blocks = grid.printed_rows(grid.table_groups(table))
    return [row.indicator for block in blocks for row in block if not isinstance(row.indicator, grid.BlankIndicator)]


def as_printed(table: ProjectTable) -> dict:
    """Everything the printed form shows of a table."""
    return {
        "unit": table.unit.code, "year": table.year, "framework": table.framework.code,
        "project_code": table.project_code, "project_name": table.project_name,
        "budget": [table.budget_total, table.budget_fiscal, table.budget_other],
        "fund_use": table.fund_use, "spending_plan": table.spending_plan,
        "goals": [g.text for g in table.goals.all()],
        "explanation": paragraphs(table.explanation),
        "indicators": [
            (i.level2.level1.name, i.level2.name, i.name, i.description, i.value_display, i.value_kind, i.operator,
             i.number, i.unit, i.text, i.basis, i.basis_category)
            for i in printed_indicators(table)
        ],
    }  # fmt: skip


def import_back(name: str, data: bytes, unit=None) -> list[ProjectTable]:
    preview = make_preview(read_file(name, data), source=name, unit=unit)
    assert preview.errors == []
    return store(preview)


@pytest.mark.parametrize("number", range(29))
def test_every_seed_table_exported_to_excel_imports_back_as_the_same_table(number):
    table = seed_tables()[number]
    (imported,) = import_back(f"{table.project_name}.xlsx", xlsx.table_workbook(table))
    assert imported.pk != table.pk and imported.status == "draft" and not imported.is_template
    assert as_printed(imported) == as_printed(table)


def test_there_are_29_seed_tables():
    assert len(seed_tables()) == 29


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_the_sheet_is_laid_out_as_the_printed_hebei_form(make_table):
    table = make_table()
    ws = sheet_of(xlsx.table_workbook(table))
    assert ws["A1"].value == "安全生产培训经费绩效目标表" and ws["A1"].font.b  # position 0: no number
    assert ws["A2"].value == "预算单位：[990001]测试县测试局本级" and ws["M2"].value is None
    assert ws["L2"].value == "单位：万元"
    cells = {c.value: c.coordinate for row in ws.iter_rows() for c in row if c.value is not None}
    money_row = ws[cells["预算数"]].row
    assert (ws[f"D{money_row}"].value, ws[f"H{money_row}"].value, ws[f"L{money_row}"].value) == (5, 5, 0)
    assert ws[f"D{money_row}"].number_format == "0.00####"  # two decimals, more only where not zero (to the 分)
    heading = ws[cells["一级指标"]].row
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{heading + 1}:A{heading + 4}" in merged  # 产出指标 over its four rows
    assert f"A{heading + 5}:A{heading + 8}" in merged  # 效益指标
    assert ws[f"A{heading + 1}"].value == "产出指标" and ws[f"D{heading + 1}"].value == "培训人员人次"
    assert ws[f"J{heading + 1}"].value == "≥150人次"
    assert ws[f"D{heading + 1}"].border.left.style == "thin" and ws[f"D{heading + 1}"].alignment.wrap_text
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "portrait", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${heading}:${heading}"  # the grid's heading on every printed page
    assert ws.column_dimensions["A"].width > ws.column_dimensions["B"].width
    assert ws.oddHeader.center.text == "草稿 · 未审核"  # the paper state, as on the PDF


def test_an_approved_tables_sheet_carries_the_approval_line_and_no_draft_mark(make_table):
    from django.utils import timezone

    table = make_table()
    ProjectTable.objects.filter(pk=table.pk).update(status="approved", approved_at=timezone.now())
    ws = sheet_of(xlsx.table_workbook(table_queryset().get(pk=table.pk)))
    assert ws.oddHeader.center.text is None and ws.oddFooter.left.text.startswith("第1版 · ")


def test_a_chengde_table_has_its_explanation_and_the_split_value_heading():
    table = table_queryset().get(project_code="105-0901-YBN-DPPC")
    ws = sheet_of(xlsx.table_workbook(table))
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts[0] == "1.重点产业扶持资金" and "预算项目绩效表" in texts  # numbered as printed
    assert "绩效指标的说明" in texts and "一、基本情况" in texts
    assert ["符号", "值", "单位（文字描述）"] == [t for t in texts if t in ("符号", "值", "单位（文字描述）")]
    assert ["目标1", "目标2"] == [t for t in texts if t.startswith("目标") and len(t) == 3]


def test_a_units_year_is_one_workbook_with_the_plan_then_a_sheet_per_table():
    from perfgoals.printing import book

    plan, tables = book.book_contents(Unit.objects.get(code="U067906"), 2020)
    workbook = load_workbook(io.BytesIO(xlsx.book_workbook(plan, tables)))
    assert workbook.sheetnames[0] == "部门整体绩效目标" and len(workbook.sheetnames) == 1 + len(tables) == 12
    assert workbook.sheetnames[1] == f"1.{tables[0].project_name}"[:31]
    assert workbook.worksheets[2]["A1"].value.startswith("2.")


def test_a_clerk_exports_their_table_and_the_units_year_from_the_print_links(client, clerk, make_table):
    table = make_table()
    client.force_login(clerk)
    editor = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert reverse("xlsx_table", args=[table.pk]) in editor and "导出Excel" in editor
    response = client.get(reverse("xlsx_table", args=[table.pk]))
    assert response.status_code == 200 and response["Content-Type"] == xlsx.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    assert sheet_of(response.content)["A1"].value == "安全生产培训经费绩效目标表"
    response = client.get(reverse("xlsx_book", args=[table.unit.code, table.year]))
    assert response.status_code == 200 and load_workbook(io.BytesIO(response.content)).sheetnames == ["1.安全生产培训经费"]


def test_another_units_clerk_cannot_export_the_table(client, other_clerk, make_table):
    table = make_table()
    client.force_login(other_clerk)
    assert client.get(reverse("xlsx_table", args=[table.pk])).status_code == 404
    assert client.get(reverse("xlsx_book", args=[table.unit.code, table.year])).status_code == 404


def test_a_hubei_department_plan_gets_its_landscape_form_sheet():
    from perfgoals.printing import book

    plan, tables = book.book_contents(Unit.objects.get(code="U693004"), 2024)
    workbook = load_workbook(io.BytesIO(xlsx.book_workbook(plan, tables)))
    (ws,) = workbook.worksheets
    assert ws.page_setup.orientation == "landscape" and ws["A1"].value == "部门整体绩效目标表"
    texts = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    for heading in ("部门（单位）名称", "收入构成", "支出构成", "长期绩效指标", "年度绩效指标", "预期当年实现值", "2022年"):
        assert heading in texts
    assert 509.41 in texts and "方凯萍" in texts
    assert {i.name for i in plan.indicators.all()} <= set(texts)  # every indicator, long-term and annual


def test_the_template_librarys_year_exports_for_anyone_signed_in(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("xlsx_book", args=["321001", 2021]))
    assert response.status_code == 200
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 3  # the plan and two tables


# ---------------------------------------------------------------- formula-like text stays text

HYPERLINK = '=HYPERLINK("http://example.com/steal","点击查看")'


def test_a_formula_like_project_name_stays_text_in_the_excel_export_and_imports_back(make_table, other_unit):
    table = make_table(project_name=HYPERLINK)
    table.indicators.filter(name="培训经费").update(description="-1+1", basis="@SUM(A1)")
    data = xlsx.table_workbook(table)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere in the sheet
    ws = sheet_of(data)
    name_cell = next(c for row in ws.iter_rows() for c in row if c.value == HYPERLINK)
    assert name_cell.data_type == "s" and name_cell.quotePrefix
    (imported,) = import_back("公式.xlsx", data, other_unit)
    assert imported.project_name == HYPERLINK
    assert imported.indicators.get(name="培训经费").basis == "@SUM(A1)"


def test_the_admin_export_neutralises_formula_like_text_and_keeps_numbers(client, admin_user, make_table):
    from tests.test_admin import export_csv

    make_table(project_name=HYPERLINK, fund_use="+cmd|' /C calc'!A0")
    client.force_login(admin_user)
    rows = export_csv(client, "/admin/goals/projecttable/export/")
    row = next(r for r in rows if r["单位编码"] == "990001")
    assert row["项目名称"] == "'" + HYPERLINK and row["资金用途"] == "'+cmd|' /C calc'!A0"
    assert row["预算数（万元）"] == "5.00"


def test_the_admin_xlsx_export_has_no_formula_and_a_negative_number_stays_a_number(client, admin_user, make_table):
    from perfgoals.goals.resources import ProjectTableResource

    Unit.objects.create(code="=1+1", name="@负数单位")
    make_table(project_name=HYPERLINK)
    ProjectTable.objects.filter(project_name=HYPERLINK).update(budget_other=-1)  # past the form's check
    dataset = ProjectTableResource().export(force_native_type=True)
    ws = sheet_of(dataset.export("xlsx"))
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'" + HYPERLINK in values and -1 in values
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    from perfgoals.units.resources import UnitResource

    units = UnitResource().export().export("csv")
    assert "'=1+1,'@负数单位" in units


def test_a_neutralised_cell_imports_back_without_its_apostrophe(client, admin_user, unit):
    from tests.test_admin import import_and_confirm

    client.force_login(admin_user)
    import_and_confirm(client, "/admin/units/unit/", "单位编码,单位名称,上级部门编码,财政区划代码\n990009,'=测试局,,\n")
    assert Unit.objects.get(code="990009").name == "=测试局"


def test_print_goals_writes_the_workbook_when_the_output_is_xlsx(tmp_path):
    from django.core.management import call_command

    call_command("print_goals", unit="926001", year=2021, out=str(tmp_path / "book.xlsx"), stdout=io.StringIO())
    assert len(load_workbook(tmp_path / "book.xlsx").sheetnames) == 1 + 11
    call_command("print_goals", unit="926001", year=2021, project="130682210O53F1D4P4MYG",
                 out=str(tmp_path / "t.xlsx"), stdout=io.StringIO())
    (imported,) = import_back("t.xlsx", (tmp_path / "t.xlsx").read_bytes())
    assert imported.project_code == "130682210O53F1D4P4MYG"


def test_a_units_year_workbook_imports_back_every_table(other_unit):
    from perfgoals.printing import book

    plan, tables = book.book_contents(Unit.objects.get(code="926001"), 2021)
    imported = import_back("全本.xlsx", xlsx.book_workbook(plan, tables), other_unit)
    assert [as_printed(t) | {"unit": "926001"} for t in imported] == [as_printed(t) for t in tables]
    assert [t.position for t in imported] == list(range(1, 12))


def test_a_clerk_uploads_an_exported_table_on_the_import_page_and_gets_the_same_table(client, clerk, unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    template = table_queryset().get(project_code="13032221Q04ELG36NCMHS")
    client.force_login(clerk)
    upload = SimpleUploadedFile("招商引资工作经费.xlsx", xlsx.table_workbook(template), content_type=xlsx.XLSX_TYPE)
    response = client.post(reverse("import_document"), {"unit": unit.pk, "file": upload, "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200 and "招商引资工作经费" in page and "≥5个" in page
    response = client.post(reverse("import_document"), {"action": "confirm", "token": response.context["token"]})
    imported = ProjectTable.objects.get(unit=unit, project_name="招商引资工作经费")
    assert response.status_code == 302 and imported.status == "draft"
    assert as_printed(imported) | {"unit": "321001"} == as_printed(template)


def test_an_amount_to_the_fen_is_exported_whole_and_imported_back_exactly(make_table):
    from decimal import Decimal

    table = make_table()
    ProjectTable.objects.filter(pk=table.pk).update(budget_total=Decimal("12.345678"), budget_fiscal=Decimal("12.345678"),
                                                    budget_other=Decimal("0"))
    table = table_queryset().get(pk=table.pk)
    ws = sheet_of(xlsx.table_workbook(table))
    cells = {c.value: c.coordinate for row in ws.iter_rows() for c in row if c.value is not None}
    cell = ws[f"D{ws[cells['预算数']].row}"]
    assert cell.value == 12.345678 and cell.number_format == "0.00####"  # Excel shows 12.345678, not 12.35
    data = xlsx.table_workbook(table)
    table.delete()  # imported into an installation without it
    (imported,) = import_back("x.xlsx", data, unit=table.unit)
    assert (imported.budget_total, imported.budget_fiscal) == (Decimal("12.345678"), Decimal("12.345678"))
