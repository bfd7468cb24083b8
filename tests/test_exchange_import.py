"""Importing tables as clerks hold them: pasted, .tsv, .xlsx, .docx; preview, then confirm; bad input refused."""

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from perfgoals.exchange.documents import make_preview, store
from perfgoals.exchange.files import FileRefused, read_file
from perfgoals.exchange.paste import PasteError, parse_paste, rows_from_html
from perfgoals.goals.models import Goal, Indicator, ProjectTable
from perfgoals.units.models import Unit
from tests.conftest import PASSWORD

# Real tables from nine provinces, as the clipboard holds them (copied from the shared reference
# material with its README, so the tests run wherever the repository is cloned).
REALWORLD = Path(__file__).resolve().parent / "realworld"
NOTE = re.compile(r"[ ]*\[[^\]]*[A-Za-z][^\]]*\]")  # an editor's note: [sic …], [cut off]; never [015001]


def clipboard(name: str) -> str:
    """A realworld file as the clipboard holds the table: without its # header and editor's notes."""
    path = next(REALWORLD.glob(f"{name}_*.txt"))
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return "\n".join(NOTE.sub("", line) for line in lines)


def counts():
    return ProjectTable.objects.count(), Indicator.objects.count(), Goal.objects.count(), Unit.objects.count()


def imported(name, unit, **kwargs):
    preview = make_preview(parse_paste(clipboard(name)), source=name, unit=unit, **kwargs)
    assert preview.errors == []
    (table,) = store(preview)
    return table, {i.name: i for i in table.indicators.select_related("level2__level1")}


# ---------------------------------------------------------------- the complete realworld examples


def test_wuhan_2020_midterm_and_annual_side_by_side_imports_the_annual_grid(unit):
    table, indicators = imported("01", unit)
    assert (table.year, table.project_name, table.budget_total, table.budget_fiscal) == (
        2020, "教育系统基础设施建设和设备购置", Decimal("10000.00"), Decimal("10000.00"))
    assert table.framework.code == "hebei-project" and table.status == "draft" and not table.is_template
    assert [g.text for g in table.goals.all()] == ["按工作计划完成教育局重点项目建设经费预算安排"]
    assert len(indicators) == 7
    assert indicators["重点建设工程安排数量"].value_display == "2"
    assert indicators["学生、家长、社会满意度"].value_display == "≥90%"
    assert indicators["基础教育学校办学条件"].value.text == "持续改善"
    assert indicators["建设项目成本"].level2.name == "成本指标"


def test_wuhan_transfer_fund_reads_zhibiao_neirong_and_a_level1_cell_left_out(unit):
    table, indicators = imported("02", unit)
    assert (table.year, table.budget_total, table.budget_fiscal) == (2020, Decimal("16.00"), Decimal("16.00"))
    assert len(indicators) == 9
    assert indicators["购置设施设备质量合格率"].level2.name == "质量指标"  # merged from the row above
    # the source leaves the level-1 cell out; 社会公众或服务对象满意度指标 is the framework's 服务对象满意度指标
    assert indicators["学生家长满意度"].level2.level1.name == "满意度指标"
    assert indicators["学校满意度"].value_display == "≥90%"


def test_zhaohua_2021_maps_xiangmu_wancheng_to_chanchu_and_sums_the_money_by_source(unit):
    table, indicators = imported("04", unit)
    assert (table.year, table.project_name) == (2021, "麻风病防治")
    assert (table.budget_total, table.budget_fiscal, table.budget_other) == (Decimal("4.00"), Decimal("4.00"), Decimal("0.00"))
    assert len(indicators) == 12
    assert indicators["宣传教育"].level2.level1.name == "产出指标"  # 项目完成指标
    assert indicators["项目实施情况"].level2.level1.name == "效益指标"  # 项目效益指标
    assert indicators["群众幸福感"].level2.name == "服务对象满意度指标"  # 满意度指标 / 满意度指标
    assert indicators["每年春节慰问麻风村休养员、村外康复者和现症病人"].value_display == "32人"


def test_xiangtan_2023_skips_empty_level2_rows_and_reads_the_standard_column(unit):
    table, indicators = imported("05", unit)
    assert (table.year, table.project_name, table.budget_total) == (2023, "雾炮车降尘抑尘服务", Decimal("250.00"))
    assert len(indicators) == 7  # 经济效益 / 生态效益 / 可持续影响 printed empty: not indicators
    assert indicators["雾炮车降尘抑尘服务配备车辆数"].value_display == "10辆"
    assert indicators["市民满意度"].basis_category == "plan"  # 绩效标准: 计划标准
    assert indicators["市民满意度"].level2.level1.name == "满意度指标"
    assert table.goals.get().text.startswith("通过采购雾炮车降尘抑尘服务")


def test_mata_2023_flat_export_gives_one_table_per_project_with_money_in_yuan(unit):
    preview = make_preview(parse_paste(clipboard("07")), source="07", unit=unit)
    first, second = preview.tables
    assert first.parsed.project_name == "村组干部报酬" and len(first.indicators) == 8  # complete
    assert second.parsed.project_name == "基层组织活动经费" and len(second.indicators) == 5  # cut off in the source
    assert first.budget[0] == Decimal("330.984")  # 3,309,840.00 元, to the 分
    assert any("权重合计 90" in note for note in first.notes)
    values = {i.parsed.name: i.value.display() for i in first.indicators}
    assert values["维护社会稳定"] == "≥95%" and values["村组干部230人"] == "≥230个"
    assert values["按时发放"] == "≥1人/年"


@pytest.mark.parametrize("name, count, verbatim", [
    ("01", 7, []), ("02", 9, []), ("04", 12, ["12月底前100%到位"]),
    ("05", 7, ["≥80M"]), ("07", 13, []),
])  # fmt: skip
def test_every_indicator_of_a_complete_realworld_table_has_its_value_read(name, count, verbatim, unit):
    """Every indicator has its category and a value; only an unknown unit (M) and a date run into an
    amount are kept as written and flagged for the review, as values.py does with what it cannot read
    cleanly (a date or a period, 2021年1月-12月, 2023.07-2024.01, is a phrase kept as written)."""
    preview = make_preview(parse_paste(clipboard(name)), source=name, unit=unit)
    indicators = [i for t in preview.tables for i in t.indicators]
    assert len(indicators) == count and preview.errors == []
    assert [i.parsed.name for i in indicators if i.value.is_empty] == []
    assert [i.value.raw for i in indicators if i.value.problem] == verbatim
    assert all(i.level2 is not None for i in indicators)


# ---------------------------------------------------------------- the partial realworld examples: what is there is read


def test_nanxian_2025_reads_the_cost_first_grid_with_value_type_target_and_unit_columns(unit):
    table, indicators = imported("08", unit)  # the copy stops after the three 成本指标 rows
    assert (table.year, table.budget_total, table.framework.code) == (2025, Decimal("70.00"), "mof-2021")
    assert table.goals.get().text.startswith("对全县突发卫生公共事件进行相关人员培训")
    assert [i.level2.name for i in indicators.values()] == ["经济成本指标", "社会成本指标", "生态环境成本指标"]
    assert indicators["疾病预防控制中心经费"].value_display == "≤70万元"
    assert indicators["疾病预防控制中心经费"].description == "反映疾病预防控制中心经费。"  # 指标值内容
    assert indicators["实施项目对社会产生的不利影响"].value.text == "减少"  # 定性


def test_dongguan_2019_asks_which_category_a_merged_level2_name_means_and_imports_the_pick(unit):
    preview = make_preview(parse_paste(clipboard("11")), source="11", unit=unit)
    (unmatched,) = preview.unmatched  # 社会、经济、生态效益指标 names three categories: not guessed
    assert unmatched.written == "效果指标 / 社会、经济、生态效益指标" and unmatched.lines == [12]
    assert {"社会效益指标", "经济效益指标", "生态效益指标"} <= {o.name for o in unmatched.options[:3]}
    with pytest.raises(Exception, match="未导入任何内容"):
        store(preview)
    table, indicators = imported("11", unit, choices={"社会、经济、生态效益指标": "社会效益指标"})
    assert (table.year, table.project_name, table.budget_total) == (2019, "镇际联网路升级改造工程一期", Decimal("919.00"))
    assert len(indicators) == 5  # the 中期 half of the grid is left out, with a note in the preview
    assert indicators["补助款结算争议率"].level2.name == "社会效益指标"
    assert indicators["补助款结算误差率"].value_display == "±3%以内"
    assert indicators["年度预算执行率"].level2.name == "成本指标"  # 预算(或投资规模)控制指标
    assert indicators["镇街补助款完成结算项目数"].level2.name == "数量指标"  # 数量指标(或建筑规模指标)


def test_qidong_2024_department_wide_table_becomes_the_units_plan(unit):
    from perfgoals.goals.models import DepartmentPlan

    preview = make_preview(parse_paste(clipboard("12")), source="12", unit=unit)
    assert preview.errors == [] and preview.tables == [] and preview.year == 2024
    assert preview.unit_name == "祁东县疾病预防控制中心"
    parsed = preview.plan.parsed
    assert parsed.overall_goal.startswith("根据《湖南省卫生健康委疾控处")
    assert parsed.functions.startswith("中心的职能职责是")
    assert [(f.kind, f.name, f.amount) for f in parsed.funding if f.amount is not None] == [
        ("income", "一般公共预算", Decimal("952.22")), ("expense", "基本支出", Decimal("875.22")),
        ("expense", "项目支出", Decimal("77"))]
    (plan,) = store(preview)
    assert isinstance(plan, DepartmentPlan) and (plan.unit, plan.year, plan.status) == (unit, 2024, "draft")
    values = {i.name: i for i in plan.indicators.select_related("level1")}
    assert len(values) == 4 and values["免疫规划知识培训次数"].value_display == "≥2次"
    assert values["免疫规划知识培训人次"].level1.name == "产出指标"
    assert values["全年检测次数"].value.text.startswith("自愿咨询检测1000人次以上")  # several targets: kept as written


def test_ezhou_2022_reads_a_two_level_grid_and_the_cost_buildup_total(unit):
    table, indicators = imported("13", unit)
    assert (table.year, table.project_name, table.budget_total) == (2022, "滨湖大胆办公大楼运行保障", Decimal("814.00"))
    assert len(indicators) == 7
    assert [i.level2.name for i in indicators.values()][:3] == ["数量指标", "数量指标", "质量指标"]
    assert indicators["办公大楼日常维修维护次数"].value_display == "2280次"  # OCR of ≥280次: kept, not guessed
    assert indicators["办公大楼日常维修维护验收合格率"].value_display == ">92%"
    assert table.goals.get().text.startswith("以办公大楼服务对象满意为目标")


def test_ezhou_library_2020_without_its_indicator_grid_says_there_is_none():
    with pytest.raises(PasteError, match="没有找到绩效指标表"):
        parse_paste(clipboard("14"))  # header and cost lines only: the grid was not retrievable


def test_bozhou_2023_reads_the_annual_half_of_identical_midterm_and_annual_grids(unit):
    preview = make_preview(parse_paste(clipboard("15")), source="15", unit=unit)
    (table,) = preview.tables
    assert table.budget[:2] == (Decimal("189.80"), Decimal("189.80"))  # 年度资金总额, not 中期
    assert any("其内容与年度指标相同" in note for note in table.notes)
    assert [i.parsed.name for i in table.indicators] == ["飞机增雨作业航时", "围绕农业生产、生态环境修复、改善空气质量等需求"]
    assert table.indicators[0].value.text == "暂定量按15次作业且总航时不少于30小时测算"


def test_nanyue_2023_special_fund_reads_the_money_by_government_level_below_its_headings(unit):
    table, indicators = imported("16", unit)
    assert (table.project_name, table.year) == ("2023年雨露计划就学补助项目", 2023)
    assert (table.budget_total, table.budget_fiscal, table.budget_other) == (Decimal("7.00"), Decimal("7.00"), Decimal("0.00"))
    assert indicators["年度申请就学补助户数"].value_display == "≥101人/次"
    assert indicators["逾期发放率"].value_display == "≥100%"
    assert [g.text for g in table.goals.all()][0] == "对提供就读学籍证明的学生了放就学补助;"


def test_mengcheng_2024_reads_the_u2267_operator_and_keeps_three_decimals_of_money(unit):
    preview = make_preview(parse_paste(clipboard("17")), source="17", unit=unit)
    (table,) = preview.tables
    assert table.parsed.project_name == "国家基本公共卫生服务项目" and preview.year == 2024
    assert table.budget[0] == Decimal("2279.048") and not any("2279.048" in n for n in table.notes)  # kept, to the 分
    assert [i.value.display() for i in table.indicators][:2] == ["≥90%", "≥85%"]  # ≧
    assert table.parsed.goals[0].startswith("发挥绩效评价")


def test_guangshui_2023_hubei_department_form_reads_the_funding_block_into_the_plan(unit):
    preview = make_preview(parse_paste(clipboard("18")), source="18", unit=unit)
    assert preview.errors == [] and preview.year == 2023 and preview.unit_name == "广水市教育局"
    parsed = preview.plan.parsed
    assert [(f.kind, f.name, f.amount, f.prior_amounts) for f in parsed.funding] == [
        ("income", "财政拨款", Decimal("108292.73"), (Decimal("90147"), Decimal("98577.39"))),
        ("income", "其他资金", Decimal("14348.77"), (Decimal("5819"), Decimal("10597.65"))),
        ("expense", "基本支出", Decimal("93199.91"), (Decimal("81781"), Decimal("99611.05"))),
        ("expense", "项目支出", Decimal("29441.59"), (Decimal("14185"), Decimal("9564.46"))),
    ]
    assert parsed.functions.startswith("(一)贯彻执行党和国家")
    (plan,) = store(preview)
    assert plan.funding_lines.count() == 4 and plan.unit == unit


# ---------------------------------------------------------------- html, xlsx, docx


def test_an_html_table_with_rowspan_reads_as_the_same_rows_as_text():
    html = """<table><tr><td rowspan=2>产出指标</td><td>数量指标</td><td>x</td></tr>
              <tr><td colspan=2>y</td></tr></table>"""
    assert [r.cells for r in rows_from_html(html)] == [["产出指标", "数量指标", "x"], ["", "y", ""]]


HTML_TABLE = """<html><body><p>项目支出绩效目标表</p><table>
<tr><td>项目名称</td><td colspan="3">社区服务</td></tr>
<tr><td>年度</td><td colspan="3">2024年度</td></tr>
<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>
<tr><td rowspan="2">产出指标</td><td rowspan="2">数量指标</td><td>服务人次</td><td>≧500人次</td></tr>
<tr><td>活动场次</td><td>12场以上</td></tr>
<tr><td>满意度指标</td><td>服务对象满意度指标（必填）</td><td>居民满意度</td><td>＞＝90%</td></tr>
</table></body></html>"""


def test_a_table_copied_from_a_web_page_imports_with_its_merged_cells(unit):
    preview = make_preview(parse_paste(html=HTML_TABLE), source="paste", unit=unit)
    assert preview.errors == [] and preview.year == 2024
    (table,) = preview.tables
    assert [(i.level2.name, i.parsed.name, i.value.display()) for i in table.indicators] == [
        ("数量指标", "服务人次", "≥500人次"), ("数量指标", "活动场次", "≥12场"), ("服务对象满意度指标", "居民满意度", "≥90%")]


def _xlsx(rows, *, sheet_rows=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if sheet_rows:
        sheet.cell(row=sheet_rows, column=1, value=None)
        sheet.cell(row=sheet_rows, column=1).value = " "
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FLAT_HEAD = ["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向"]


def test_a_flat_xlsx_export_imports_one_row_per_indicator(unit):
    data = _xlsx([
        ["2024年项目绩效目标表"], ["金额单位：元"], FLAT_HEAD,
        ["990001-测试局", "办公设备购置", 500000, "1.购置电脑20台", "产出指标", "数量指标", "电脑台数", "≥", 20, "台", 50, "正向"],
        [None, None, None, None, "满意度指标", "服务对象满意度指标", "使用人员满意度", "≥", 90, "%", 50, "正向"],
    ])
    doc = read_file("清单.xlsx", data)
    preview = make_preview(doc, source="清单.xlsx", unit=unit)
    assert preview.errors == [] and preview.year == 2024
    (table,) = preview.tables
    assert table.budget[0] == Decimal("50.00") and table.parsed.goals == ["购置电脑20台"]
    assert [i.value.display() for i in table.indicators] == ["≥20台", "≥90%"]


def test_a_formula_cell_gives_its_saved_value_and_is_never_evaluated(unit):
    data = _xlsx([FLAT_HEAD, ["", "项目甲", "=1+1", "", "产出指标", "数量指标", "数量", "≥", "=2*10", "项", "", ""]])
    doc = read_file("公式.xlsx", data)  # written by openpyxl: no saved values, so the cells read empty
    (table,) = doc.tables
    assert table.budget_total is None and table.indicators[0].split == ("≥", "", "项")


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("2024年项目支出绩效目标表")
    grid = document.add_table(rows=5, cols=4)
    cells = [["项目名称", "图书购置", "", ""], ["一级指标", "二级指标", "三级指标", "指标值"],
             ["产出指标", "数量指标", "购书册数", "≥2000册"], ["", "", "上架及时率", "100%"],
             ["满意度指标", "服务对象满意度指标", "读者满意度", "≥90%"]]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            if text:
                grid.cell(r, c).text = text
    grid.cell(0, 1).merge(grid.cell(0, 3))  # horizontal merge
    grid.cell(2, 0).merge(grid.cell(3, 0))  # vertical merges
    grid.cell(2, 1).merge(grid.cell(3, 1))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_table_with_merged_cells_imports(unit):
    preview = make_preview(read_file("表.docx", _docx_bytes()), source="表.docx", unit=unit)
    assert preview.errors == [] and preview.year == 2024
    (table,) = preview.tables
    assert table.parsed.project_name == "图书购置"
    assert [(i.level2.name, i.parsed.name, i.value.display()) for i in table.indicators] == [
        ("数量指标", "购书册数", "≥2000册"), ("数量指标", "上架及时率", "100%"), ("服务对象满意度指标", "读者满意度", "≥90%")]


# ---------------------------------------------------------------- bad input: a message, nothing written


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """Deflated at the fastest level: the 50 MB bomb is built in every process that collects
    this module (0.06 s instead of 0.24 s)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("目标.docx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "文件“目标.docx”实际上是 PDF 文件"),
    ("目标.xlsx", b"PK\x03\x04" + b"\0" * 200, "文件“目标.xlsx”已损坏"),
    ("目标.docx", b"just some text", "文件“目标.docx”不是Word 文档"),
    ("目标.xlsx", _zip({"word/document.xml": b"<x/>"}), "缺少 xl/workbook.xml"),
    ("炸弹.xlsx", _zip({"xl/workbook.xml": b"\0" * (50 * 1024 * 1024)}), "解压后有 50 MB，超出允许的大小"),
    ("表头.xlsx", _xlsx([["名称", "数值"], ["甲", 1]]), "没有找到绩效指标表"),
    ("目标.pdf", b"%PDF-1.7", "的类型不能导入"),
])  # fmt: skip
def test_a_file_that_is_not_what_it_claims_is_refused_with_its_name_and_nothing_written(name, data, message, unit, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    before = counts()
    with pytest.raises(FileRefused, match=re.escape(message)):
        read_file(name, data)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_document", str(path), "--unit", unit.code)
    assert counts() == before


def test_a_sheet_with_a_million_empty_rows_stops_reading_after_the_first_long_empty_run(unit):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [FLAT_HEAD, ["", "项目甲", 100, "", "产出指标", "数量指标", "数量", "≥", 5, "项", "", ""]]:
        sheet.append(row)
    sheet.cell(row=1_000_000, column=1, value="远处的单元格")
    buffer = io.BytesIO()
    book.save(buffer)
    (table,) = read_file("大表.xlsx", buffer.getvalue()).tables
    assert [i.name for i in table.indicators] == ["数量"]


def test_a_formula_error_value_names_its_sheet_row_and_column():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(FLAT_HEAD)
    book.active.append(["", "项目甲", "#DIV/0!"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRefused, match="第 2 行第 C 列的公式结果是错误值 #DIV/0!"):
        read_file("错误.xlsx", buffer.getvalue())


@pytest.mark.parametrize("text, message", [
    ("这是一段话，不是表格。\n第二行。", "不是表格"),
    ("名称\t数值\n甲\t1", "没有找到绩效指标表"),
    ("", "是空的"),
])
def test_a_paste_that_is_not_a_goal_table_says_so(text, message):
    with pytest.raises(PasteError, match=message):
        parse_paste(text)


def test_a_category_no_framework_has_is_named_with_the_closest_names_and_nothing_written(unit, hebei):
    text = "项目名称\t甲\n2024年度\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量质量指标\t数量\t5项"
    before = counts()
    preview = make_preview(parse_paste(text), source="paste", unit=unit, framework=hebei)
    assert len(preview.errors) == 1
    assert "第 4 行：二级指标“数量质量指标”在“产出指标”下没有对应项；最接近的是：" in preview.errors[0]
    assert "数量指标" in preview.errors[0] and "质量指标" in preview.errors[0]
    with pytest.raises(Exception, match="未导入任何内容"):
        store(preview)
    assert counts() == before


# ---------------------------------------------------------------- the command


PASTE = "项目名称\t社区服务\n(2024年度)\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t服务人次\t1000人次以上\n\t时效指标\t完成时间\t12月底前\n满意度指标\t服务对象满意度指标\t满意度\t≥90%\n"


def test_the_dry_run_prints_the_preview_and_writes_nothing(unit, tmp_path, capsys):
    path = tmp_path / "paste.tsv"
    path.write_text(PASTE, encoding="utf-8")
    before = counts()
    call_command("import_document", str(path), "--unit", unit.code, "--dry-run")
    out = capsys.readouterr().out
    assert "项目表 1：社区服务" in out and "产出指标 / 数量指标 / 服务人次：≥1000人次" in out
    assert "审核：错误：项目编码未填写" in out
    assert counts() == before


def test_the_command_imports_drafts_once_in_one_transaction(unit, tmp_path):
    path = tmp_path / "paste.tsv"
    path.write_text(PASTE, encoding="utf-8")
    call_command("import_document", str(path), "--unit", unit.code)
    table = ProjectTable.objects.get(unit=unit, project_name="社区服务")
    assert (table.year, table.status, table.indicators.count()) == (2024, "draft", 3)
    call_command("import_document", str(path), "--unit", unit.code)  # again: nothing new
    assert ProjectTable.objects.filter(unit=unit, project_name="社区服务").count() == 1


def test_the_json_dry_run_gives_every_indicator_with_its_parsed_value(unit, tmp_path, capsys):
    import json

    path = tmp_path / "paste.txt"
    path.write_text(PASTE, encoding="utf-8")
    call_command("import_document", str(path), "--unit", unit.code, "--dry-run", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    first = data["tables"][0]["indicators"][0]
    assert (first["operator"], first["number"], first["unit"], first["value"]) == ("≥", "1000", "人次", "≥1000人次")
    assert data["dry_run"] is True and data["unit"]["code"] == unit.code


# ---------------------------------------------------------------- the page


def test_a_clerk_previews_a_paste_and_confirms_it(client, clerk, unit):
    client.login(username="clerk", password=PASSWORD)
    url = reverse("import_document")
    assert "导入绩效目标表" in client.get(reverse("home")).content.decode()
    response = client.post(url, {"unit": unit.pk, "text": PASTE, "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200 and "预览：将要导入的内容" in page and "≥1000人次" in page
    assert "项目编码未填写" in page  # the review's problems are shown before anything is written
    assert not ProjectTable.objects.filter(project_name="社区服务").exists()
    token = response.context["token"]
    response = client.post(url, {"action": "confirm", "token": token})
    table = ProjectTable.objects.get(project_name="社区服务")
    assert response.status_code == 302 and response.url == table.get_absolute_url()
    assert table.unit == unit and table.indicators.count() == 3


def test_the_preview_shows_the_money_as_the_table_writes_it(client, clerk, unit):
    client.login(username="clerk", password=PASSWORD)
    text = PASTE.replace("项目名称\t社区服务\n", "项目名称\t社区服务\n年度本级预算金额\t250万\t该项目支出上级资金\t0\n")

    page = client.post(reverse("import_document"), {"unit": unit.pk, "text": text, "action": "preview"}).content.decode()

    assert "预算数 250 万元" in page and "250.0000" not in page


def test_the_preview_counts_what_the_confirmation_creates_and_a_table_imported_before_is_skipped(client, clerk, unit):
    client.login(username="clerk", password=PASSWORD)
    url = reverse("import_document")
    page = client.post(url, {"unit": unit.pk, "text": PASTE, "action": "preview"}).content.decode()
    assert "将新建 1 张项目表、3 项指标。" in page and "确认导入（1 张表，3 项指标，存为草稿）" in page
    client.post(url, {"action": "confirm", "token": client.post(url, {"unit": unit.pk, "text": PASTE,
                                                                       "action": "preview"}).context["token"]})
    page = client.post(url, {"unit": unit.pk, "text": PASTE, "action": "preview"}).content.decode()
    assert "将新建 0 张项目表、0 项指标；1 张此前已导入，跳过。" in page and "（已导入过，跳过）" in page
    assert ProjectTable.objects.filter(project_name="社区服务").count() == 1


def test_a_clerk_cannot_import_into_another_unit(client, clerk, other_unit):
    client.login(username="clerk", password=PASSWORD)
    before = counts()
    response = client.post(reverse("import_document"), {"unit": other_unit.pk, "text": PASTE, "action": "preview"})
    assert response.status_code == 404
    assert counts() == before


def test_an_upload_above_the_limit_is_refused_before_it_is_read(client, clerk, unit, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    client.login(username="clerk", password=PASSWORD)
    upload = io.BytesIO(b"x" * 5000)
    upload.name = "大.xlsx"
    before = counts()
    response = client.post(reverse("import_document"), {"unit": unit.pk, "file": upload, "action": "preview"})
    assert response.status_code == 413
    assert "上传的内容超过" in response.content.decode()
    assert counts() == before


def test_a_bad_upload_shows_the_message_on_the_page(client, clerk, unit):
    client.login(username="clerk", password=PASSWORD)
    upload = io.BytesIO(b"%PDF-1.4 not a document")
    upload.name = "目标.docx"
    response = client.post(reverse("import_document"), {"unit": unit.pk, "file": upload, "action": "preview"})
    assert "文件“目标.docx”实际上是 PDF 文件" in response.content.decode()
    assert "token" not in response.context or not response.context.get("token")


def test_the_import_form_needs_the_csrf_token(clerk, unit):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username="clerk", password=PASSWORD)
    response = client.post(reverse("import_document"), {"unit": unit.pk, "text": PASTE, "action": "preview"})
    assert response.status_code == 403


UNKNOWN_CATEGORY = ("项目名称\t社区服务\n(2024年度)\n一级指标\t二级指标\t三级指标\t指标值\n"
                    "产出指标\t数量指标\t服务人次\t1000人次以上\n"
                    "效果指标\t社会、经济、生态效益指标\t居民获得感\t明显提升\n"
                    "满意度指标\t服务对象满意度指标\t满意度\t≥90%\n")


def test_a_clerk_picks_a_category_for_a_name_the_framework_lacks_and_then_confirms(client, clerk, unit, hebei):
    from perfgoals.frameworks.models import Level2

    client.login(username="clerk", password=PASSWORD)
    url = reverse("import_document")
    response = client.post(url, {"unit": unit.pk, "framework": hebei.pk, "text": UNKNOWN_CATEGORY, "action": "preview"})
    page = response.content.decode()
    assert "选择指标类别" in page and "效果指标 / 社会、经济、生态效益指标" in page and 'name="pick_level2"' in page
    assert "确认导入" not in page
    token = response.context["token"]
    (unmatched,) = response.context["preview"].unmatched
    social = Level2.objects.get(level1__framework=hebei, name="社会效益指标")

    other = Level2.objects.exclude(level1__framework=hebei).first()  # another framework's: refused on the server
    response = client.post(url, {"action": "pick", "token": token, "pick_name": unmatched.key, "pick_level2": other.pk})
    assert "不在指标体系" in response.content.decode() and "确认导入" not in response.content.decode()
    assert client.post(url, {"action": "pick", "token": token, "pick_name": unmatched.key,
                             "pick_level2": "x"}).status_code == 400

    response = client.post(url, {"action": "pick", "token": token, "pick_name": unmatched.key, "pick_level2": social.pk})
    page = response.content.decode()
    assert "按所选，表中为“社会、经济、生态效益指标”" in page and "确认导入" in page
    assert not ProjectTable.objects.filter(project_name="社区服务").exists()
    response = client.post(url, {"action": "confirm", "token": token})
    table = ProjectTable.objects.get(project_name="社区服务")
    assert response.status_code == 302
    assert table.indicators.get(name="居民获得感").level2 == social


def test_the_dry_run_names_the_categories_to_choose_from_and_the_command_takes_a_pick(unit, hebei, tmp_path, capsys):
    path = tmp_path / "paste.tsv"
    path.write_text(UNKNOWN_CATEGORY, encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_document", str(path), "--unit", unit.code, "--framework", hebei.code, "--dry-run")
    out = capsys.readouterr().out
    assert "可选类别" in out and "效益指标/社会效益指标" in out and "效益指标/经济效益指标" in out
    call_command("import_document", str(path), "--unit", unit.code, "--framework", hebei.code,
                 "--category", "社会、经济、生态效益指标=效益指标/社会效益指标")
    table = ProjectTable.objects.get(unit=unit, project_name="社区服务")
    assert table.indicators.get(name="居民获得感").level2.name == "社会效益指标"


# ---------------------------------------------------------------- headings, money, categories, values by meaning


def _grid(name="三级指标", op="指标性质", value="指标值", unit="度量单位", basis="指标值确定依据", desc="绩效指标描述"):
    return ("项目名称\t测试项目\n2024年度\n"
            f"一级指标\t二级指标\t{name}\t{op}\t{value}\t{unit}\t{basis}\t{desc}\n"
            "产出指标\t数量指标\t购置台数\t≥\t20\t台\t购置计划\t购置的电脑台数\n")


@pytest.mark.parametrize("heading", [
    {"name": "指标内容"}, {"name": "指标名称"}, {"value": "指标值及单位"}, {"value": "年度指标值"},
    {"value": "指标目标值"}, {"value": "目标值"}, {"op": "指标值类型"}, {"op": "符号"}, {"unit": "计量单位"},
    {"unit": "单位"}, {"basis": "绩效标准"}, {"basis": "指标分类"}, {"desc": "指标解释"}, {},
], ids=lambda h: "".join(h.values()) or "标准表头")
def test_each_heading_is_recognised_by_its_meaning(heading):
    (table,) = parse_paste(_grid(**heading)).tables
    (item,) = table.indicators
    assert (item.level1, item.level2, item.name) == ("产出指标", "数量指标", "购置台数")
    assert item.split == ("≥", "20", "台")
    assert (item.basis, item.description) == ("购置计划", "购置的电脑台数")


@pytest.mark.parametrize("other", ["长期", "中期", "实施期"])
def test_the_annual_grid_is_read_beside_a_long_term_midterm_or_implementation_period_grid(other):
    text = ("项目名称\t测试项目\n2024年度\n"
            f"一级指标\t二级指标({other})\t三级指标({other})\t指标值({other})\t二级指标(年度)\t三级指标(年度)\t指标值(年度)\n"
            "产出指标\t数量指标\t三年购置台数\t60台\t数量指标\t购置台数\t20台\n")
    (table,) = parse_paste(text).tables
    assert [(i.name, i.value) for i in table.indicators] == [("购置台数", "20台")]


@pytest.mark.parametrize("money", [
    "单位：元\n项目名称\t测试项目\n资金总额\t1,000,000\n其中：财政拨款\t800000\n其他资金\t200000\n",
    "项目名称\t测试项目\n资金总额（元）\t1000000\n预算资金（元）\t800000\n其他资金（元）\t200000\n",
    "项目名称\t测试项目\n资金总额（万元）\t100\n财政资金（万元）\t80\n其他资金（万元）\t20\n",
    "项目名称\t测试项目\n资金总额\t100万元\n财政拨款\t80万元\n其他资金\t20万元\n",
], ids=["单位：元", "表头（元）", "表头（万元）", "金额带单位"])
def test_money_in_yuan_or_wan_yuan_is_stored_in_wan_yuan_by_source(money):
    text = money + "2024年度\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t购置台数\t20台\n"
    (table,) = parse_paste(text).tables
    assert (table.budget_total, table.budget_fiscal, table.budget_other) == (100, 80, 20)


def test_category_names_are_matched_by_meaning_and_empty_category_rows_are_not_indicators(unit, hebei):
    text = ("项目名称\t测试项目\n2024年度\n一级指标\t二级指标\t三级指标\t指标值\n"
            "产出值\t数量指标(必填)\t购置台数\t20台\n"
            "项目完成指标\t质量指标\t验收合格率\t100%\n"
            "效果指标\t社会效益指标\t服务覆盖\t全覆盖\n"
            "\t经济效益指标\t\t\n"  # a level-2 category printed with no indicator
            "满意度指标(必填)\t服务对象满意度指标\t满意度\t≥90%\n")
    preview = make_preview(parse_paste(text), source="paste", unit=unit, framework=hebei)
    assert preview.errors == []
    assert [(i.level2.level1.name, i.level2.name, i.parsed.name) for i in preview.tables[0].indicators] == [
        ("产出指标", "数量指标", "购置台数"), ("产出指标", "质量指标", "验收合格率"),
        ("效益指标", "社会效益指标", "服务覆盖"), ("满意度指标", "服务对象满意度指标", "满意度")]


@pytest.mark.parametrize("written, shown", [
    ("≧90%", "≥90%"), ("＞＝90%", "≥90%"), ("＜5%", "<5%"), (">=90%", "≥90%"), ("1000人次以上", "≥1000人次"),
    ("5%以下", "≤5%"), ("不少于20台", "≥20台"), ("不超过5万元", "≤5万元"), ("±3%以内", "±3%以内"), ("=100百分比", "100%"),
])
def test_a_pasted_value_goes_through_the_value_parser(unit, hebei, written, shown):
    text = f"项目名称\t测试项目\n2024年度\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t数量\t{written}\n"
    table, = store(make_preview(parse_paste(text), source="paste", unit=unit, framework=hebei))
    assert table.indicators.get().value_display == shown


EXCEL_CLIPBOARD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Excel.Sheet>
<style><!--table {mso-displayed-decimal-separator:"\\.";} .xl65 {mso-style-parent:style0; mso-number-format:"0%";}--></style>
</head><body link="#0563C1" vlink="#954F72">
<table border=0 cellpadding=0 cellspacing=0 width=576 style='border-collapse:collapse;width:432pt'>
<!--StartFragment-->
 <col width=72 span=4 style='width:54pt'>
 <tr height=18><td height=18 width=72>项目名称</td><td colspan=3 x:str>图书购置</td></tr>
 <tr height=18><td colspan=4>（2024年度）</td></tr>
 <tr height=18><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>
 <tr height=18><td rowspan=2 class=xl66>产出指标</td><td rowspan=2>数量指标</td><td>购书册数</td><td x:num="2000">≥2000册</td></tr>
 <tr height=18><td>上架及时率</td><td class=xl65 x:num="1">100%</td></tr>
 <tr height=18><td>满意度指标</td><td>服务对象满意度指标</td><td>读者满意度</td><td x:str="'≥90%">≥90%</td></tr>
<!--EndFragment-->
</table></body></html>"""

WPS_CLIPBOARD = EXCEL_CLIPBOARD.replace("<meta name=ProgId content=Excel.Sheet>", '<meta name="Generator" content="WPS Office ET">')


@pytest.mark.parametrize("html", [EXCEL_CLIPBOARD, WPS_CLIPBOARD], ids=["Excel", "WPS"])
def test_a_table_copied_from_excel_or_wps_imports_from_the_clipboards_html(client, clerk, unit, html):
    client.login(username="clerk", password=PASSWORD)
    url = reverse("import_document")
    text = "这段 text/plain 不会被读取"  # the page sends the html when the clipboard has it
    response = client.post(url, {"unit": unit.pk, "text": text, "html": html, "action": "preview"})
    client.post(url, {"action": "confirm", "token": response.context["token"]})
    table = ProjectTable.objects.get(project_name="图书购置")
    assert (table.year, table.unit) == (2024, unit)
    assert [(i.level2.name, i.name, i.value_display) for i in table.indicators.select_related("level2")] == [
        ("数量指标", "购书册数", "≥2000册"), ("数量指标", "上架及时率", "100%"), ("服务对象满意度指标", "读者满意度", "≥90%")]
