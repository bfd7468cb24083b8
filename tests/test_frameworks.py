"""A framework as configuration: its definition (columns, horizons, money block, header
fields, print layout) as data, exported and imported as JSON and refused when inconsistent;
the editor and the printout reading it; the shipped frameworks printing their reference
pages; weights adding up to 100; a framework approved tables use is versioned, not changed."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from perfgoals.exchange import pasted
from perfgoals.exchange.paste import parse_paste
from perfgoals.frameworks import definition
from perfgoals.frameworks.admin import IN_USE, ColumnInline, FrameworkForm
from perfgoals.frameworks.models import Framework, Level2
from perfgoals.goals.models import Goal, Indicator, ProjectTable, Status
from perfgoals.goals.values import parse_value
from perfgoals.printing import render
from perfgoals.printing.models import ApprovedPdf
from perfgoals.review import rules
from tests.test_printing import UPDATE_REFERENCE, assert_looks_like_reference, pages_text, rasterise

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).parent.parent / "docs"

# realworld/07 (井研县马踏镇 2023, the system's flat export): project 1, weights adding to 90.
JINGYAN = """一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t权重\t指标方向性
效益指标\t社会效益指标\t维护社会稳定\t≥\t95\t%\t10\t正向指标
产出指标\t时效指标\t维持时效\t≥\t1\t年\t20\t正向指标
产出指标\t质量指标\t按时发放\t≥\t1\t人/年\t10\t正向指标
效益指标\t经济效益指标\t促进村集体经济发展\t≥\t95\t%\t10\t正向指标
产出指标\t数量指标\t村组干部230人\t≥\t230\t个\t10\t正向指标
效益指标\t生态效益指标\t保护生态环境卫生\t≥\t95\t%\t10\t正向指标
效益指标\t可持续影响指标\t项目维持时效\t≥\t95\t%\t10\t正向指标
满意度指标\t服务对象满意度指标\t人民群众满意度\t≥\t95\t%\t10\t正向指标
"""

# realworld/05 (湘潭市环卫处 2023): 指标值及单位 and 绩效标准.
XIANGTAN = """一级指标\t二级指标\t三级指标\t指标值及单位\t绩效标准
产出指标\t数量指标\t雾炮车降尘抑尘服务配备车辆数\t10辆\t计划标准
\t\t雾炮车风炮射程\t≥80米\t计划标准
\t质量指标\t服务周期内空气质量\t优良\t计划标准
\t时效指标\t服务按期完成率\t100%\t计划标准
\t成本指标\t控制在预算成本内\t≤250万元\t计划标准
效益指标\t社会效益指标\t市民对空气质量改善的满意程度\t≥85%\t计划标准
满意度指标\t服务对象满意度指标\t市民满意度\t≥90%\t计划标准
"""


def framework(code: str) -> Framework:
    return Framework.objects.get(code=code)


def table_in(code: str, unit, **fields) -> ProjectTable:
    defaults = dict(unit=unit, year=2023, framework=framework(code), project_name="雾炮车降尘抑尘服务",
                    budget_total=Decimal("250"), budget_fiscal=Decimal("250"), budget_other=Decimal("0"),
                    fund_use="采购雾炮车降尘抑尘服务。")
    defaults.update(fields)
    table = ProjectTable.objects.create(**defaults)
    Goal.objects.create(table=table, text="通过采购雾炮车降尘抑尘服务，全市空气质量达到优良。", order=1)
    return table


def paste_into(table, text: str) -> list[Indicator]:
    doc = parse_paste(text)
    preview = pasted.make_preview(table, doc.tables[0].indicators)
    assert all(row.form.is_valid() for row in preview.rows), [row.form.errors for row in preview.rows]
    return pasted.add(table, preview)


def spec_of(code: str) -> dict:
    return definition.to_spec(framework(code))


# ---- the definition as JSON ---------------------------------------------------------------


def test_a_definition_exported_and_imported_under_another_code_is_the_same(tmp_path):
    out = io.StringIO()
    call_command("export_framework", "mof-2021", stdout=out)
    path = tmp_path / "mof.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    call_command("import_framework", str(path), "--code", "mof-copy", stdout=io.StringIO())
    copy = spec_of("mof-copy")
    original = json.loads(out.getvalue())
    copy["framework"]["code"] = original["framework"]["code"]
    assert copy == original
    assert [l1["name"] for l1 in original["levels1"]][0] == "成本指标"  # 101号: cost first
    assert {"code": "MONEY_COST_MISSING", "enabled": True, "severity": ""} in original["rule_switches"]
    assert [c["heading"] or c["key"] for c in original["columns"]][3:] == [
        "指标性质", "指标值", "度量单位", "指标解释", "评（扣）分标准", "取值依据"]


@pytest.mark.parametrize("spoil, message", [
    (lambda s: s.update(columns=[c for c in s["columns"] if c["key"] != "name"]), "没有“三级指标”"),
    (lambda s: s["levels2"].append({"level1": "绩效指标", "name": "数量指标"}), "不属于任何一级指标"),
    (lambda s: s["levels1"][0].update(weight=50), "没有“权重”列"),
    (lambda s: s["levels1"].append({"name": "产出指标"}), "一级指标重复：产出指标"),
    (lambda s: s["levels2"].append(dict(s["levels2"][0])), "二级指标重复"),
    (lambda s: s["columns"].append({"key": "value", "width": 5}), "指标列重复：value"),
    (lambda s: s["rule_switches"].append({"code": "NO_SUCH_RULE"}), "审核规则开关“NO_SUCH_RULE”无效"),
])  # fmt: skip
def test_an_inconsistent_definition_is_refused_in_chinese_and_nothing_is_written(tmp_path, spoil, message):
    spec = spec_of("hebei-project")
    spec["framework"]["code"] = "broken"
    spoil(spec)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_framework", str(path), stdout=io.StringIO())
    assert not Framework.objects.filter(code="broken").exists()


def test_the_admin_import_page_refuses_a_bad_definition_beside_the_file(client, admin_user):
    client.force_login(admin_user)
    spec = spec_of("hebei-project")
    spec["framework"]["code"] = "broken"
    spec["columns"] = [c for c in spec["columns"] if c["key"] != "name"]
    upload = io.BytesIO(json.dumps(spec, ensure_ascii=False).encode())
    upload.name = "broken.json"
    response = client.post(reverse("admin:frameworks_framework_import"), {"file": upload})
    assert "指标列中没有“三级指标”" in response.content.decode()
    assert not Framework.objects.filter(code="broken").exists()
    spec["columns"].insert(2, {"key": "name", "heading": "", "width": 17})
    upload = io.BytesIO(json.dumps(spec, ensure_ascii=False).encode())
    upload.name = "good.json"
    response = client.post(reverse("admin:frameworks_framework_import"), {"file": upload})
    assert response.status_code == 302 and framework("broken").columns.count() == 6


def test_the_admin_refuses_a_column_set_without_name_or_weights_without_a_weight_column(admin_user):
    hebei = framework("hebei-project")
    request = RequestFactory().post("/")
    request.user = admin_user
    FormSet = ColumnInline(Framework, admin.site).get_formset(request, hebei)
    columns = list(hebei.columns.all())
    data = {"columns-TOTAL_FORMS": str(len(columns)), "columns-INITIAL_FORMS": str(len(columns))}
    for n, c in enumerate(columns):
        data.update({f"columns-{n}-id": c.pk, f"columns-{n}-framework": hebei.pk, f"columns-{n}-order": c.order,
                     f"columns-{n}-key": c.key, f"columns-{n}-heading": c.heading, f"columns-{n}-width": c.width})
    assert FormSet(data, instance=hebei, prefix="columns").is_valid()
    name = next(n for n, c in enumerate(columns) if c.key == "name")
    formset = FormSet({**data, f"columns-{name}-DELETE": "on"}, instance=hebei, prefix="columns")
    assert not formset.is_valid() and "没有“三级指标”" in str(formset.non_form_errors())
    formset = FormSet({**data, "levels1-0-weight": "50"}, instance=hebei, prefix="columns")
    assert not formset.is_valid() and "没有“权重”列" in str(formset.non_form_errors())


# ---- versions --------------------------------------------------------------------------------


def test_a_framework_approved_tables_use_is_not_changed_but_copied_as_a_new_version(make_table, client, supervisor):
    table = make_table()
    ProjectTable.objects.filter(pk=table.pk).update(status=Status.APPROVED)
    client.force_login(supervisor)
    before = client.get(reverse("print_table", args=[table.pk])).content
    hebei = table.framework
    form = FrameworkForm({**spec_of("hebei-project")["framework"], "header_fields": ["project_code", "period"],
                          "money_sources": "财政资金\n其他资金", "order": hebei.order}, instance=hebei)
    assert not form.is_valid() and IN_USE in str(form.non_field_errors())
    hebei = Framework.objects.get(pk=hebei.pk)  # the refused form changed the instance in memory only
    copy = definition.new_version(hebei)
    assert (copy.code, copy.version, copy.previous) == ("hebei-project-v2", 2, hebei)
    assert copy.layout.code == "hebei-v2" and copy.columns.count() == hebei.columns.count()
    form = FrameworkForm({**spec_of(copy.code)["framework"], "header_fields": ["project_code", "period"],
                          "money_sources": "财政资金\n其他资金", "order": copy.order}, instance=copy)
    assert form.is_valid(), form.errors
    after = client.get(reverse("print_table", args=[table.pk])).content
    assert after == before and ApprovedPdf.objects.filter(table=table).count() == 1


# ---- the editor ----------------------------------------------------------------------------------


def test_the_editor_shows_a_frameworks_own_columns_only_where_it_has_them(make_table, client, clerk, unit):
    client.force_login(clerk)
    hebei_page = client.get(reverse("table_edit", args=[make_table().pk])).content.decode()
    assert 'name="weight"' not in hebei_page and 'name="value_direction"' not in hebei_page
    table = table_in("jingyan-2023", unit)
    indicator = Indicator(table=table, level2=framework("jingyan-2023").level2_list()[0], name="行政村数量")
    indicator.value = parse_value("=11个")
    indicator.save()
    page = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert 'name="weight"' in page and "指标方向性" in page and 'name="scoring"' not in page
    data = {"level2": indicator.level2_id, "name": indicator.name, "value": "=11个", "weight": "15",
            "value_direction": "positive", "version": indicator.version}
    client.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data)
    indicator.refresh_from_db()
    assert (indicator.weight, indicator.direction) == (Decimal("15"), "positive")


# ---- weights ------------------------------------------------------------------------------------


def test_weights_must_add_up_to_100_where_the_framework_has_a_weight_column(unit):
    table = table_in("jingyan-2023", unit, project_name="村组干部报酬")
    added = paste_into(table, JINGYAN)
    assert [i.weight for i in added][:2] == [Decimal("10"), Decimal("20")] and added[0].direction == "positive"
    problems = [p for p in rules.review_table(ProjectTable.objects.get(pk=table.pk)) if p.code == "WEIGHTS_SUM"]
    assert [p.message for p in problems] == ["各项指标的权重合计为 90，应为 100：请调整权重。"]
    Indicator.objects.filter(pk=added[1].pk).update(weight=30)
    assert not [p for p in rules.review_table(ProjectTable.objects.get(pk=table.pk)) if p.code == "WEIGHTS_SUM"]


def test_weights_are_not_checked_where_the_framework_has_no_weight_column(make_table):
    table = make_table()
    Indicator.objects.filter(table=table).update(weight=5)
    assert not [p for p in rules.review_table(ProjectTable.objects.get(pk=table.pk)) if p.code == "WEIGHTS_SUM"]


# ---- printing the shipped frameworks -------------------------------------------------------------


def mof_table(unit) -> ProjectTable:
    table = table_in("mof-2021", unit, project_name="基本公共卫生服务和应急处理专项", budget_total=Decimal("70"),
                     budget_fiscal=Decimal("70"), period="2025年", department="南县卫生健康局",
                     implementer="南县疾病预防控制中心")
    rows = [("经济成本指标", "疾病预防控制中心经费", "≤70万元", "反映疾病预防控制中心经费。", "超出预算不得分"),
            ("社会成本指标", "实施项目对社会产生的不利影响", "减少", "反映对社会的不利影响。", "有不利影响扣分"),
            ("生态环境成本指标", "生态环境成本", "不涉及", "项目不涉及生态环境成本。", ""),
            ("数量指标", "应急培训人次", "≥150人次", "全年开展应急培训的人次。", "每少10人次扣1分"),
            ("质量指标", "传染病报告及时率", "≥95%", "法定传染病按时报告的比例。", "每低1%扣1分"),
            ("时效指标", "监督任务按期完成率", "100%", "双随机监督任务按期完成。", "未按期完成不得分"),
            ("社会效益指标", "突发公共卫生事件处置率", "100%", "突发事件得到处置的比例。", "未处置不得分"),
            ("服务对象满意度指标", "群众满意度", "≥90%", "抽样调查群众的满意程度。", "每低1%扣0.5分")]
    for order, (level2, name, value, description, scoring) in enumerate(rows):
        indicator = Indicator(table=table, level2=Level2.objects.get(level1__framework=table.framework, name=level2),
                              name=name, description=description, scoring=scoring, basis_category="plan", order=order)
        indicator.value = parse_value(value, name=name)
        indicator.save()
    return table


def side_by_side_table(unit) -> ProjectTable:
    table = table_in("wuhan-2020", unit, year=2020, project_name="教育系统基础设施建设和设备购置",
                     budget_total=Decimal("10000"), budget_fiscal=Decimal("10000"), department="[015001]武汉市青山区教育局",
                     implementer="武汉市青山区教育局", attribute="基础建设、修缮类", period="202001-202012",
                     long_term_goal="优化教育布局，推进教育领域综合改革，全面提升育人质量。")
    rows = [("数量指标", "重点建设工程安排数量", "2项"), ("质量指标", "重点建设工程验收合格率", "100%"),
            ("时效指标", "重点建设工程按期完成率", "100%"), ("可持续影响指标", "基础教育巩固提高情况", "巩固提高"),
            ("社会效益指标", "基础教育学校办学条件", "持续改善"), ("服务对象满意度指标", "学生、家长、社会满意度", "≥90%")]
    for order, (level2, name, value) in enumerate(rows):
        for horizon in (Indicator.LONG_TERM, Indicator.ANNUAL):
            indicator = Indicator(table=table, level2=Level2.objects.get(level1__framework=table.framework, name=level2),
                                  name=name, order=order, horizon=horizon)
            indicator.value = parse_value(value, name=name)
            indicator.save()
    return table


def xiangtan_table(unit) -> ProjectTable:
    table = table_in("xiangtan-2023", unit, period="2023.07-2024.01", department="湘潭市环境卫生管理处",
                     long_term_goal="通过采购雾炮车降尘抑尘服务，服务周期内全市空气质量达到优良。")
    paste_into(table, XIANGTAN)
    return table


def jingyan_table(unit) -> ProjectTable:
    table = table_in("jingyan-2023", unit, project_name="村组干部报酬", budget_total=Decimal("330.98"),
                     budget_fiscal=Decimal("330.98"))
    paste_into(table, JINGYAN)
    return table


SHIPPED = {"mof-2021": mof_table, "wuhan-2020": side_by_side_table, "xiangtan-2023": xiangtan_table,
           "jingyan-2023": jingyan_table}
EXPECTED = {
    "mof-2021": ["基本公共卫生服务和应急处理专项绩效目标表", "指标性质", "评（扣）分标准", "取值依据", "成本指标",
                 "疾病预防控制中心经费", "≤", "70", "万元", "超出预算不得分", "计划标准", "产出指标"],
    "wuhan-2020": ["项目支出绩效目标表（2020年度）", "三级指标（中期）", "三级指标（年度）", "中期目标", "优化教育布局",
                   "重点建设工程安排数量"],
    "xiangtan-2023": ["2023年项目支出绩效目标申报表", "指标值及单位", "绩效标准", "雾炮车风炮射程", "≥80米", "计划标准",
                      "经济效益指标", "填表人：", "单位负责人签字："],
    "jingyan-2023": ["村组干部报酬绩效目标申报表（2023年度）", "金额单位：元", "3,309,800.00", "权重", "指标方向性",
                     "维护社会稳定", "正向指标", "村组干部230人"],
}


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_framework_prints_its_table_as_its_reference_page(code, unit, tmp_path):
    table = render.table_queryset().get(pk=SHIPPED[code](unit).pk)
    pdf = render.render_table(table)
    text = "".join(pages_text(pdf))
    position = 0
    for needle in EXPECTED[code]:
        found = text.find(needle.replace(" ", ""), position if needle != "≤" else 0)
        assert found >= 0, f"{code}: {needle!r} missing"
    assert_looks_like_reference(pdf, tmp_path, f"framework-{code}")
    if UPDATE_REFERENCE:  # the page shown in docs/, at a readable resolution
        rasterise(pdf, tmp_path, f"docs-{code}", dpi=80).save(DOCS / f"print-{code}.png")


# realworld/11 (东莞市 2019 批复表): 中期 and 年度 side by side in one grid.
DONGGUAN = """绩效指标\t一级指标\t二级指标\t三级指标\t指标值(或计划水平)\t二级指标\t三级指标\t计划指标值(或计划水平)
\t产出指标\t数量指标\t镇街补助款完成结算项目数\t29个\t数量指标\t镇街补助款完成结算项目数\t3个
\t\t质量指标\t补助款结算误差率\t±3%以内\t质量指标\t补助款结算误差率\t±3%以内
\t\t时效指标\t结算款支付及时性\t及时\t时效指标\t结算款支付及时性\t及时
\t效益指标\t社会效益指标\t补助款结算争议率\t0%\t社会效益指标\t补助款结算争议率\t0%
"""


def test_a_side_by_side_grid_pasted_into_a_framework_with_a_middle_horizon_keeps_both_halves(unit, make_table):
    table = table_in("wuhan-2020", unit, project_name="镇际联网路升级改造工程一期")
    doc = parse_paste(DONGGUAN)
    added = pasted.add(table, pasted.make_preview(table, pasted.rows_for(doc.tables[0], table.framework)))
    horizons = [(i.horizon, i.name, i.value_display) for i in added]
    assert ("long_term", "镇街补助款完成结算项目数", "29个") in horizons
    assert ("annual", "镇街补助款完成结算项目数", "3个") in horizons
    assert pasted.notes(doc.tables[0], table.framework) == []
    pdf = render.render_table(render.table_queryset().get(pk=table.pk))
    assert "29个" in "".join(pages_text(pdf)) and "3个" in "".join(pages_text(pdf))
    hebei = make_table()
    assert len(pasted.rows_for(doc.tables[0], hebei.framework)) == 4
    assert pasted.notes(doc.tables[0], hebei.framework)[0].startswith("表中并列的中期/长期指标 4 项未导入")


def test_a_money_block_of_four_sources_is_written_in_the_editor_and_printed(unit, client, clerk):
    spec = spec_of("mof-2021")
    spec["framework"].update(code="hunan-2023", money_sources=["中央", "省", "市", "本级"])
    spec["layout"] = None
    hunan = definition.from_spec(spec)
    hunan.layout = framework("mof-2021").layout
    hunan.save()
    table = table_in("hunan-2023", unit, budget_fiscal=None, budget_other=None)
    client.force_login(clerk)
    page = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert "资金来源" in page and 'name="budget_fiscal"' not in page
    response = client.post(reverse("table_sources", args=[table.pk]),
                           {"source_0": "100", "source_1": "80", "source_2": "abc", "source_3": ""})
    assert "abc" in response.content.decode() and ProjectTable.objects.get(pk=table.pk).source_amounts == {}
    client.post(reverse("table_sources", args=[table.pk]), {"source_0": "100", "source_1": "80", "source_2": "50万",
                                                            "source_3": "200000元"})
    table = render.table_queryset().get(pk=table.pk)
    assert table.source_amounts == {"中央": "100.00", "省": "80.00", "市": "50.00", "本级": "20.00"}
    assert table.budget_total == Decimal("250.00")
    text = "".join(pages_text(render.render_table(table)))
    for needle in ["其中：中央", "100.00", "其中：省", "80.00", "其中：本级", "20.00", "250.00"]:
        assert needle in text, needle


def test_a_required_level2_left_empty_is_reported_and_one_that_may_be_not_applicable_asks_for_it(unit):
    table = mof_table(unit)
    clean = [p for p in rules.review_table(ProjectTable.objects.get(pk=table.pk)) if p.code == "LEVEL2_MISSING"]
    assert clean == []
    table.indicators.filter(level2__name__in=["质量指标", "生态环境成本指标"]).delete()
    messages = [p.message for p in rules.review_table(ProjectTable.objects.get(pk=table.pk)) if p.code == "LEVEL2_MISSING"]
    assert messages == ["二级指标“生态环境成本指标”没有填写：确不涉及的，添加一行，指标值填“不涉及”，并在指标解释中说明理由。",
                        "二级指标“质量指标”是本指标体系的必填项，请补充一项质量指标。"]


@pytest.mark.parametrize("code, headings", [
    ("jingyan-2023", ["指标性质", "指标值", "度量单位", "权重", "指标方向性"]),
    ("wuhan-2020", ["三级指标（中期）", "指标值（年度）"]),
    ("xiangtan-2023", ["指标值及单位", "绩效标准"]),
])  # fmt: skip
def test_the_excel_export_lays_out_the_frameworks_columns(code, headings, unit):
    from openpyxl import load_workbook

    from perfgoals.printing.xlsx import table_workbook

    table = render.table_queryset().get(pk=SHIPPED[code](unit).pk)
    ws = load_workbook(io.BytesIO(table_workbook(table))).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for heading in headings:
        assert heading in cells
    assert table.indicators.first().name in cells


JINGYAN_EXPORT = """部门预算项目绩效目标申报表(2023年度)
金额单位:元
单位名称\t项目名称\t预算数\t年度目标\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t权重\t指标方向性
820-马踏镇部门\t\t8,827,620.53
820001-井研县马踏镇人民政府\t村组干部报酬\t3,309,840.00\t按时发放村组干部报酬\t""" + JINGYAN.split("\n", 1)[1].replace("\n", "\n\t\t\t\t").rstrip("\t")


def test_the_realworld_flat_export_imports_into_its_framework_with_weights_and_directions(tmp_path, unit):
    path = tmp_path / "jingyan.tsv"
    path.write_text(JINGYAN_EXPORT, encoding="utf-8")
    call_command("import_document", str(path), "--unit", unit.code, "--framework", "jingyan-2023", stdout=io.StringIO())
    table = ProjectTable.objects.get(project_name="村组干部报酬", framework__code="jingyan-2023")
    assert table.budget_total == Decimal("330.984")  # 3,309,840.00 元, to the 分
    assert sorted(i.weight for i in table.indicators.all()) == [10] * 7 + [20]
    assert {i.direction for i in table.indicators.all()} == {"positive"}
    assert [p.code for p in rules.review_table(render.table_queryset().get(pk=table.pk)) if p.code == "WEIGHTS_SUM"]
    text = "".join(pages_text(render.render_table(render.table_queryset().get(pk=table.pk))))
    assert "权重" in text and "正向指标" in text and "村组干部230人" in text


def test_a_print_layout_approved_tables_use_is_not_changed_in_the_admin(make_table, client, admin_user):
    table = make_table()
    ProjectTable.objects.filter(pk=table.pk).update(status=Status.APPROVED)
    layout = table.framework.layout
    client.force_login(admin_user)
    data = {"code": layout.code, "name": layout.name, "template": layout.template, "title_pattern": "{project_name}",
            "unit_line": layout.unit_line, "orientation": layout.orientation, "footer_lines": "", "merge_categories": "on"}
    response = client.post(reverse("admin:frameworks_printlayout_change", args=[layout.pk]), data)
    assert "复制为新版本" in response.content.decode()
    layout.refresh_from_db()
    assert layout.title_pattern == "{project_name}绩效目标表"


def test_the_indicator_file_carries_the_frameworks_own_columns_and_reads_them_back(unit, client, clerk, make_table):
    from perfgoals.exchange import rowfile

    table = jingyan_table(unit)
    data = rowfile.export(table, "csv")
    sheet = rowfile.read("x.csv", data)
    assert {"权重", "指标方向"} <= set(sheet.dataset.headers) and "评（扣）分标准" not in sheet.dataset.headers
    assert "权重" not in rowfile.read("x.csv", rowfile.export(make_table(), "csv")).dataset.headers
    edited = data.decode("utf-8-sig").replace(",20,正向指标,", ",30,反向指标,", 1).encode("utf-8-sig")
    preview = rowfile.run(table, rowfile.read("x.csv", edited), commit=True)
    assert preview.committed, [r.errors for r in preview.rows]
    changed = Indicator.objects.get(table=table, name="维持时效")
    assert (changed.weight, changed.direction) == (Decimal("30"), "negative")


def test_the_review_page_lists_indicators_in_the_frameworks_columns(unit, client, supervisor):
    table = jingyan_table(unit)
    client.force_login(supervisor)
    page = client.get(reverse("workflow_table", args=[table.pk])).content.decode()
    assert "<th>权重</th>" in page and "<th>指标方向性</th>" in page and "<td>正向指标</td>" in page
    assert "<th>绩效指标描述</th>" not in page


# realworld/08 (南县疾控 2025, 财预〔2021〕101号): cost first, 指标值类型 | 目标值 | 度量单位 | 指标值内容 | 备注.
NANXIAN = """一级指标\t二级指标\t三级指标\t指标值类型\t目标值\t度量单位\t指标值内容\t备注
成本指标\t经济成本指标\t疾病预防控制中心经费\t≤\t70\t万元\t反映疾病预防控制中心经费。\t反映疾病预防控制中心经费。
\t社会成本指标\t实施项目对社会产生的不利影响\t定性\t减少\t\t反映实施项目对社会产生的不利影响。\t反映实施项目对社会产生的不利影响。
\t生态环境成本指标\t实施项目对生态产生的不利影响\t定性\t减少\t\t反映实施项目对生态产生的不利影响。\t
"""


def test_the_realworld_101_table_is_pasted_into_mof_2021_and_prints_cost_first(unit):
    table = table_in("mof-2021", unit, project_name="基本公共卫生服务和应急处理及卫生监督执法专项",
                     budget_total=Decimal("70"), budget_fiscal=Decimal("70"))
    added = paste_into(table, NANXIAN)
    assert [(i.level2.name, i.value_display, i.description[:6], i.remark) for i in added] == [
        ("经济成本指标", "≤70万元", "反映疾病预防", ""), ("社会成本指标", "减少", "反映实施项目", ""),
        ("生态环境成本指标", "减少", "反映实施项目", "")]  # mof-2021 has no 备注 column: not kept
    text = "".join(pages_text(render.render_table(render.table_queryset().get(pk=table.pk))))
    assert "成本指标" in text and "≤" in text and "减少" in text and "反映疾病预防控制中心经费。" in text


def test_the_rules_page_documents_the_weight_rule(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("review_rules")).content.decode()
    assert "WEIGHTS_SUM" in page and "权重合计应为 100" in page


def test_a_title_pattern_with_an_unknown_placeholder_is_refused_in_chinese():
    from django.core.exceptions import ValidationError

    from perfgoals.frameworks.models import PrintLayout

    layout = PrintLayout(code="x", name="x", title_pattern="{项目名称}绩效目标表", unit_line="单位：{amount_unit")
    with pytest.raises(ValidationError) as refused:
        layout.full_clean()
    assert set(refused.value.message_dict) == {"title_pattern", "unit_line"}
    assert "只能使用 {project_name}" in refused.value.message_dict["title_pattern"][0]


def test_the_admin_action_exports_the_selected_definition(client, admin_user):
    client.force_login(admin_user)
    hebei = framework("hebei-project")
    response = client.post(reverse("admin:frameworks_framework_changelist"),
                           {"action": "export_definitions", "_selected_action": [hebei.pk]})
    assert response["Content-Disposition"] == 'attachment; filename="hebei-project.json"'
    assert json.loads(response.content) == spec_of("hebei-project")


def test_the_new_table_page_shows_a_frameworks_columns_and_required_categories(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("framework_skeleton"), {"framework": framework("mof-2021").pk}).content.decode()
    assert "经济成本指标（必填）" in page and "生态环境成本指标（可填“不涉及”）" in page
    assert "指标性质 | 指标值 | 度量单位 | 指标解释 | 评（扣）分标准 | 取值依据" in page


def test_a_generic_table_previews_on_screen_and_prints_in_the_book(unit, client, clerk, make_table, tmp_path):
    from perfgoals.printing import book

    make_table()
    table = jingyan_table(unit)
    ProjectTable.objects.filter(pk=table.pk).update(year=2026, position=2)
    client.force_login(clerk)
    page = client.get(reverse("table_preview", args=[table.pk])).content.decode()
    assert "<th>权重</th>" in page and "正向指标" in page
    pdf = book.render_book(unit, 2026)
    text = "".join(pages_text(pdf))
    assert "安全生产培训经费绩效目标表" in text and "村组干部报酬绩效目标申报表（2026年度）" in text and "指标方向性" in text


# realworld/05 verbatim: the grid with its 本年度绩效指标 label cell, empty level-2 rows, the
# satisfaction row's level-1 cell blank and its category written 社会公众或服务对象满意度指标.
XIANGTAN_VERBATIM = """本年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值及单位\t绩效标准
\t产出指标\t数量指标\t雾炮车降尘抑尘服务配备车辆数\t10辆\t计划标准
\t\t\t雾炮车风炮射程\t≥80M\t计划标准
\t\t质量指标\t服务周期内空气质量\t优良\t计划标准
\t\t时效指标\t服务周期\t2023.07-2024.01\t计划标准
\t\t成本指标\t控制在预算成本内\t250万\t计划标准
\t效益指标\t经济效益指标\t\t\t
\t\t社会效益指标\t服务周期内,市民对空气质量改善的满意程度\t≥85%\t计划标准
\t\t生态效益指标\t\t\t
\t\t可持续影响指标\t\t\t
\t\t社会公众或服务对象满意度指标\t市民满意度\t≥90%\t计划标准
"""


def test_the_realworld_standard_column_table_pastes_verbatim_into_xiangtan_2023(unit):
    table = table_in("xiangtan-2023", unit)
    added = paste_into(table, XIANGTAN_VERBATIM)
    assert len(added) == 7 and {i.basis_category for i in added} == {"plan"}
    assert added[-1].level2.name == "服务对象满意度指标"
    text = "".join(pages_text(render.render_table(render.table_queryset().get(pk=table.pk))))
    assert "雾炮车风炮射程" in text and "2023.07-2024.01" in text and "计划标准" in text


# realworld/01 verbatim: (长期) and (年度) headings side by side, the 长期 half empty, level-1 repeated.
WUHAN = """一级指标\t二级指标(长期)\t三级指标(长期)\t指标值(长期)\t二级指标(年度)\t三级指标(年度)\t指标值(年度)
产出指标\t数量指标\t\t\t数量指标\t重点建设工程安排数量\t2
产出指标\t质量指标\t\t\t质量指标\t重点建设工程验收合格率\t100%
产出指标\t成本指标\t\t\t成本指标\t建设项目成本\t参照政府采购成本控制
产出指标\t时效指标\t\t\t时效指标\t重点建设工程按期完成率\t100%
效益指标\t可持续影响指标\t\t\t可持续影响指标\t基础教育巩固提高情况\t巩固提高
效益指标\t社会效益指标\t\t\t社会效益指标\t基础教育学校办学条件\t持续改善
满意度指标\t服务对象满意度指标\t\t\t服务对象满意度指标\t学生、家长、社会满意度\t≥90%
"""


def test_the_realworld_wuhan_grid_pastes_verbatim_into_wuhan_2020(unit):
    table = table_in("wuhan-2020", unit, year=2020, project_name="教育系统基础设施建设和设备购置")
    added = paste_into(table, WUHAN)
    assert len(added) == 7 and {i.horizon for i in added} == {"annual"}
    assert [i.value_display for i in added][:2] == ["2", "100%"]
    text = "".join(pages_text(render.render_table(render.table_queryset().get(pk=table.pk))))
    assert "三级指标（中期）" in text and "重点建设工程验收合格率" in text and "参照政府采购成本控制" in text


def test_a_copy_keeps_the_frameworks_own_fields(unit):
    from perfgoals.goals.copying import copy_table

    source = side_by_side_table(unit)
    Indicator.objects.filter(table=source).update(weight=5, scoring="按完成比例计分", remark="备查")
    copy = copy_table(source, unit=unit, year=2021)
    assert sorted((i.horizon, i.weight, i.scoring, i.remark) for i in copy.indicators.all())[0] == (
        "annual", Decimal("5.00"), "按完成比例计分", "备查")
    assert {i.horizon for i in copy.indicators.all()} == {"annual", "long_term"}
    assert (copy.long_term_goal, copy.department) == (source.long_term_goal, source.department)


# ---- amounts in 元, to the 分 ---------------------------------------------------------------


def yuan_header(table, **changes) -> dict:
    data = {"project_code": table.project_code, "project_name": table.project_name, "fund_use": table.fund_use,
            "budget_total": "123456.78", "budget_fiscal": "123456.78", "budget_other": "0",
            "spend_mar": "25", "spend_jun": "50", "spend_oct": "75", "spend_dec": "100"}
    data.update(changes)
    return data


def test_an_amount_typed_in_a_yuan_table_prints_exactly_what_was_typed(unit, client, clerk, supervisor):
    from openpyxl import load_workbook

    from perfgoals.printing.xlsx import table_workbook

    table = jingyan_table(unit)
    client.force_login(clerk)
    page = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert "（单位：元）" in page  # the boxes are in the framework's unit
    response = client.post(reverse("table_header", args=[table.pk]), yuan_header(table))
    assert response.status_code == 302
    table.refresh_from_db()
    assert (table.budget_total, table.budget_fiscal) == (Decimal("12.345678"), Decimal("12.345678"))
    page = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert 'value="123456.78"' in page  # the editor shows what was typed, in 元
    table = render.table_queryset().get(pk=table.pk)
    text = "".join(pages_text(render.render_table(table)))
    assert "金额单位：元" in text and "123,456.78" in text and "123,500.00" not in text
    ws = load_workbook(io.BytesIO(table_workbook(table))).active
    assert "123,456.78" in [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    client.force_login(supervisor)
    review = client.get(reverse("workflow_table", args=[table.pk])).content.decode()
    assert "预算数（元）" in review and "123,456.78" in review


def test_in_a_yuan_table_50wan_is_still_50_wan_and_the_sum_is_checked_to_the_fen(unit, client, clerk):
    table = jingyan_table(unit)
    client.force_login(clerk)
    headers = {"HTTP_HX_REQUEST": "true"}
    response = client.post(reverse("table_header", args=[table.pk]),
                           yuan_header(table, budget_total="50万", budget_fiscal="499999.99", budget_other="0.01"), **headers)
    assert "已按 50万 = 500,000.00元 换算" in response.content.decode()
    table.refresh_from_db()
    assert table.budget_total == Decimal("50") and table.budget_other == Decimal("0.000001")
    response = client.post(reverse("table_header", args=[table.pk]),
                           yuan_header(table, budget_total="500000.01", budget_fiscal="500000", budget_other="0"), **headers)
    html = response.content.decode()  # one 分 off is not equal
    assert "预算数应等于财政资金与其他资金之和：财政资金 500,000.00元 + 其他资金 0.00元 = 500,000.00元，与预算数 500,000.01元 不符" in html


def test_an_amount_finer_than_the_fen_is_refused_beside_its_box_naming_what_was_typed(unit, client, clerk):
    table = jingyan_table(unit)
    client.force_login(clerk)
    response = client.post(reverse("table_header", args=[table.pk]),
                           yuan_header(table, budget_total="", budget_fiscal="123456.789"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert ('<p class="error" id="id_budget_fiscal-err">金额最多精确到分（元以下两位小数），填写的是“123456.789”。</p>'
            in html)
    assert 'value="123456.789"' in html  # kept to be corrected, not retyped
    table.refresh_from_db()
    assert table.budget_fiscal == Decimal("330.98")


def test_the_money_sources_of_a_yuan_table_are_typed_and_kept_in_yuan_to_the_fen(unit, client, clerk):
    spec = spec_of("mof-2021")
    spec["framework"].update(code="sichuan-yuan", money_sources=["一般公共预算", "政府性基金", "单位资金"], amount_unit="元")
    spec["layout"] = None
    yuan = definition.from_spec(spec)
    yuan.layout = framework("jingyan-2023").layout
    yuan.save()
    table = table_in("sichuan-yuan", unit, budget_fiscal=None, budget_other=None)
    client.force_login(clerk)
    client.post(reverse("table_sources", args=[table.pk]), {"source_0": "123456.78", "source_1": "1万", "source_2": ""})
    table = render.table_queryset().get(pk=table.pk)
    assert table.source_amounts == {"一般公共预算": "12.345678", "政府性基金": "1.00"}
    assert table.budget_total == Decimal("13.345678")
    page = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert "资金来源<span class=\"muted\">（单位：元；" in page and 'value="123456.78"' in page
    text = "".join(pages_text(render.render_table(table)))
    for needle in ["123,456.78", "10,000.00", "133,456.78"]:
        assert needle in text, needle


def test_a_wan_table_still_prints_two_decimals(unit):
    table = table_in("xiangtan-2023", unit, budget_total=Decimal("50"), budget_fiscal=Decimal("50"))
    text = "".join(pages_text(render.render_table(render.table_queryset().get(pk=table.pk))))
    assert "50.00" in text and "500,000" not in text


def test_a_conflict_on_an_indicator_lists_the_frameworks_own_columns_that_differ(unit, client, clerk):
    from perfgoals.units.models import Membership
    from tests.conftest import make_user

    table = jingyan_table(unit)
    indicator = Indicator.objects.get(table=table, name="维持时效")
    colleague = make_user("lihua", unit, Membership.CLERK, first_name="李华")
    url = reverse("indicator_update", args=[table.pk, indicator.pk])
    seen = {"level2": indicator.level2_id, "name": indicator.name, "description": "", "value_kind": "quantitative",
            "operator": "≥", "number": "1", "unit": "年", "text": "", "basis": "", "weight": "20",
            "value_direction": "positive", "remark": "", "version": indicator.version}
    client.force_login(colleague)
    assert client.post(url, {**seen, "weight": "30", "value_direction": "negative"}, HTTP_HX_REQUEST="true").status_code == 200
    client.force_login(clerk)
    response = client.post(url, {**seen, "weight": "25", "remark": "按月发放"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "（权重、指标方向、备注）" in html
    assert "<td>30</td><td>25</td>" in html and "<td>反向指标</td><td>正向指标</td>" in html
    shown = html.split("保存冲突")[1].split("</table>")[0]
    assert "<td>（空）</td><td>按月发放</td>" in shown and "评（扣）分标准" not in shown  # the same on both sides


# ---- the structure a process keeps ----------------------------------------------------------------


def test_a_tables_framework_structure_is_read_once_and_then_kept_between_requests(make_table, django_assert_num_queries):
    from perfgoals.goals.views.common import tables

    table = make_table()
    tables().get(pk=table.pk)  # the process has read the framework's categories, columns and switches
    with django_assert_num_queries(3):  # the table with its framework, its indicators, its goals
        kept = tables().get(pk=table.pk)
    assert [l2.name for l2 in kept.framework.level2_list()] == [l2.name for l2 in framework("hebei-project").level2_list()]


def test_a_category_renamed_by_an_administrator_shows_in_the_editor_on_the_next_request(make_table, client, clerk):
    table = make_table()
    client.force_login(clerk)
    assert "社会效益指标" in client.get(reverse("table_edit", args=[table.pk])).content.decode()
    level2 = Level2.objects.get(level1__framework=table.framework, name="社会效益指标")
    level2.name = "社会效益（改名）指标"
    level2.save()
    page = client.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert "社会效益（改名）指标" in page and ">社会效益指标<" not in page


def test_a_rule_switched_off_for_a_framework_stops_flagging_on_the_next_review(make_table, client, clerk):
    from perfgoals.review.models import RuleSwitch

    table = make_table(spend_jun=Decimal("20"), spend_mar=Decimal("30"))  # the plan goes down: an error
    client.force_login(clerk)
    assert "MONEY_SPENDING_PLAN" in {p.code for p in rules.review_table(table)}
    client.get(reverse("table_edit", args=[table.pk]))  # the process keeps the framework's switches
    RuleSwitch.objects.create(framework=table.framework, code="MONEY_SPENDING_PLAN", enabled=False)
    from perfgoals.goals.views.common import tables

    assert "MONEY_SPENDING_PLAN" not in {p.code for p in rules.review_table(tables().get(pk=table.pk))}


def test_a_framework_made_again_under_a_deleted_ones_key_never_gets_the_old_categories(db):
    from perfgoals.frameworks import structure
    from perfgoals.frameworks.models import Level1

    old = Framework.objects.create(code="old-one", name="旧体系")
    Level1.objects.create(framework=old, name="旧一级指标", order=1)
    structure.attach([Framework.objects.get(pk=old.pk)])
    pk = old.pk
    old.delete()
    new = Framework.objects.create(pk=pk, code="new-one", name="新体系")
    Level1.objects.create(framework=new, name="新一级指标", order=1)
    again = Framework.objects.get(pk=pk)
    structure.attach([again])
    assert [l1.name for l1 in again.levels1.all()] == ["新一级指标"]
