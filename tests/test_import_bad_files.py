"""Bad files on the import page and the command: a Chinese message naming the file (and the row
and column where it applies), nothing written, no upload kept; uploads over the limit refused
before they are read; abandoned uploads swept; a unit the document names made only by an
administrator's confirmation."""

import io
import os
import re
import time
import zipfile

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import CommandError, call_command
from django.urls import reverse

from perfgoals.exchange import files
from perfgoals.exchange.files import FileRefused, read_file
from perfgoals.goals.models import Goal, Indicator, ProjectTable
from perfgoals.units.models import Unit
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """DATA_DIR, and the default storage (where the import page keeps a previewed upload) at
    its root, so both kinds of pending upload are under tmp_path/imports."""
    settings.DATA_DIR = tmp_path
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return tmp_path


def counts():
    return ProjectTable.objects.count(), Indicator.objects.count(), Goal.objects.count(), Unit.objects.count()


def kept(data_dir):
    folder = data_dir / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip of `members`, deflated at the fastest level: the 50 MB bomb is built in every
    process that collects this module (0.06 s instead of 0.24 s; it is 230 KB, not 50 KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx(rows, far_row=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    if far_row:
        book.active.cell(row=far_row, column=1, value="")  # the used range reaches it; the cell is empty
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FLAT_HEAD = ["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"]

BAD_FILES = [
    ("目标.docx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "文件“目标.docx”实际上是 PDF 文件"),
    ("目标.xlsx", b"PK\x03\x04" + b"\0" * 200, "文件“目标.xlsx”已损坏"),
    ("目标.docx", b"PK\x03\x04" + b"\0" * 200, "文件“目标.docx”已损坏"),
    ("坏.docx", _zip({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
     "文件“坏.docx”已损坏，无法作为 Word 文档打开"),
    ("坏.xlsx", _zip({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"<workbook"}),
     "文件“坏.xlsx”已损坏，无法作为 Excel 工作簿打开"),
    ("表头.xlsx", _xlsx([["名称", "数值"], ["甲", 1]]), "文件“表头.xlsx”中没有可以导入的绩效指标表"),
    ("空表.xlsx", _xlsx([], far_row=1_000_000), "文件“空表.xlsx”中没有内容"),
    ("公式.xlsx", _xlsx([FLAT_HEAD, ["", "项目甲", "#DIV/0!"]]),
     "文件“公式.xlsx”工作表“Sheet”第 2 行第 C 列的公式结果是错误值 #DIV/0!"),
    ("炸弹.docx", _zip({"word/document.xml": b"\0" * (50 * 1024 * 1024)}), "文件“炸弹.docx”解压后有 50 MB，超出允许的大小"),
]


@pytest.mark.parametrize("name, data, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_upload_is_named_on_the_page_and_nothing_is_written_or_kept(client, clerk, unit, data_dir,
                                                                          name, data, message):
    client.login(username="clerk", password=PASSWORD)
    before = counts()
    upload = io.BytesIO(data)
    upload.name = name
    response = client.post(reverse("import_document"), {"unit": unit.pk, "file": upload, "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "未导入任何内容" in page
    assert "确认导入" not in page
    assert counts() == before and kept(data_dir) == []


@pytest.mark.parametrize("name, data, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_on_the_command_line_is_named_and_nothing_is_written(unit, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    before = counts()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_document", str(path), "--unit", unit.code)
    assert counts() == before


def _saved_result(data: bytes, formula: str, value: str) -> bytes:
    """The workbook as Excel saves it: the formula's cell also holds its result."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                member = member.replace(f"<f>{formula}</f><v></v>".encode(), f"<f>{formula}</f><v>{value}</v>".encode())
            target.writestr(info, member)
    return buffer.getvalue()


def test_a_paste_that_is_not_a_table_says_so_on_the_page_and_nothing_is_written(client, clerk, unit, data_dir):
    client.login(username="clerk", password=PASSWORD)
    before = counts()
    page = client.post(reverse("import_document"), {"unit": unit.pk, "text": "这不是表格，只是一段话。\n第二段。",
                                                    "action": "preview"}).content.decode()
    assert "粘贴的内容不是表格：没有用制表符分隔的单元格。" in page and "未导入任何内容" in page
    assert counts() == before and kept(data_dir) == []


def test_formula_cells_are_read_as_the_values_excel_saved_never_evaluated(unit):
    """A workbook saved by Excel keeps each formula's result; we read that. A formula without
    a saved result (written by a program) reads empty: we never run it."""
    from openpyxl import load_workbook

    row = ["", "项目甲", "=40+60", "", "产出指标", "数量指标", "台数", "≥", "=2*10", "台"]
    data = _xlsx([FLAT_HEAD, row])
    assert load_workbook(io.BytesIO(data)).active["I2"].value == "=2*10"  # real formula cells
    (table,) = read_file("公式.xlsx", data).tables
    assert table.budget_total is None and table.indicators[0].split == ("≥", "", "台")
    saved = _saved_result(_saved_result(data, "2*10", "20"), "40+60", "999")  # not what the formula gives
    (table,) = read_file("公式.xlsx", saved).tables
    assert table.budget_total == 999 and table.indicators[0].split == ("≥", "20", "台")


def test_a_sheet_with_too_many_rows_is_refused_with_where_reading_stopped(monkeypatch, unit, client, clerk):
    monkeypatch.setattr(files, "MAX_SHEET_ROWS", 50)
    rows = [FLAT_HEAD] + [["", "项目甲", 100, "", "产出指标", "数量指标", f"指标{n}", "≥", n, "项"] for n in range(60)]
    with pytest.raises(FileRefused, match="文件“长表.xlsx”工作表“Sheet”有内容的行超过 50 行（读到第 51 行）"):
        read_file("长表.xlsx", _xlsx(rows))


def test_a_document_whose_text_unpacks_too_large_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(files, "MAX_PART", 1024 * 1024)
    text = os.urandom(1024 * 1024).hex().encode()  # 2 MB that does not compress: no zip bomb, just large
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": text})
    with pytest.raises(FileRefused, match="文件“长文.docx”的 word/document.xml 解压后有 2 MB，超过 1 MB，未打开"):
        read_file("长文.docx", data)


# ---------------------------------------------------------------- uploads over the limit


class NeverRead(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    read_at_all = False

    def readable(self):
        return True

    def readinto(self, buffer):
        NeverRead.read_at_all = True
        raise AssertionError("the body of an upload over the limit was read")


@pytest.mark.parametrize("path", ["/import/", "/tables/1/indicators/import/", "/admin/units/unit/import/"])
def test_a_50_mb_upload_is_refused_before_its_body_is_read(db, path):
    from django.conf import settings

    assert settings.IMPORT_MAX_UPLOAD_BYTES == 10 * 1024 * 1024  # the default
    if path == "/import/":
        path = reverse("import_document")
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": NeverRead(),
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz", "CONTENT_LENGTH": str(50 * 1024 * 1024),
    }
    answered = {}
    body = b"".join(WSGIHandler()(environ, lambda status, headers: answered.update(status=status)))
    assert answered["status"].startswith("413")
    assert "上传的内容超过 10 MB，未读取，未导入任何内容" in body.decode()
    assert not NeverRead.read_at_all


# ---------------------------------------------------------------- abandoned uploads


PASTE = ("项目名称\t社区服务\n(2024年度)\n一级指标\t二级指标\t三级指标\t指标值\n"
         "产出指标\t数量指标\t服务人次\t1000人次以上\n满意度指标\t服务对象满意度指标\t满意度\t≥90%\n")


def _aged(path, days):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_an_upload_previewed_and_never_confirmed_is_removed_a_day_later(client, clerk, unit, data_dir):
    _aged(data_dir / "imports" / "abandoned", 2)
    _aged(data_dir / "imports" / "rows-abandoned", 2)
    _aged(data_dir / "imports" / "this-morning", 0.2)
    client.login(username="clerk", password=PASSWORD)
    response = client.post(reverse("import_document"), {"unit": unit.pk, "text": PASTE, "action": "preview"})
    assert "确认导入" in response.content.decode()
    assert kept(data_dir) == sorted(["this-morning", response.context["token"]])


def test_the_admins_abandoned_uploads_are_removed_too(admin_client, data_dir):
    from perfgoals.units.admin import UploadStorage

    old = data_dir / "import-uploads" / ("a" * 32)
    _aged(old, 2)
    storage = UploadStorage()
    storage.save(b"code,name\n")
    assert not old.exists() and (data_dir / "import-uploads" / storage.name).exists()


# ---------------------------------------------------------------- a unit the document names

NEW_UNIT = "990777-新建测试局"
FLAT = _xlsx([FLAT_HEAD, [NEW_UNIT, "项目甲", 100, "完成采购", "产出指标", "数量指标", "台数", "≥", 20, "台"]])


def test_the_dry_run_shows_a_unit_that_does_not_exist_as_new_and_creates_nothing(db, tmp_path, capsys):
    path = tmp_path / "新单位.xlsx"
    path.write_bytes(FLAT)
    before = counts()
    call_command("import_document", str(path), "--year", "2025", "--dry-run")
    assert "预算单位：990777 新建测试局（新单位）" in capsys.readouterr().out
    assert counts() == before and not Unit.objects.filter(code="990777").exists()
    call_command("import_document", str(path), "--year", "2025")
    assert ProjectTable.objects.get(project_name="项目甲").unit.name == "新建测试局"


def test_an_administrator_sees_the_new_unit_in_the_preview_and_it_is_made_on_confirmation(admin_user, client):
    client.login(username="admin", password=PASSWORD)
    upload = io.BytesIO(FLAT)
    upload.name = "新单位.xlsx"
    response = client.post(reverse("import_document"),
                           {"unit": 0, "year": 2025, "file": upload, "action": "preview"})
    page = response.content.decode()
    assert "990777 新建测试局 <strong class=\"new-unit\">（新单位：系统中还没有，确认导入时新建）</strong>" in page
    assert not Unit.objects.filter(code="990777").exists()
    response = client.post(reverse("import_document"), {"action": "confirm", "token": response.context["token"]})
    assert response.status_code == 302
    assert ProjectTable.objects.get(project_name="项目甲", year=2025).unit.code == "990777"


def test_a_clerk_cannot_have_a_unit_made_and_imports_only_into_their_own(client, clerk, unit, other_unit):
    client.login(username="clerk", password=PASSWORD)
    assert "表中写明的单位" not in client.get(reverse("import_document")).content.decode()
    for target in (0, other_unit.pk):
        upload = io.BytesIO(FLAT)
        upload.name = "新单位.xlsx"
        response = client.post(reverse("import_document"),
                               {"unit": target, "year": 2025, "file": upload, "action": "preview"})
        assert response.status_code == 404
    upload = io.BytesIO(FLAT)
    upload.name = "新单位.xlsx"
    response = client.post(reverse("import_document"), {"unit": unit.pk, "year": 2025, "file": upload, "action": "preview"})
    page = response.content.decode()
    assert "单位：990001 测试县测试局本级" in page and "new-unit" not in page
    client.post(reverse("import_document"), {"action": "confirm", "token": response.context["token"]})
    assert ProjectTable.objects.get(project_name="项目甲").unit == unit
    assert not Unit.objects.filter(code="990777").exists()


# ---------------------------------------------------------------- bounded work: the server stays responsive


def test_a_paste_or_text_file_of_more_rows_than_an_import_takes_is_refused_before_it_is_read(client, clerk, unit,
                                                                                             monkeypatch, tmp_path):
    from perfgoals.exchange import paste

    monkeypatch.setattr(paste, "MAX_ROWS", 50)
    text = "\t".join(FLAT_HEAD) + "\n" + "".join(
        f"990001-测试局\t项目{n}\t100\t目标\t产出指标\t数量指标\t指标{n}\t≥\t{n}\t项\n" for n in range(60))
    before = counts()
    client.login(username="clerk", password=PASSWORD)
    page = client.post(reverse("import_document"), {"unit": unit.pk, "text": text, "action": "preview"}).content.decode()
    assert "粘贴的内容有 61 行，一次最多导入 50 行，请拆分后分别导入。" in page
    path = tmp_path / "长.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="文件“长.tsv”有 61 行，一次最多导入 50 行"):
        call_command("import_document", str(path), "--unit", unit.code)
    assert counts() == before


def test_a_file_of_more_project_tables_than_an_import_takes_is_refused_before_its_review(monkeypatch, unit, tmp_path,
                                                                                        capsys):
    from perfgoals.exchange import documents

    monkeypatch.setattr(documents, "MAX_TABLES", 5)
    rows = [FLAT_HEAD] + [["", f"项目{n}", 100, "", "产出指标", "数量指标", "台数", "≥", 20, "台"] for n in range(6)]
    path = tmp_path / "多表.xlsx"
    path.write_bytes(_xlsx(rows))
    before = counts()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_document", str(path), "--unit", unit.code)
    assert "多表.xlsx：有 6 张项目表，一次最多导入 5 张，请拆分后分别导入。" in capsys.readouterr().out
    assert counts() == before


def test_text_files_name_themselves_once():
    for data, message in [(b"", "文件“x.tsv”是空的。"), ("名称\t数值\n甲\t1".encode(), "文件“x.tsv”中没有找到绩效指标表：")]:
        with pytest.raises(FileRefused) as refused:
            read_file("x.tsv", data)
        assert str(refused.value).startswith(message) and str(refused.value).count("x.tsv") == 1


def test_merged_cells_in_pasted_html_reach_no_further_than_the_table_and_a_hundred_columns():
    from perfgoals.exchange.paste import MAX_COLUMNS, rows_from_html

    html = "<table><tr>" + '<td rowspan="1000" colspan="1000">甲</td>' * 3 + "</tr><tr><td>乙</td></tr></table>"
    (row,) = rows_from_html(html)  # not 1,000 rows of 3,000 columns; 乙 lies beyond the hundredth column
    assert len(row.cells) == MAX_COLUMNS and row.cells[0] == "甲" and set(row.cells[1:]) == {""}


def test_a_pasted_html_table_of_more_rows_than_an_import_takes_is_refused_before_its_cells_are_spread(monkeypatch):
    from perfgoals.exchange import paste

    monkeypatch.setattr(paste, "MAX_ROWS", 50)
    html = "<table>" + "<tr><td>一级指标</td><td>二级指标</td></tr>" * 60 + "</table>"
    with pytest.raises(FileRefused, match="文件“网页.html”有 60 行，一次最多导入 50 行"):
        read_file("网页.html", html.encode())


def test_a_paste_too_large_for_the_form_is_refused_with_a_message_not_a_bare_400(client, clerk, unit, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    client.login(username="clerk", password=PASSWORD)
    before = counts()
    text = "\t".join(FLAT_HEAD) + "\n" + "990001-测试局\t项目甲\t100\t目标\t产出指标\t数量指标\t指标\t≥\t1\t项\n" * 4000
    response = client.post(reverse("import_document"), {"unit": unit.pk, "text": text, "action": "preview"})
    assert response.status_code == 413
    assert "粘贴的内容超过 0.25 MB，未读取，未导入任何内容。请分几次粘贴" in response.content.decode()
    assert counts() == before
