"""The one-page table editor: header, spending plan, goals, the indicator grid, access."""

import re
from decimal import Decimal
from html import escape

import pytest
from django.urls import reverse

from perfgoals.goals import suggest, values
from perfgoals.goals.models import Goal, Indicator, ProjectTable, Status
from perfgoals.review.outcome import review_document

HTMX = {"HTTP_HX_REQUEST": "true"}


def header_data(table, **changes) -> dict:
    data = {
        "project_code": table.project_code, "project_name": table.project_name,
        "budget_total": "5", "budget_fiscal": "5", "budget_other": "0", "fund_use": table.fund_use,
        "spend_mar": "25", "spend_jun": "50", "spend_oct": "75", "spend_dec": "100",
    }  # fmt: skip
    data.update(changes)
    return data


def row_data(indicator, **changes) -> dict:
    data = {
        "level2": indicator.level2_id, "name": indicator.name, "description": indicator.description,
        "value_kind": "quantitative", "operator": "≥", "number": "150", "unit": "人次",
        "text": "", "basis": indicator.basis,
    }  # fmt: skip
    data.update(changes)
    return data


def test_it_shows_every_part_with_official_labels(client_clerk, table):
    r = client_clerk.get(reverse("table_edit", args=[table.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    for label in ["项目名称", "项目编码", "预算数", "财政资金", "其他资金", "资金用途", "3月底", "6月底",
                  "10月底", "12月底", "绩效目标", "一级指标", "二级指标", "三级指标", "绩效指标描述",
                  "指标值", "指标值确定依据"]:  # fmt: skip
        assert f">{label}</label>" in html or f"{label}</label>" in html, label
    for button in ["保存", "添加指标", "删除", "预览"]:
        assert button in html
    assert "培训人员人次" in html and "≥150人次" in html


def test_anonymous_is_sent_to_login(client, table):
    r = client.get(reverse("table_edit", args=[table.pk]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_another_units_table_is_not_found(client, other_clerk, table):
    client.force_login(other_clerk)
    assert client.get(reverse("table_edit", args=[table.pk])).status_code == 404
    r = client.post(reverse("table_header", args=[table.pk]), header_data(table, project_name="偷改"))
    assert r.status_code == 404
    table.refresh_from_db()
    assert table.project_name == "安全生产培训经费"


def test_it_refuses_edits_to_a_submitted_table(client_clerk, table):
    table.status = Status.SUBMITTED
    table.save()
    r = client_clerk.post(reverse("table_header", args=[table.pk]), header_data(table, project_name="改名"))
    assert r.status_code == 403
    indicator = table.indicators.first()
    r = client_clerk.post(reverse("indicator_delete", args=[table.pk, indicator.pk]))
    assert r.status_code == 403
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    page = client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert "不能修改" in page


def test_supervisor_may_read_but_not_edit(client, supervisor, table):
    client.force_login(supervisor)
    assert client.get(reverse("table_edit", args=[table.pk])).status_code == 200
    r = client.post(reverse("table_header", args=[table.pk]), header_data(table, project_name="改名"))
    assert r.status_code == 403


def test_it_saves_the_header_through_htmx(client_clerk, table):
    data = header_data(table, project_name="安全生产专题培训", budget_total="8", budget_fiscal="6", budget_other="2")
    r = client_clerk.post(reverse("table_header", args=[table.pk]), data, **HTMX)
    assert r.status_code == 200
    assert 'id="header"' in r.content.decode() and "已保存" in r.content.decode()
    assert 'hx-swap-oob="true"' in r.content.decode()  # the review summary follows
    table.refresh_from_db()
    assert table.project_name == "安全生产专题培训"
    assert (table.budget_total, table.budget_fiscal, table.budget_other) == (8, 6, 2)


def test_it_saves_the_header_without_javascript(client_clerk, table):
    r = client_clerk.post(reverse("table_header", args=[table.pk]), header_data(table, fund_use="新的用途"))
    assert r.status_code == 302
    table.refresh_from_db()
    assert table.fund_use == "新的用途"


def test_it_computes_the_total_from_its_parts(client_clerk, table):
    data = header_data(table, budget_total="", budget_fiscal="7.5", budget_other="1.5")
    client_clerk.post(reverse("table_header", args=[table.pk]), data, **HTMX)
    table.refresh_from_db()
    assert table.budget_total == Decimal("9.00")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"budget_fiscal": "很多"}, "“很多”不是金额"),
        ({"budget_other": "-1", "budget_total": "4"}, "金额不能为负数"),
        ({"budget_total": "10", "budget_fiscal": "5", "budget_other": "2"}, "预算数应等于财政资金与其他资金之和"),
        ({"spend_jun": "20"}, "6月底（20%）不能小于3月底（25%）"),
        ({"spend_dec": "90"}, "12月底应为 100%"),
        ({"spend_mar": "abc"}, "“abc”不是百分比，请填写 0 到 100 之间的数字"),
        ({"spend_oct": "120"}, "百分比应在 0 到 100 之间"),
    ],
)
def test_a_bad_header_field_is_refused_and_kept_while_the_good_ones_are_saved(client_clerk, table, changes, message):
    before = {name: getattr(table, name) for name in changes}
    data = header_data(table, project_name="改过的名称", **changes)
    r = client_clerk.post(reverse("table_header", args=[table.pk]), data, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert message in html
    assert 'value="改过的名称"' in html  # nothing has to be retyped
    for value in changes.values():
        assert f'value="{value}"' in html
    assert "标出的内容有误，未保存；其余修改已保存。" in html
    table.refresh_from_db()
    assert table.project_name == "改过的名称"  # the good field is not lost
    assert {name: getattr(table, name) for name in changes} == before  # the bad group is not half-saved


def test_without_javascript_errors_show_on_the_whole_page(client_clerk, table):
    r = client_clerk.post(reverse("table_header", args=[table.pk]), header_data(table, budget_fiscal="x"))
    assert r.status_code == 200
    assert "<html" in r.content.decode() and "“x”不是金额" in r.content.decode()


def test_the_live_check_reports_a_decreasing_plan_without_saving(client_clerk, table):
    r = client_clerk.post(reverse("table_header_check", args=[table.pk]), header_data(table, spend_oct="40"), **HTMX)
    assert "10月底（40%）不能小于6月底（50%）" in r.content.decode()
    table.refresh_from_db()
    assert table.spend_oct == 75


def test_it_adds_edits_reorders_and_removes_goals(client_clerk, table):
    url = reverse("goal_create", args=[table.pk])
    client_clerk.post(url, {"text": "第二个目标"}, **HTMX)
    r = client_clerk.post(url, {"text": "  "}, **HTMX)
    assert "请填写绩效目标" in r.content.decode()
    first, second = table.goals.all()
    client_clerk.post(reverse("goal_move", args=[table.pk, second.pk]), {"direction": "up"}, **HTMX)
    assert [g.text for g in table.goals.all()] == ["第二个目标", first.text]
    client_clerk.post(reverse("goal_update", args=[table.pk, second.pk]), {"text": "改写的目标"}, **HTMX)
    client_clerk.post(reverse("goal_delete", args=[table.pk, first.pk]), **HTMX)
    assert [g.text for g in Goal.objects.filter(table=table)] == ["改写的目标"]


def test_it_saves_a_row_and_previews_its_printed_value(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    data = row_data(indicator, number="200", operator="≥", unit="人次")
    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    assert r.status_code == 200
    assert f'id="ind-{indicator.pk}"' in r.content.decode()
    indicator.refresh_from_db()
    assert indicator.value_display == "≥200人次"
    r = client_clerk.post(reverse("value_preview"), {"value_kind": "quantitative", "operator": "≤", "number": "5", "unit": "万元"})
    assert '<output id="-preview">≤5万元</output>' in r.content.decode()


def test_it_saves_a_qualitative_value(client_clerk, table):
    indicator = table.indicators.get(name="安全生产长效机制")
    data = row_data(indicator, value_kind="qualitative", number="", unit="", operator="", text="作用明显")
    client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    indicator.refresh_from_db()
    assert indicator.value_display == "作用明显"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "请填写三级指标名称"),
        ({"number": ""}, "定量指标值必须填写数值"),
        ({"number": "很多"}, "指标值的数值应为数字"),
        ({"value_kind": "qualitative", "text": ""}, "定性指标值必须填写描述"),
    ],
)
def test_it_rejects_a_bad_row_and_keeps_what_was_typed(client_clerk, table, changes, message):
    indicator = table.indicators.get(name="培训人员人次")
    data = row_data(indicator, description="新写的描述", **changes)
    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert message in html and "新写的描述" in html
    indicator.refresh_from_db()
    assert indicator.description == "参加培训的人次"


def one_field_row(indicator, value, **changes) -> dict:
    """A row as the editor posts it: the one 指标值 field, what it showed, and the split controls."""
    shown = indicator.value_display
    split = {"value_kind": indicator.value_kind, "operator": indicator.operator, "unit": indicator.unit,
             "number": "" if indicator.number is None else f"{indicator.number.normalize():f}", "text": indicator.text}  # fmt: skip
    return {**row_data(indicator), **split, "value": value, "base_value": shown, "version": indicator.version, **changes}


@pytest.mark.parametrize("typed, printed", [
    ("≥95%", "≥95%"), ("95%", "95%"), (">=95%", "≥95%"), ("≧95%", "≥95%"), ("＞3", ">3"),
    ("不少于20个", "≥20个"), ("20个以上", "≥20个"), ("≤3天", "≤3天"), ("±3%以内", "±3%以内"),
    ("100%", "100%"), ("较好", "较好"), ("=300天", "300天"), ("=100百分比", "100%"),
])  # fmt: skip
def test_the_one_value_field_saves_what_people_write(client_clerk, table, typed, printed):
    indicator = table.indicators.get(name="培训人员人次")
    url = reverse("indicator_update", args=[table.pk, indicator.pk])
    r = client_clerk.post(url, one_field_row(indicator, typed), **HTMX)
    assert r.status_code == 200
    indicator.refresh_from_db()
    assert indicator.value_display == printed
    expected = values.parse_value(typed)
    assert (indicator.value_kind, indicator.operator, indicator.number, indicator.unit) == (
        expected.kind, expected.operator, expected.number, expected.unit)
    preview = client_clerk.post(reverse("value_preview"), {"value": typed, "prefix": "x"}).content.decode()
    assert f'<output id="x-preview">{escape(printed)}</output>' in preview


def test_the_one_field_wins_over_split_controls_that_differ(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    data = one_field_row(indicator, "≥98%", operator="≤", number="3", unit="天")
    client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    indicator.refresh_from_db()
    assert indicator.value_display == "≥98%"


def test_split_controls_changed_alone_decide_and_fill_the_one_field(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")  # ≥150人次, shown so in the one field
    data = one_field_row(indicator, "≥150人次", operator="≤", number="200")
    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    indicator.refresh_from_db()
    assert indicator.value_display == "≤200人次"
    assert 'name="value" value="≤200人次"' in r.content.decode()


def test_a_tolerance_kept_as_written_survives_saving_another_field(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), one_field_row(indicator, "±3%以内"), **HTMX)
    indicator.refresh_from_db()
    data = one_field_row(indicator, "±3%以内", description="只改了描述")
    client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    indicator.refresh_from_db()
    assert indicator.description == "只改了描述" and indicator.value_display == "±3%以内"


def test_a_value_that_cannot_be_read_is_refused_on_its_field_and_kept(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), one_field_row(indicator, "≥"), **HTMX)
    html = r.content.decode()
    assert "“≥”只有比较符，请在后面写数值和单位" in html and 'name="value" value="≥"' in html
    indicator.refresh_from_db()
    assert indicator.value_display == "≥150人次"


def test_the_preview_says_when_a_unit_is_not_a_unit(client_clerk):
    html = client_clerk.post(reverse("value_preview"), {"value": "≥80数量", "name": "数量", "prefix": "x"}).content.decode()
    assert "≥80数量" in html and "“数量”是指标名称，不是计量单位" in html
    html = client_clerk.post(reverse("value_preview"), {"value": "≥", "prefix": "x"}).content.decode()
    assert "只有比较符" in html


@pytest.mark.parametrize("typed, stored, note", [
    ("50万", "50.00", ""), ("50万元", "50.00", ""), ("1,000.5", "1000.50", ""),
    ("500000元", "50.00", "已按 500000元 = 50.00万元 换算"), ("五十万", "50.00", "已按 五十万 = 50.00万元 换算"),
])  # fmt: skip
def test_money_typed_as_people_write_it_is_saved_in_wan_yuan_saying_what_was_converted(client_clerk, table, typed, stored, note):
    data = header_data(table, budget_total="", budget_fiscal=typed, budget_other="0")
    r = client_clerk.post(reverse("table_header", args=[table.pk]), data, **HTMX)
    table.refresh_from_db()
    assert table.budget_fiscal == Decimal(stored) and table.budget_total == Decimal(stored)
    assert (note in r.content.decode()) if note else "换算" not in r.content.decode()


def test_the_live_check_says_what_it_will_convert_before_saving(client_clerk, table):
    r = client_clerk.post(reverse("table_header_check", args=[table.pk]), header_data(table, budget_fiscal="500000元", budget_total="50"))
    assert "财政资金：已按 500000元 = 50.00万元 换算" in r.content.decode()
    table.refresh_from_db()
    assert table.budget_fiscal != Decimal("50")


def test_a_spending_plan_typed_with_percent_signs_is_saved(client_clerk, table):
    data = header_data(table, spend_mar="10%", spend_jun="40 ％", spend_oct="80%", spend_dec="100%")
    client_clerk.post(reverse("table_header", args=[table.pk]), data, **HTMX)
    table.refresh_from_db()
    assert [table.spend_mar, table.spend_jun, table.spend_oct, table.spend_dec] == [10, 40, 80, 100]


def test_text_with_html_shows_as_text(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    evil = '<script>alert("x")</script>'
    client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), row_data(indicator, name=evil), **HTMX)
    client_clerk.post(reverse("table_header", args=[table.pk]), header_data(table, fund_use=evil), **HTMX)
    for url in (reverse("table_edit", args=[table.pk]), reverse("table_preview", args=[table.pk])):
        html = client_clerk.get(url).content.decode()
        assert evil not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_it_adds_a_row_under_a_category_and_removes_it(client_clerk, table, hebei):
    level2 = hebei.level2_list()[0]
    r = client_clerk.get(reverse("indicator_new", args=[table.pk]) + f"?level2={level2.pk}", **HTMX)
    assert "三级指标" in r.content.decode()
    data = {"level2": level2.pk, "name": "新增培训班次", "description": "举办培训的班次", "value_kind": "quantitative",
            "operator": "≥", "number": "4", "unit": "期", "text": "", "basis": "工作计划", "prefix": "new-x"}  # fmt: skip
    r = client_clerk.post(reverse("indicator_create", args=[table.pk]), data, **HTMX)
    assert r.status_code == 200 and "已保存" in r.content.decode()
    added = table.indicators.get(name="新增培训班次")
    assert added.value_display == "≥4期" and added.level2 == level2
    r = client_clerk.post(reverse("indicator_delete", args=[table.pk, added.pk]), **HTMX)
    assert r["HX-Retarget"] == "#grid"
    assert not table.indicators.filter(name="新增培训班次").exists()


def test_it_moves_a_row_to_another_category_and_reorders(client_clerk, table, hebei):
    level2s = hebei.level2_list()
    indicator = table.indicators.get(name="培训人员人次")
    client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]),
                      row_data(indicator, level2=level2s[1].pk), **HTMX)  # fmt: skip
    indicator.refresh_from_db()
    assert indicator.level2 == level2s[1]
    quality = [i.name for i in table.indicators.filter(level2=level2s[1])]
    assert quality == ["培训合格率", "培训人员人次"]
    client_clerk.post(reverse("indicator_move", args=[table.pk, indicator.pk]), {"direction": "up"}, **HTMX)
    assert [i.name for i in table.indicators.filter(level2=level2s[1])] == ["培训人员人次", "培训合格率"]


def test_it_suggests_template_indicators_and_fills_a_row(client_clerk, table, hebei, unit, make_table):
    template = make_table(is_template=True, project_code="T1", year=2021)
    level2 = hebei.level2_list()[0]
    blank = ProjectTable.objects.create(unit=unit, year=2026, framework=hebei, project_name="空白项目", project_code="B1")
    r = client_clerk.get(reverse("indicator_suggest"), {"name": "培训", "level2": level2.pk, "prefix": "new-a", "table": blank.pk})
    html = r.content.decode()
    assert "培训人员人次" in html and "≥150人次" in html and "采用" in html
    source = template.indicators.get(level2=level2)
    r = client_clerk.post(reverse("indicator_fill", args=[table.pk]), {"source": source.pk, "level2": level2.pk, "prefix": "new-a"}, **HTMX)
    assert r.status_code == 200
    assert table.indicators.filter(level2=level2, name="培训人员人次").count() == 2


def suggested_names(client, table, level2, typed) -> list[str]:
    html = client.get(reverse("indicator_suggest"), {"name": typed, "level2": level2.pk, "prefix": "p", "table": table.pk}).content.decode()
    return re.findall(r"<strong>(.*?)</strong>", html)


def test_suggestions_match_words_and_characters_not_substrings(client_clerk, table, hebei):
    benefit = next(l2 for l2 in hebei.level2_list() if l2.name == "社会效益指标")
    assert "推介" in suggested_names(client_clerk, table, benefit, "推介")[0]  # 扩大招商渠道…宣传推介开发区
    assert "宣传" in suggested_names(client_clerk, table, benefit, "宣传")[0]
    assert "推介" in suggested_names(client_clerk, table, benefit, "招商推介工作")[0]  # no substring of it matches


def test_suggestions_are_ranked_by_shared_words():
    from types import SimpleNamespace as Row

    rows = [Row(name="宣传推介昌黎", description=""), Row(name="招商宣传次数", description=""),
            Row(name="接待客商人次", description="宣传"), Row(name="企业满意度", description="")]  # fmt: skip
    assert [r.name for r in suggest.rank("宣传推介", rows)] == ["宣传推介昌黎", "招商宣传次数", "接待客商人次"]
    assert [r.name for r in suggest.rank("推介", rows)] == ["宣传推介昌黎"]
    assert [r.name for r in suggest.rank("参训企业满意", rows)] == ["企业满意度"]
    assert suggest.rank("道路", rows) == []


def test_an_adopted_suggestion_brings_no_fault_of_its_own(client_clerk, table, hebei, make_table, unit):
    template = make_table(is_template=True, project_code="T9", year=2021)
    quantity = next(l2 for l2 in hebei.level2_list() if l2.name == "数量指标")
    def add(name, description, unit_text, order):
        return Indicator.objects.create(table=template, level2=quantity, name=name, description=description,
                                        value_kind="quantitative", operator="≥", number=3, unit=unit_text, order=order)  # fmt: skip
    add("培训班期数", "全年举办培训班的期数", "期", 50)
    add("培训数量", "参加培训的企业数量", "数量", 51)  # its unit is its name: VALUE_UNIT_IS_NAME
    echo = add("培训场次", "培训场次", "场", 52)  # its description repeats its name: TEXT_DESCRIPTION_IS_NAME
    found = suggested_names(client_clerk, table, quantity, "培训")
    assert "培训班期数" in found and "培训场次" in found
    assert "培训数量" not in found
    assert "培训人员人次" not in found  # the table has it already (TEXT_INDICATOR_REPEATED)

    blank = ProjectTable.objects.create(unit=unit, year=2026, framework=hebei, project_name="空白项目", project_code="B1")
    client_clerk.post(reverse("indicator_fill", args=[blank.pk]), {"source": echo.pk, "level2": quantity.pk, "prefix": "new-a"}, **HTMX)
    adopted = blank.indicators.get(name="培训场次")
    assert adopted.description == "" and adopted.value_display == "≥3场"
    codes = {p.code for p in review_document(ProjectTable.objects.get(pk=blank.pk)).problems if p.object_id == adopted.pk}
    assert "TEXT_DESCRIPTION_IS_NAME" not in codes


def test_a_blank_hebei_table_offers_all_nine_rows(client_clerk, unit, hebei):
    table = ProjectTable.objects.create(unit=unit, year=2026, framework=hebei, project_name="空白项目")
    html = client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert html.count('class="ind-row new') == 9
    for level2 in hebei.level2_list():
        assert f'aria-label="{level2.name}"' in html


def test_a_blank_table_shows_a_checklist_and_keeps_not_filled_errors_for_later(client_clerk, unit, hebei):
    table = ProjectTable.objects.create(unit=unit, year=2026, framework=hebei, project_name="空白项目")
    html = client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()
    summary = re.search(r'<div id="summary".*?</div>', html, re.S)[0]
    assert "已完成 1/15" in summary  # 项目名称 of 6 header steps and 9 level-2 rows
    assert '<a href="#id_project_code">项目编码</a>' in summary and '<a href="#l2-' in summary
    assert "0 个错误" not in summary and "个错误" not in summary
    assert 'class="problem error missing"' in html  # rendered, shown once the field was left (CSS)
    assert 'class="editor show-all"' not in html
    blocked = client_clerk.get(reverse("table_edit", args=[table.pk]) + "?blocked=submit").content.decode()
    assert 'class="editor show-all"' in blocked


def test_the_checklist_counts_each_step_as_it_is_filled(make_table):
    from perfgoals.goals.checklist import table_checklist
    from perfgoals.goals.views.common import tables

    table = make_table()
    checklist = table_checklist(tables().get(pk=table.pk))
    assert (checklist.done, checklist.total, checklist.complete) == (15, 15, True)
    table.spend_dec = Decimal("90")
    table.save()
    table.indicators.filter(level2__name="生态效益指标").delete()
    checklist = table_checklist(tables().get(pk=table.pk))
    assert [s.label for s in checklist.steps if not s.done] == ["资金支出计划", "生态效益指标"]


def test_an_error_about_what_was_filled_is_counted_beside_the_checklist(client_clerk, make_table):
    table = make_table()
    table.budget_fiscal = Decimal("9")  # 9 + 0 ≠ 5
    table.save()
    html = client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()
    summary = re.search(r'<div id="summary".*?</div>', html, re.S)[0]
    assert "已完成 15/15，可以提交审核" in summary and "1 个错误" in summary and "has-errors" in summary


def test_a_submitted_table_does_not_invite_submitting_it_again(client_clerk, make_table, clerk):
    from perfgoals.workflow import workflow

    table = make_table()
    workflow.submit(table, clerk)

    html = client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()

    summary = re.search(r'<div id="summary".*?</div>', html, re.S)[0]
    assert "已完成 15/15" in summary and "可以提交审核" not in summary


def test_the_preview_merges_level_cells_as_printed(client_clerk, table):
    html = client_clerk.get(reverse("table_preview", args=[table.pk])).content.decode()
    assert '<td rowspan="4">产出指标</td>' in html  # merged as printed
    assert "安全生产培训经费绩效目标表" in html


def _table_with(make_table, hebei, n: int):
    table = make_table(project_code=f"C{n}")
    level2 = hebei.level2_list()[0]
    for i in range(n - table.indicators.count()):
        Indicator.objects.create(table=table, level2=level2, name=f"指标{i}", value_kind="quantitative", number=i, unit="项")
    return table


def _count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_editor_runs_a_fixed_number_of_queries(client_clerk, make_table, hebei, django_assert_num_queries, warm_vocabulary):
    small, large = _table_with(make_table, hebei, 10), _table_with(make_table, hebei, 30)
    urls = [reverse("table_edit", args=[t.pk]) for t in (small, large)]
    counts = [_count_queries(lambda u=u: client_clerk.get(u)) for u in urls]
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client_clerk.get(urls[1])


def test_a_row_edit_runs_a_fixed_number_of_queries(client_clerk, make_table, hebei, django_assert_num_queries, warm_vocabulary):
    small, large = _table_with(make_table, hebei, 10), _table_with(make_table, hebei, 30)
    counts = []
    for t in (small, large):
        indicator = t.indicators.first()
        url = reverse("indicator_update", args=[t.pk, indicator.pk])
        counts.append(_count_queries(lambda: client_clerk.post(url, row_data(indicator, number="160"), **HTMX)))
    assert counts[0] == counts[1]
    indicator = large.indicators.first()
    with django_assert_num_queries(counts[1]):
        client_clerk.post(reverse("indicator_update", args=[large.pk, indicator.pk]), row_data(indicator, number="170"), **HTMX)


# The template library, and edits racing a submit


@pytest.fixture
def seed_clerk(db):
    """A clerk of a seed unit: the unit whose published tables are the template library's."""
    from perfgoals.units.models import Membership, Unit
    from tests.conftest import make_user

    return make_user("seedclerk", Unit.objects.get(code="321001"), Membership.CLERK)


@pytest.fixture
def template_table(db):
    return ProjectTable.objects.filter(unit__code="321001", is_template=True).order_by("position", "id").first()


def test_a_clerk_of_the_seed_unit_may_read_but_not_edit_a_template_table(client, seed_clerk, template_table):
    client.force_login(seed_clerk)
    goal, indicator = template_table.goals.first(), template_table.indicators.first()
    before = (template_table.project_name, goal.text, indicator.name, indicator.value_display,
              template_table.goals.count(), template_table.indicators.count())  # fmt: skip

    page = client.get(reverse("table_edit", args=[template_table.pk]))
    assert page.status_code == 200 and "您没有修改本表的权限，只能查看。" in page.content.decode()
    refused = [
        client.post(reverse("table_header", args=[template_table.pk]), header_data(template_table, project_name="改名")),
        client.post(reverse("goal_create", args=[template_table.pk]), {"text": "新目标"}, **HTMX),
        client.post(reverse("goal_update", args=[template_table.pk, goal.pk]), {"text": "改写"}, **HTMX),
        client.post(reverse("indicator_update", args=[template_table.pk, indicator.pk]), row_data(indicator, name="改名"), **HTMX),
        client.post(reverse("indicator_delete", args=[template_table.pk, indicator.pk]), **HTMX),
        client.get(reverse("indicator_new", args=[template_table.pk]) + f"?level2={indicator.level2_id}", **HTMX),
    ]  # fmt: skip

    assert [r.status_code for r in refused] == [403] * len(refused)
    template_table.refresh_from_db()
    goal.refresh_from_db()
    indicator.refresh_from_db()
    after = (template_table.project_name, goal.text, indicator.name, indicator.value_display,
             template_table.goals.count(), template_table.indicators.count())  # fmt: skip
    assert after == before


def test_an_administrator_edits_a_template_table(client, admin_user, template_table):
    client.force_login(admin_user)
    indicator = template_table.indicators.first()
    data = row_data(indicator, number="12", unit="项", operator="≥")

    r = client.post(reverse("indicator_update", args=[template_table.pk, indicator.pk]), data, **HTMX)

    assert r.status_code == 200 and "已保存" in r.content.decode()
    indicator.refresh_from_db()
    assert indicator.value_display == "≥12项"
    page = client.get(reverse("table_edit", args=[template_table.pk])).content.decode()
    assert "只能查看" not in page and "添加指标" in page


def test_an_edit_after_the_table_was_submitted_elsewhere_is_refused_and_changes_nothing(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    assert "添加指标" in client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()  # open for editing
    ProjectTable.objects.filter(pk=table.pk).update(status=Status.SUBMITTED)  # submitted from another tab

    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), row_data(indicator, number="999"), **HTMX)
    r_goal = client_clerk.post(reverse("goal_create", args=[table.pk]), {"text": "迟到的目标"}, **HTMX)

    assert (r.status_code, r_goal.status_code) == (403, 403)
    indicator.refresh_from_db()
    assert indicator.value_display == "≥150人次"
    assert not table.goals.filter(text="迟到的目标").exists()


def test_an_edit_writes_inside_the_transaction_that_locked_the_table(client_clerk, table, monkeypatch):
    """The lock taken by the lookup is held until the write: a submit cannot come in between."""
    from django.db import connection
    from django.db.models.signals import pre_save

    from perfgoals.goals import access

    at_lookup, at_write = [], []
    real_can = access.can

    def can(user, action, doc):
        if action == "edit":
            at_lookup.append(connection.atomic_blocks[-1])  # the transaction the lookup locked the row in
        return real_can(user, action, doc)

    def saving(sender, **kwargs):
        at_write.append(list(connection.atomic_blocks))

    monkeypatch.setattr(access, "can", can)
    indicator = table.indicators.get(name="培训人员人次")
    pre_save.connect(saving, sender=Indicator)
    try:
        r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), row_data(indicator, number="160"), **HTMX)
    finally:
        pre_save.disconnect(saving, sender=Indicator)

    assert r.status_code == 200
    assert len(at_lookup) == 1 and at_write
    assert all(at_lookup[0] in blocks for blocks in at_write)


# Versions and conflicts (issue 11): no edit is lost or silently overwritten


def shown_header(table, **changes) -> dict:
    """The header form as the editor shows it (its version and base values), with `changes` typed."""
    from perfgoals.goals.forms import HeaderForm

    form = HeaderForm(instance=table)
    base = form.base_values()
    return {**base, **{f"base_{k}": v for k, v in base.items()}, "version": table.version, **changes}


def shown_row(indicator, **changes) -> dict:
    return {**row_data(indicator), "version": indicator.version, **changes}


def test_two_clerks_changing_different_header_fields_both_keep_their_change(client_clerk, table):
    tab_a, tab_b = shown_header(table, project_name="专题培训"), shown_header(table, fund_use="用于培训教材")
    url = reverse("table_header", args=[table.pk])

    first, second = client_clerk.post(url, tab_a, **HTMX), client_clerk.post(url, tab_b, **HTMX)

    assert (first.status_code, second.status_code) == (200, 200)
    table.refresh_from_db()
    assert (table.project_name, table.fund_use) == ("专题培训", "用于培训教材")


def test_a_header_save_from_an_old_version_of_the_same_field_is_refused_with_both_values(client, clerk, table):
    from tests.conftest import make_user
    from perfgoals.units.models import Membership

    colleague = make_user("lihua", table.unit, Membership.CLERK, first_name="李华")
    seen_by_both = shown_header(table)
    client.force_login(colleague)
    client.post(reverse("table_header", args=[table.pk]), {**seen_by_both, "project_name": "李华改的名称"}, **HTMX)
    client.force_login(clerk)

    r = client.post(reverse("table_header", args=[table.pk]), {**seen_by_both, "project_name": "我改的名称"}, **HTMX)

    assert r.status_code == 409
    html = r.content.decode()
    assert "保存冲突" in html and "李华 于" in html and "（项目名称）" in html
    assert "<td>李华改的名称</td><td>我改的名称</td>" in html
    assert 'value="我改的名称"' in html  # the clerk's input stays
    assert "使用我的" in html and "采用对方的" in html
    table.refresh_from_db()
    assert table.project_name == "李华改的名称"

    mine = {k: v for k, v in _hidden_inputs(html).items()}  # 使用我的: the same form, posted again
    r = client.post(reverse("table_header", args=[table.pk]), {**mine, "project_name": "我改的名称"}, **HTMX)
    assert r.status_code == 200
    table.refresh_from_db()
    assert table.project_name == "我改的名称"


def _hidden_inputs(html: str) -> dict:
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_a_header_save_changes_only_the_fields_the_clerk_changed(client_clerk, table):
    stale = shown_header(table, fund_use="我写的用途")
    Table = type(table)
    Table.objects.filter(pk=table.pk).update(project_name="别人刚改的名称", version=table.version + 1)

    r = client_clerk.post(reverse("table_header", args=[table.pk]), stale, **HTMX)

    assert r.status_code == 200  # the name was not touched here: no conflict, not put back
    table.refresh_from_db()
    assert (table.project_name, table.fund_use) == ("别人刚改的名称", "我写的用途")


def test_a_row_saved_from_an_old_version_is_refused_and_use_mine_saves_it(client, clerk, table):
    from tests.conftest import make_user
    from perfgoals.units.models import Membership

    indicator = table.indicators.get(name="培训人员人次")
    colleague = make_user("lihua", table.unit, Membership.CLERK, first_name="李华")
    url = reverse("indicator_update", args=[table.pk, indicator.pk])
    client.force_login(colleague)
    assert client.post(url, shown_row(indicator, number="200"), **HTMX).status_code == 200
    client.force_login(clerk)

    r = client.post(url, shown_row(indicator, number="300", description="我写的描述"), **HTMX)

    assert r.status_code == 409
    html = r.content.decode()
    assert "李华 于" in html and "<td>≥200人次</td><td>≥300人次</td>" in html
    assert 'value="300"' in html and "我写的描述" in html
    indicator.refresh_from_db()
    assert indicator.value_display == "≥200人次"
    assert _hidden_inputs(html)["version"] == str(indicator.version)  # 使用我的 posts the current version

    r = client.post(url, shown_row(indicator, number="300", description="我写的描述", version=indicator.version), **HTMX)
    assert r.status_code == 200
    indicator.refresh_from_db()
    assert (indicator.value_display, indicator.description) == ("≥300人次", "我写的描述")


def test_two_clerks_editing_different_rows_never_conflict(client_clerk, table):
    first, second = table.indicators.all()[:2]
    rows = [shown_row(first, number="11"), shown_row(second, number="22")]
    answers = [
        client_clerk.post(reverse("indicator_update", args=[table.pk, i.pk]), data, **HTMX)
        for i, data in zip((first, second), rows)
    ]
    assert [r.status_code for r in answers] == [200, 200]


def test_a_save_posted_twice_makes_one_change(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    url = reverse("indicator_update", args=[table.pk, indicator.pk])
    data = shown_row(indicator, number="180")
    changes_before = indicator.history.count()

    answers = [client_clerk.post(url, data, **HTMX) for _ in range(2)]

    assert [r.status_code for r in answers] == [200, 200]
    assert indicator.history.count() == changes_before + 1
    indicator.refresh_from_db()
    assert indicator.version == data["version"] + 1


def test_a_header_posted_twice_makes_one_change(client_clerk, table):
    data = shown_header(table, project_name="两次提交的名称")
    changes_before = table.history.count()
    answers = [client_clerk.post(reverse("table_header", args=[table.pk]), data, **HTMX) for _ in range(2)]
    assert [r.status_code for r in answers] == [200, 200]
    assert table.history.count() == changes_before + 1


def test_saving_a_row_deleted_meanwhile_says_so(client_clerk, table):
    indicator = table.indicators.get(name="培训人员人次")
    data, pk = shown_row(indicator, number="190"), indicator.pk
    indicator.delete()
    indicator.pk = pk

    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data, **HTMX)
    assert r.status_code == 404 and "这一行已被他人删除" in r.content.decode()

    r = client_clerk.post(reverse("indicator_update", args=[table.pk, indicator.pk]), data,
                          HTTP_REFERER=f"http://testserver{reverse('table_edit', args=[table.pk])}", follow=True)  # fmt: skip
    assert "这一行已被他人删除" in r.content.decode()  # without JavaScript: on the editor page


def test_a_goal_saved_from_an_old_version_is_refused(client_clerk, table):
    goal = table.goals.first()
    url = reverse("goal_update", args=[table.pk, goal.pk])
    client_clerk.post(url, {"text": "先保存的目标", "version": goal.version}, **HTMX)
    r = client_clerk.post(url, {"text": "后保存的目标", "version": goal.version}, **HTMX)
    assert r.status_code == 409 and "<td>先保存的目标</td><td>后保存的目标</td>" in r.content.decode()
    goal.refresh_from_db()
    assert goal.text == "先保存的目标"


def test_moving_a_row_does_not_make_its_neighbours_edits_conflict(client_clerk, table):
    first = table.indicators.first()
    second = Indicator.objects.create(table=table, level2=first.level2, name="第二行", value_kind="quantitative", number=1, unit="项", order=99)
    data = shown_row(second, number="33")
    client_clerk.post(reverse("indicator_move", args=[table.pk, first.pk]), {"direction": "down"}, **HTMX)
    assert client_clerk.post(reverse("indicator_update", args=[table.pk, second.pk]), data, **HTMX).status_code == 200


def test_a_signed_out_htmx_save_gets_401_and_a_chinese_message_not_the_login_page(client, table):
    indicator = table.indicators.first()
    r = client.post(reverse("indicator_update", args=[table.pk, indicator.pk]), shown_row(indicator), **HTMX)
    assert r.status_code == 401 and "登录已过期" in r.content.decode()


def test_a_huge_post_is_refused_with_a_chinese_message_and_nothing_saved(client_clerk, table, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
    from urllib.parse import urlencode

    body = urlencode(shown_header(table, fund_use="长" * 1024 * 1024, project_name="半截"))
    r = client_clerk.post(reverse("table_header", args=[table.pk]), body, content_type="application/x-www-form-urlencoded", **HTMX)
    assert r.status_code == 413 and "提交的内容过长" in r.content.decode()
    table.refresh_from_db()
    assert table.project_name == "安全生产培训经费"


def test_an_overlong_field_gets_a_chinese_message_and_the_other_fields_are_saved(client_clerk, table):
    r = client_clerk.post(reverse("table_header", args=[table.pk]), shown_header(table, fund_use="长" * 2001, project_name="新名称"), **HTMX)
    html = r.content.decode()
    assert "最多 2000 字（现有 2001 字）" in html and 'maxlength="2000"' in html
    table.refresh_from_db()
    assert (table.project_name, table.fund_use) == ("新名称", "用于组织全县安全生产专题培训。")


# Length limits: every text people write has one, in the model, the form and the input, sized
# with room to spare above the longest value of the seed documents and published tables.


def written_fields():
    """(model, field) for every text a person writes into a table, a plan or a review."""
    from django.db import models

    from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, PlanItem
    from perfgoals.workflow.models import Comment

    for model in (ProjectTable, Goal, Indicator, DepartmentPlan, PlanItem, DepartmentIndicator, FundingLine, Comment):
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                yield model, field


def test_every_text_people_write_is_limited_at_least_twice_the_longest_seed_value(db):
    from django.db.models import Max
    from django.db.models.functions import Length

    for model, field in written_fields():
        name = f"{model.__name__}.{field.name}"
        assert field.max_length, f"{name} has no length limit"
        longest = model.objects.aggregate(n=Max(Length(field.name)))["n"] or 0  # the seeds are loaded
        assert 2 * longest <= field.max_length, f"{name}: {field.max_length}, the seeds have {longest}"


def test_the_models_refuse_a_text_over_its_limit_in_chinese():
    from django.core.exceptions import ValidationError

    for model, field in written_fields():
        too_long = "长" * (field.max_length + 1)
        with pytest.raises(ValidationError) as e:
            field.run_validators(too_long)
        assert e.value.messages == [f"最多 {field.max_length} 字（现有 {field.max_length + 1} 字），请删减后再保存。"], (
            f"{model.__name__}.{field.name}"
        )


def text_inputs(html: str) -> list[str]:
    """Every text input and textarea of a page (not hidden, check, number, … inputs)."""
    tags = re.findall(r"<(?:textarea|input)\b[^>]*>", html)
    kinds = [re.search(r'type="([^"]+)"', tag) for tag in tags]
    return [tag for tag, kind in zip(tags, kinds) if tag.startswith("<textarea") or (kind is None or kind[1] in ("text", "search", "tel"))]


def test_every_text_input_of_the_table_and_plan_editors_has_the_fields_limit(client_clerk, table, unit):
    from perfgoals.frameworks.models import Framework
    from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, PlanItem

    hubei = Framework.objects.get(code="hubei-department")
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, framework=hubei, overall_goal="做好招商")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="全年引进亿元以上项目 10 个。")
    DepartmentIndicator.objects.create(plan=plan, level2=hubei.level2_list()[0], name="公用经费控制率", text="较好",
                                       value_kind="qualitative")
    pages = {"table": client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode(),
             "plan": client_clerk.get(reverse("plan_edit", args=[plan.pk])).content.decode()}

    for page, html in pages.items():
        inputs = text_inputs(html)
        assert len(inputs) > 10
        for tag in inputs:
            assert re.search(r'maxlength="\d+"', tag), f"{page}: {tag}"
    assert 'name="fund_use" cols="40" rows="10" maxlength="2000"' in pages["table"] or (
        re.search(r'<textarea[^>]*name="fund_use"[^>]*maxlength="2000"', pages["table"])
    )
    assert re.search(r'<textarea[^>]*name="overall_goal"[^>]*maxlength="5000"', pages["plan"])


@pytest.mark.parametrize("url, data, limit", [
    ("goal_create", {"text": "长" * 1001}, 1000),
    ("indicator_create", {"name": "培训人次", "value": "≥150人次", "description": "长" * 1001, "basis": ""}, 1000),
])  # fmt: skip
def test_an_overlong_row_is_refused_in_chinese_and_nothing_is_written(client_clerk, table, url, data, limit):
    counts = (table.goals.count(), table.indicators.count())
    data = {**data, "level2": table.indicators.first().level2_id}

    r = client_clerk.post(reverse(url, args=[table.pk]), data, **HTMX)

    assert f"最多 {limit} 字（现有 {limit + 1} 字），请删减后再保存。" in r.content.decode()
    assert counts == (table.goals.count(), table.indicators.count())


# Rows: a table or plan holds at most settings.MAX_ROWS_PER_TABLE rows (goals and indicators;
# a plan's items, indicators and funding lines), so no page of it grows without bound.

FULL = "最多 {limit} 行（绩效目标、指标等合计），未添加。"


def test_a_table_at_its_row_limit_refuses_another_goal_or_indicator_in_chinese(client_clerk, table, settings):
    rows = table.goals.count() + table.indicators.count()
    settings.MAX_ROWS_PER_TABLE = rows
    level2 = table.indicators.first().level2_id
    source = Indicator.objects.filter(table__is_template=True).first()

    answers = [
        client_clerk.post(reverse("goal_create", args=[table.pk]), {"text": "第二个目标"}, **HTMX),
        client_clerk.post(reverse("indicator_create", args=[table.pk]),
                          {"level2": level2, "name": "培训人次", "value": "≥150人次"}, **HTMX),
        client_clerk.post(reverse("indicator_fill", args=[table.pk]), {"source": source.pk, "level2": level2}, **HTMX),
    ]  # fmt: skip

    for answer in answers:
        assert FULL.format(limit=rows) in answer.content.decode()
    assert table.goals.count() + table.indicators.count() == rows
    settings.MAX_ROWS_PER_TABLE = rows + 1
    client_clerk.post(reverse("goal_create", args=[table.pk]), {"text": "第二个目标"}, **HTMX)
    assert table.goals.count() == 2


def test_a_plan_at_its_row_limit_refuses_another_row_in_chinese(client_clerk, unit, settings):
    from perfgoals.goals.models import DepartmentPlan, PlanItem

    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="做好招商")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="全年引进亿元以上项目 10 个。")
    settings.MAX_ROWS_PER_TABLE = 1

    answer = client_clerk.post(reverse("plan_child_create", args=[plan.pk, "safeguard"]), {"text": "建立台账。"}, **HTMX)

    assert FULL.format(limit=1) in answer.content.decode()
    assert plan.items.count() == 1
