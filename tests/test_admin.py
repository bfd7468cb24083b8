"""The Django admin: a superuser sees the tables with their indicators, exports and
imports spreadsheets, and reads (never rewrites) the change history."""

import csv
import io
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from perfgoals.goals.models import Indicator
from perfgoals.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def format_index(form, title: str) -> str:
    return next(value for value, label in form.fields["format"].choices if label == title)


def export_csv(client, url: str) -> list[dict]:
    form = client.get(url).context["form"]
    data = {"format": format_index(form, "csv"), "resource": "0"}
    data |= {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith("\ufeff".encode()), "Excel needs the BOM to read Chinese CSV"
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_changelist_lists_project_tables(admin_client, make_table):
    make_table()

    response = admin_client.get("/admin/goals/projecttable/")

    assert response.status_code == 200
    assert "安全生产培训经费" in response.content.decode()
    assert "项目绩效目标表" in response.content.decode()


def test_the_change_page_shows_the_tables_indicators(admin_client, make_table):
    table = make_table()

    response = admin_client.get(f"/admin/goals/projecttable/{table.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    for name in ["培训人员人次", "培训合格率", "参训企业满意度"]:
        assert name in page
    assert "≥150人次" in page  # the printed value
    assert "组织全县安全生产专题培训" in page  # the goal


def test_the_indicator_choice_offers_only_the_tables_framework(admin_client, make_table):
    table = make_table()

    form = admin_client.get(f"/admin/goals/projecttable/{table.pk}/change/").context["inline_admin_formsets"]
    indicators = next(f for f in form if f.formset.model is Indicator)
    frameworks = {level2.level1.framework_id for level2 in indicators.formset.forms[0].fields["level2"].queryset}
    assert frameworks == {table.framework_id}


def test_a_clerk_cannot_open_the_admin(client, clerk):
    client.force_login(clerk)

    response = client.get("/admin/goals/projecttable/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_indicators_export_with_category_names_and_printed_values(admin_client, make_table):
    table = make_table()

    rows = export_csv(admin_client, "/admin/goals/indicator/export/")

    by_name = {row["三级指标"]: row for row in rows if row["绩效目标表编号"] == str(table.pk)}
    assert by_name["培训人员人次"]["一级指标"] == "产出指标"
    assert by_name["培训人员人次"]["二级指标"] == "数量指标"
    assert by_name["培训人员人次"]["指标值"] == "≥150人次"
    assert by_name["企业生产事故损失下降"]["指标值"] == "明显下降"
    assert by_name["培训人员人次"]["项目名称"] == "安全生产培训经费"


def test_project_tables_export_with_unit_codes(admin_client, make_table):
    table = make_table()

    rows = export_csv(admin_client, "/admin/goals/projecttable/export/")

    row = next(row for row in rows if row["编号"] == str(table.pk))
    assert row["项目名称"] == "安全生产培训经费"
    assert row["单位编码"] == "990001"
    assert row["预算数（万元）"] == "5.00"
    assert row["状态"] == "草稿"


def test_an_imported_indicator_value_is_parsed_from_its_printed_form(admin_client, make_table):
    table = make_table()
    rows = export_csv(admin_client, "/admin/goals/indicator/export/")
    rows = [row for row in rows if row["绩效目标表编号"] == str(table.pk)]
    for row in rows:
        if row["三级指标"] == "培训人员人次":
            row["指标值"] = "≥200人次"
    upload = io.StringIO()
    writer = csv.DictWriter(upload, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    import_and_confirm(admin_client, "/admin/goals/indicator/", upload.getvalue())

    indicator = table.indicators.get(name="培训人员人次")
    assert (indicator.operator, indicator.number, indicator.unit) == ("≥", 200, "人次")
    assert indicator.level2.name == "数量指标"
    assert table.indicators.count() == 9


def test_units_import_from_a_spreadsheet(admin_client, unit):
    upload = "单位编码,单位名称,上级部门编码,财政区划代码\n990003,测试县第三局本级,990001,\n"

    import_and_confirm(admin_client, "/admin/units/unit/", upload)

    created = Unit.objects.get(code="990003")
    assert created.name == "测试县第三局本级"
    assert created.parent == unit


def import_and_confirm(client, changelist: str, content: str) -> None:
    form = client.get(changelist + "import/").context["form"]
    upload = SimpleUploadedFile("data.csv", content.encode("utf-8"), content_type="text/csv")
    preview = client.post(
        changelist + "import/",
        {"format": format_index(form, "csv"), "resource": "0", "import_file": upload},
    )
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    confirm = preview.context["confirm_form"]
    response = client.post(changelist + "process_import/", confirm.initial)
    assert response.status_code == 302


def test_history_can_be_read_but_not_reverted(admin_client, make_table):
    table = make_table()
    record = table.history.latest()

    history = admin_client.get(f"/admin/goals/projecttable/{table.pk}/history/")
    view = admin_client.get(f"/admin/goals/projecttable/{table.pk}/history/{record.history_id}/")
    revert = admin_client.post(
        f"/admin/goals/projecttable/{table.pk}/history/{record.history_id}/",
        {"project_name": "被改掉的名称"},
    )

    assert history.status_code == 200
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()  # no revert button
    assert revert.status_code == 403
    table.refresh_from_db()
    assert table.project_name == "安全生产培训经费"


# The change form of the largest table or plan a document may hold posts, and no more rows are saved.


class FormFields(HTMLParser):
    """The fields a browser would post from a page's main form: name → values."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea = self._select = None
        self._options: list = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ("on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [self._options[0][0] if self._options else ""]
            self.fields.append((self._select, chosen[0]))
            self._select = None


def change_form(client, url: str) -> list[tuple[str, str]]:
    page = client.get(url).content.decode()
    form = page[page.index('<form method="post" id="'):]
    parser = FormFields()
    parser.feed(form[: form.index("</form>")])
    return [(name, value) for name, value in parser.fields if not name.endswith("__prefix__") and "__prefix__" not in name]


def largest_table(table, settings) -> None:
    level2 = table.indicators.first().level2
    room = settings.MAX_ROWS_PER_TABLE - table.goals.count() - table.indicators.count()
    Indicator.objects.bulk_create(
        [Indicator(table=table, level2=level2, name=f"指标{n}", text="较好", value_kind="qualitative", order=10 + n)
         for n in range(room)]
    )  # fmt: skip


def test_the_change_form_of_the_largest_table_a_document_may_hold_is_saved(admin_client, make_table, settings):
    from django.conf import settings as loaded

    assert settings.MAX_ROWS_PER_TABLE == 200 and loaded.DATA_UPLOAD_MAX_NUMBER_FIELDS >= 1000
    table = make_table()
    largest_table(table, settings)
    url = f"/admin/goals/projecttable/{table.pk}/change/"
    fields = change_form(admin_client, url)
    assert len(fields) > 2000  # Django's default limit was 1,000: a 90-indicator table's form got an English 400

    response = admin_client.post(url, urlencode(fields), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302, response.content.decode()[:2000]
    assert table.indicators.count() + table.goals.count() == 200


def test_the_change_form_of_the_largest_plan_a_document_may_hold_is_saved(admin_client, unit, settings):
    from perfgoals.frameworks.models import Framework
    from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan

    hubei = Framework.objects.get(code="hubei-department")
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, framework=hubei, overall_goal="做好招商")
    level2 = hubei.level2_list()[0]
    DepartmentIndicator.objects.bulk_create(
        [DepartmentIndicator(plan=plan, level1=level2.level1, level2=level2, name=f"指标{n}", text="较好",
                             value_kind="qualitative", order=n) for n in range(settings.MAX_ROWS_PER_TABLE)]
    )  # fmt: skip
    url = f"/admin/goals/departmentplan/{plan.pk}/change/"

    response = admin_client.post(url, urlencode(change_form(admin_client, url)),
                                 content_type="application/x-www-form-urlencoded")  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_admin_refuses_rows_beyond_the_limit_in_chinese_and_saves_nothing(admin_client, make_table, settings):
    table = make_table()
    settings.MAX_ROWS_PER_TABLE = table.goals.count() + table.indicators.count()
    url = f"/admin/goals/projecttable/{table.pk}/change/"
    fields = dict(change_form(admin_client, url))
    fields.update({"goals-TOTAL_FORMS": "2", "goals-1-order": "2", "goals-1-text": "第二个目标",
                   "goals-1-table": str(table.pk), "project_name": "改过的名称"})  # fmt: skip

    response = admin_client.post(url, fields)

    assert response.status_code == 200
    assert "最多 10 行（绩效目标、指标等合计），这里有 11 行" in response.content.decode()
    table.refresh_from_db()
    assert table.goals.count() == 1 and table.project_name == "安全生产培训经费"


# Admin import: CSV and Excel only, bounded in bytes and rows, its temporary file named by us.

UNITS = "单位编码,单位名称,上级部门编码,财政区划代码\n"


def import_form(client, changelist: str):
    return client.get(changelist + "import/").context["form"]


def test_the_admin_imports_only_csv_and_excel(admin_client):
    form = import_form(admin_client, "/admin/units/unit/")
    html = SimpleUploadedFile("units.html", b"<table><tr><th>\xe5\x8d\x95</th></tr></table>", content_type="text/html")

    response = admin_client.post("/admin/units/unit/import/", {"format": "7", "resource": "0", "import_file": html})

    assert [label for value, label in form.fields["format"].choices if value] == ["csv", "xlsx"]
    assert response.status_code == 200 and "format" in response.context["form"].errors  # the HTML reader was a 500


def test_a_file_name_of_the_admins_choosing_is_never_read_by_the_import(admin_client, tmp_path):
    """It read (and then deleted) any file in /tmp named by `import_file_name=../../tmp/x`."""
    secret = Path(tempfile.gettempdir()) / f"perfgoals-test-{tmp_path.name}.csv"
    try:
        for name in (f"../../tmp/{secret.name}", str(secret), secret.name):
            secret.write_text(UNITS + "990009,不该导入的单位,,\n", encoding="utf-8")
            answer = admin_client.post("/admin/units/unit/process_import/", {
                "import_file_name": name, "original_file_name": "x.csv", "format": "0", "resource": "0"})  # fmt: skip

            assert answer.status_code == 400 and "请求有误" in answer.content.decode()
            assert secret.exists() and not Unit.objects.filter(code="990009").exists()
    finally:
        secret.unlink(missing_ok=True)


@pytest.mark.parametrize("fields", [{"format": "7"}, {"format": "x"}, {"resource": "9"}])
def test_a_crafted_format_or_resource_on_confirming_an_import_is_a_400(admin_client, fields):
    data = {"import_file_name": "0" * 32, "original_file_name": "x.csv", "format": "0", "resource": "0", **fields}

    assert admin_client.post("/admin/units/unit/process_import/", data).status_code == 400


def test_an_import_upload_over_the_limit_is_refused_in_chinese_before_it_is_read(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2000
    upload = SimpleUploadedFile("units.csv", (UNITS + "990010,测试单位,,\n" * 200).encode(), content_type="text/csv")

    response = admin_client.post("/admin/units/unit/import/", {"format": "0", "resource": "0", "import_file": upload})

    assert response.status_code == 413
    assert "上传的内容超过" in response.content.decode() and "未导入任何内容" in response.content.decode()
    assert not Unit.objects.filter(code="990010").exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_import_of_more_rows_than_the_limit_is_refused_in_chinese(admin_client, settings, kind):
    settings.ADMIN_IMPORT_MAX_ROWS = 2
    rows = [["单位编码", "单位名称", "上级部门编码", "财政区划代码"]] + [[f"99002{n}", f"测试单位{n}", "", ""] for n in range(3)]
    if kind == "csv":
        content = "\n".join(",".join(row) for row in rows).encode()
    else:
        from openpyxl import Workbook

        book = Workbook()
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    form = import_form(admin_client, "/admin/units/unit/")
    upload = SimpleUploadedFile(f"units.{kind}", content)

    response = admin_client.post("/admin/units/unit/import/",
                                 {"format": format_index(form, kind), "resource": "0", "import_file": upload})  # fmt: skip

    assert response.status_code == 200
    message = {"csv": "一次最多导入 2 行，该文件有 3 行（不含表头），未导入任何内容", "xlsx": "一次最多导入 2 行，该文件超过 2 行"}[kind]
    assert message in response.content.decode()
    assert not Unit.objects.filter(code__startswith="99002").exists()


def test_indicators_added_beyond_a_tables_row_limit_by_import_or_on_their_own_page_are_refused(admin_client, make_table,
                                                                                           settings):
    table = make_table()
    settings.MAX_ROWS_PER_TABLE = table.goals.count() + table.indicators.count()
    upload = "绩效目标表编号,一级指标,二级指标,三级指标,指标值\n" + f"{table.pk},产出指标,数量指标,新增的指标,≥1项\n"
    form = import_form(admin_client, "/admin/goals/indicator/")
    preview = admin_client.post("/admin/goals/indicator/import/", {
        "format": format_index(form, "csv"), "resource": "0",
        "import_file": SimpleUploadedFile("rows.csv", upload.encode(), content_type="text/csv")})  # fmt: skip
    added = admin_client.post("/admin/goals/indicator/add/", {
        "table": table.pk, "level2": table.indicators.first().level2_id, "name": "新增的指标", "order": 99,
        "value_kind": "qualitative", "text": "较好"})  # fmt: skip

    assert preview.context["result"].has_validation_errors() and "confirm_form" not in preview.context
    assert "最多 10 行（绩效目标、指标等合计），这里有 11 行" in preview.content.decode()
    assert added.status_code == 200 and "最多 10 行（绩效目标、指标等合计），未添加" in added.content.decode()
    assert table.indicators.count() == 9
