"""导出指标 / 导入指标: a table's indicator rows through django-import-export, as .xlsx and .csv."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from perfgoals.goals.models import Indicator, Status

HEADINGS = ["编号", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据", "指标分类", "版本"]


@pytest.fixture
def client_clerk(client, clerk, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(clerk)
    return client


def export_sheet(client, table):
    r = client.get(reverse("indicator_export", args=[table.pk, "xlsx"]))
    assert r.status_code == 200
    return load_workbook(io.BytesIO(r.content)).active


def upload(client, table, sheet_or_bytes, name="指标.xlsx"):
    if isinstance(sheet_or_bytes, bytes):
        data = sheet_or_bytes
    else:
        out = io.BytesIO()
        sheet_or_bytes.parent.save(out)
        data = out.getvalue()
    return client.post(reverse("indicator_import", args=[table.pk]),
                       {"action": "preview", "file": SimpleUploadedFile(name, data)})  # fmt: skip


def confirm(client, table, response):
    token = response.content.decode().split('name="token" value="', 1)[1].split('"', 1)[0]
    return client.post(reverse("indicator_import", args=[table.pk]), {"action": "confirm", "token": token})


def row_of(sheet, name) -> int:
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 4).value == name)


def test_it_exports_the_indicators_with_chinese_headings_in_grid_order(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    assert [c.value for c in sheet[1]] == HEADINGS
    assert sheet.cell(2, 2).value == "产出指标" and sheet.cell(2, 3).value == "数量指标"
    assert sheet.cell(2, 4).value == "培训人员人次" and sheet.cell(2, 6).value == "≥150人次"
    assert sheet.max_row == 1 + table.indicators.count()


def test_it_exports_csv_that_excel_reads(client_clerk, table):
    r = client_clerk.get(reverse("indicator_export", args=[table.pk, "csv"]))
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff编号,一级指标,二级指标,三级指标") and "培训合格率" in text
    assert "attachment" in r["Content-Disposition"] and ".csv" in r["Content-Disposition"]


def test_an_unedited_export_imports_as_unchanged(client_clerk, table):
    r = upload(client_clerk, table, export_sheet(client_clerk, table))
    assert "未改动 9 行" in r.content.decode() and "新增 0 行" in r.content.decode()


def test_a_dry_run_shows_added_changed_and_deleted_rows_with_their_excel_rows_and_writes_nothing(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    sheet.cell(row_of(sheet, "培训合格率"), 6).value = "≥99%"
    sheet.delete_rows(row_of(sheet, "环境污染事故"))
    sheet.append(["", "产出指标", "数量指标", "培训教材册数", "印制的教材", "500册", "工作计划", "", ""])
    versions = dict(table.indicators.values_list("name", "version"))

    r = upload(client_clerk, table, sheet)

    html = r.content.decode()
    assert "新增 1 行，修改 1 行，删除 1 行，未改动 7 行" in html
    assert "指标值：≥98% → ≥99%" in html
    assert "环境污染事故" in html and "培训教材册数" in html
    assert "确认导入" in html
    assert not Indicator.objects.filter(table=table, name="培训教材册数").exists()
    assert dict(table.indicators.values_list("name", "version")) == versions


def test_confirm_writes_the_changes_with_versions_and_history(client_clerk, table, clerk):
    sheet = export_sheet(client_clerk, table)
    sheet.cell(row_of(sheet, "培训合格率"), 6).value = "≥99%"
    sheet.delete_rows(row_of(sheet, "环境污染事故"))
    sheet.append(["", "产出指标", "数量指标", "培训教材册数", "印制的教材", "500册", "工作计划", "", ""])
    untouched = table.indicators.get(name="培训人员人次")

    r = confirm(client_clerk, table, upload(client_clerk, table, sheet))

    assert r.status_code == 302 and r["Location"].endswith("#grid")
    changed = table.indicators.get(name="培训合格率")
    assert changed.value_display == "≥99%" and changed.version == 2
    assert changed.history.first().history_user == clerk
    assert not table.indicators.filter(name="环境污染事故").exists()
    added = table.indicators.get(name="培训教材册数")
    assert added.level2.name == "数量指标" and added.value_display == "500册" and added.version == 1
    assert added.order > untouched.order
    untouched.refresh_from_db()
    assert untouched.version == 1  # an unchanged row is not saved again
    page = client_clerk.get(r["Location"]).content.decode()
    assert "已从“指标.xlsx”导入指标：新增 1 行，修改 1 行，删除 1 行" in page


def test_each_rows_review_problems_come_with_its_excel_row(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    line = row_of(sheet, "培训合格率")
    sheet.cell(line, 6).value = "≥99培训合格率"  # the unit is really the indicator's name
    html = upload(client_clerk, table, sheet).content.decode()
    assert f"第 {line} 行：" in html and "培训合格率" in html
    assert "错误" in html or "提示" in html


def test_a_row_that_cannot_be_read_names_its_excel_row_and_nothing_is_written(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    sheet.append(["", "产出指标", "规模指标", "新建培训室", "", "2间", "", "", ""])
    line = sheet.max_row
    before = table.indicators.count()
    html = upload(client_clerk, table, sheet).content.decode()
    assert f"第 {line} 行：指标体系“" in html and "没有二级指标“规模指标”" in html
    assert "确认导入" not in html and "未导入任何内容" in html
    assert table.indicators.count() == before


def test_a_number_of_another_tables_row_is_refused_never_taken_over(client_clerk, table, make_table):
    other = make_table(project_code="13099926P000000000002", project_name="另一个项目")
    foreign = other.indicators.first()
    sheet = export_sheet(client_clerk, table)
    sheet.append([foreign.pk, "产出指标", "数量指标", "偷改的指标", "", "1项", "", "", ""])
    html = upload(client_clerk, table, sheet).content.decode()
    assert f"编号 {foreign.pk} 不是本表的指标" in html
    foreign.refresh_from_db()
    assert foreign.name != "偷改的指标" and foreign.table == other


def test_a_row_changed_by_someone_else_since_the_export_is_refused(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    indicator = table.indicators.get(name="培训合格率")
    indicator.description = "他人改过的描述"
    indicator.save()
    sheet.cell(row_of(sheet, "培训合格率"), 6).value = "≥99%"
    html = upload(client_clerk, table, sheet).content.decode()
    assert "这一行在导出后已被" in html and "请重新导出" in html


def test_a_confirmation_after_the_table_changed_is_refused(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    sheet.cell(row_of(sheet, "培训合格率"), 6).value = "≥99%"
    preview = upload(client_clerk, table, sheet)
    Indicator.objects.filter(table=table, name="参训企业满意度").update(version=7)
    r = confirm(client_clerk, table, preview)
    assert r.status_code == 302
    assert table.indicators.get(name="培训合格率").value_display == "≥98%"
    assert "在预览后已被修改" in client_clerk.get(r["Location"]).content.decode()


def test_wrong_headings_say_so_in_chinese_and_write_nothing(client_clerk, table):
    book = Workbook()
    book.active.append(["序号", "项目", "金额"])
    book.active.append(["1", "培训", "5"])
    before = list(table.indicators.values_list("pk", "version"))
    html = upload(client_clerk, table, book.active).content.decode()
    assert "表头不对：缺少“二级指标”“三级指标”“指标值”列" in html and "未导入任何内容" in html
    assert list(table.indicators.values_list("pk", "version")) == before


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("指标.xlsx", b"%PDF-1.4 not a workbook", "实际上是 PDF 文件"),
        ("指标.xlsx", b"PK\x03\x04broken", "已损坏"),
        ("指标.pdf", b"%PDF-1.4", "类型不能导入"),
        ("指标.csv", b"", "没有内容"),
    ],
)
def test_a_bad_file_is_refused_beside_the_upload(client_clerk, table, name, data, message):
    before = table.indicators.count()
    html = upload(client_clerk, table, data, name=name).content.decode()
    assert 'id="rowfile-error"' in html and message in html
    assert table.indicators.count() == before


def test_csv_round_trip_in_gbk_as_excel_saves_it(client_clerk, table):
    text = client_clerk.get(reverse("indicator_export", args=[table.pk, "csv"])).content.decode("utf-8-sig")
    text = text.replace("≥98%", "≥97%")
    r = confirm(client_clerk, table, upload(client_clerk, table, text.encode("gb18030"), name="指标.csv"))
    assert r.status_code == 302
    assert table.indicators.get(name="培训合格率").value_display == "≥97%"


def test_a_submitted_table_refuses_an_import(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    table.status = Status.SUBMITTED
    table.save()
    assert upload(client_clerk, table, sheet).status_code == 403


def test_another_units_clerk_can_neither_export_nor_import(client, other_clerk, table):
    client.force_login(other_clerk)
    assert client.get(reverse("indicator_export", args=[table.pk, "xlsx"])).status_code == 404
    r = client.post(reverse("indicator_import", args=[table.pk]), {"action": "preview"})
    assert r.status_code == 404


def test_categories_are_matched_by_meaning(client_clerk, table):
    sheet = export_sheet(client_clerk, table)
    sheet.append(["", "效果指标", "社会效益", "企业安全意识", "", "明显提升", "", "", ""])
    confirm(client_clerk, table, upload(client_clerk, table, sheet))
    assert table.indicators.get(name="企业安全意识").level2.name == "社会效益指标"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_like_text_is_exported_as_text_and_imports_back_the_same(client_clerk, table, fmt):
    indicator = table.indicators.get(name="培训合格率")
    indicator.description = "=HYPERLINK(\"http://example.com\")"
    indicator.save()
    r = client_clerk.get(reverse("indicator_export", args=[table.pk, fmt]))
    if fmt == "xlsx":
        cell = load_workbook(io.BytesIO(r.content)).active.cell(3, 5)
        assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    else:
        assert "'=HYPERLINK" in r.content.decode("utf-8-sig")
    html = upload(client_clerk, table, r.content, name=f"指标.{fmt}").content.decode()
    assert "未改动 9 行" in html


def test_the_admins_indicator_import_refuses_a_submitted_table(admin_client, table):
    table.status = Status.SUBMITTED
    table.save()
    indicator = table.indicators.get(name="培训人员人次")
    content = (
        "编号,绩效目标表编号,一级指标,二级指标,三级指标,指标值\n"
        f"{indicator.pk},{table.pk},产出指标,数量指标,培训人员人次,≥200人次\n"
    )
    form = admin_client.get("/admin/goals/indicator/import/").context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("data.csv", content.encode("utf-8"), content_type="text/csv")
    preview = admin_client.post("/admin/goals/indicator/import/",
                                {"format": csv_format, "resource": "0", "import_file": upload})  # fmt: skip
    assert "已提交，不能修改其指标" in preview.content.decode()
    indicator.refresh_from_db()
    assert indicator.value_display == "≥150人次"


def test_the_admins_indicator_import_names_each_bad_row_by_its_excel_row_and_writes_nothing(admin_client, table):
    first, second = table.indicators.order_by("order")[:2]
    content = (
        "编号,绩效目标表编号,一级指标,二级指标,三级指标,指标值\n"  # row 1
        f"{first.pk},{table.pk},产出指标,数量指标,培训人员人次,≥200人次\n"  # row 2: fine
        f"{second.pk},{table.pk},产出指标,没有这个二级,{second.name},≥98%\n"  # row 3
    )
    form = admin_client.get("/admin/goals/indicator/import/").context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("data.csv", content.encode("utf-8"), content_type="text/csv")
    preview = admin_client.post("/admin/goals/indicator/import/",
                                {"format": csv_format, "resource": "0", "import_file": upload})  # fmt: skip
    (invalid,) = preview.context["result"].invalid_rows
    assert invalid.number == 3 and "没有二级指标“没有这个二级”" in str(invalid.error_dict)
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    first.refresh_from_db()
    assert first.value_display != "≥200人次"
