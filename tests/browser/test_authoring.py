"""A clerk writes goal tables in a real browser: from a template, from last year, from blank."""

from datetime import date

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import ProjectTable
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def row_named(page, name: str):
    return page.locator(f'form.ind-row:has(input[name=name][value="{name}"])')


def group(page, level2: str):
    return page.get_by_role("group", name=level2, exact=True)


def settled(page) -> None:
    """Wait until htmx has settled what it swapped in (its triggers are attached then)."""
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)  # no eval: the CSP refuses it


def save_row(row, scope) -> None:
    settled(row.page)  # the 指标推荐 lookup typing started has come back (a person reads it first)
    row.get_by_role("button", name="保存").click()
    expect(scope.get_by_role("status").filter(has_text="已保存").first).to_be_visible()
    settled(row.page)


def test_a_clerk_writes_a_table_from_a_seed_template(page, clerk):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "clerk")
    page.get_by_role("navigation").get_by_role("link", name="模板库").click()
    page.get_by_label("项目名称或指标").fill("安全生产培训")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="使用此模板").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("安全生产培训经费")

    header = page.locator("#header")
    header.get_by_label("项目编码").fill("13099926P000000000042")
    header.get_by_label("项目名称").fill("全县安全生产专题培训")
    header.get_by_label("财政资金").fill("6")
    header.get_by_label("其他资金").fill("2")
    header.get_by_label("预算数").fill("")
    header.get_by_label("12月底").fill("90")  # checked as typed, before anything is saved
    expect(page.locator("#header-check")).to_contain_text("12月底应为 100%")
    expect(page.locator("#header-check")).to_contain_text("财政资金 + 其他资金 = 8 万元")
    header.get_by_label("12月底").fill("100")
    expect(page.locator("#header-check")).not_to_contain_text("12月底应为 100%")
    header.get_by_role("button", name="保存").click()
    expect(page.locator("#header").get_by_role("status")).to_contain_text("已保存")
    expect(page.locator("#header").get_by_label("预算数", exact=True)).to_have_value("8")

    quantity = group(page, "数量指标")
    quantity.get_by_role("button", name="添加指标").click()
    new_row = quantity.locator("form.ind-row.new")
    new_row.get_by_label("三级指标").fill("培训班期数")
    new_row.get_by_label("绩效指标描述").fill("全年举办培训班的期数")
    new_row.get_by_label("指标值", exact=True).fill("不少于4期")
    expect(new_row.locator("output[id$=-preview]")).to_have_text("≥4期")
    new_row.get_by_label("指标值确定依据").fill("年度培训计划")
    save_row(new_row, quantity)
    expect(row_named(page, "培训班期数")).to_have_count(1)

    row_named(page, "结果准确性").get_by_role("button", name="删除").click()
    expect(row_named(page, "结果准确性")).to_have_count(0)
    settled(page)

    quality = row_named(page, "培训合格率")
    quality.get_by_label("指标值", exact=True).fill("≥")
    expect(quality.locator("output[id$=-preview]").locator("..")).to_contain_text("只有比较符")  # as typed
    quality.get_by_role("button", name="保存").click()
    expect(row_named(page, "培训合格率")).to_contain_text("“≥”只有比较符，请在后面写数值和单位")
    settled(page)
    quality = row_named(page, "培训合格率")
    expect(quality.get_by_label("指标值", exact=True)).to_have_value("≥")  # kept as typed
    quality.get_by_label("指标值", exact=True).fill(">=99%")
    save_row(quality, group(page, "质量指标"))

    page.reload()
    header = page.locator("#header")
    expect(header.get_by_label("项目编码")).to_have_value("13099926P000000000042")
    expect(header.get_by_label("项目名称")).to_have_value("全县安全生产专题培训")
    expect(header.get_by_label("预算数", exact=True)).to_have_value("8")
    expect(row_named(page, "培训班期数").locator("output[id$=-preview]")).to_have_text("≥4期")
    expect(row_named(page, "结果准确性")).to_have_count(0)
    expect(row_named(page, "培训合格率").get_by_label("指标值", exact=True)).to_have_value("≥99%")


def test_a_clerk_copies_last_years_table(page, clerk, make_table):
    year = date.today().year
    make_table(year=year - 1, project_name="去年的培训经费")
    login(page, "clerk")
    page.get_by_role("link", name="新建项目绩效目标表").first.click()
    copy_section = page.locator("#copy")
    copy_section.get_by_label("复制到年度").fill(str(year))
    copy_section.get_by_role("button", name="复制上年").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("去年的培训经费")
    expect(page.locator(".crumbs")).to_contain_text(f"{year}年")
    expect(row_named(page, "培训人员人次").locator("output[id$=-preview]")).to_have_text("≥150人次")
    copy = ProjectTable.objects.get(year=year, project_name="去年的培训经费")
    assert copy.indicators.get(name="培训人员人次").prior_value_2 == "≥150人次"

    page.get_by_role("navigation").get_by_role("link", name="我的绩效目标").click()
    expect(page.get_by_role("link", name="去年的培训经费", exact=True)).to_be_visible()



def test_a_clerk_copies_last_years_table_into_the_new_provincial_form(page, clerk, make_table):
    """The province changed its form: 复制上年 into 101号, placing the one indicator it has no category for."""
    year = date.today().year
    make_table(year=year - 1, project_name="去年的培训经费")
    login(page, "clerk")
    page.get_by_role("link", name="新建项目绩效目标表").first.click()
    page.get_by_role("link", name="复制到其他指标体系：去年的培训经费").click()
    page.get_by_label("今年的指标体系").select_option(label="财政部2021年项目支出核心绩效指标体系")
    page.get_by_role("button", name="预览对应关系").click()

    expect(page.locator(".copy-map tbody tr")).to_have_count(9)
    pick = page.get_by_label("“培训经费”归入")
    expect(pick).to_have_value(str(pick.locator("option").first.get_attribute("value")))  # the closest, preselected
    pick.select_option(label="成本指标 / 社会成本指标")
    page.get_by_role("button", name="确认复制").click()

    expect(page.locator("ul.messages")).to_contain_text("“培训经费”（原“产出指标 / 成本指标”）归入“成本指标 / 社会成本指标”")
    copy = ProjectTable.objects.get(year=year, project_name="去年的培训经费")
    assert copy.framework.code == "mof-2021" and copy.indicators.get(name="培训经费").level2.name == "社会成本指标"


NINE_ROWS = [  # the value as typed in the one field; the cost row uses the split controls instead
    ("数量指标", "举办培训期数", "4期以上"),
    ("质量指标", "培训合格率", "≧98％"),
    ("时效指标", "按期完成率", "100%"),
    ("成本指标", "培训经费", None),
    ("经济效益指标", "企业事故损失", "明显下降"),
    ("社会效益指标", "排除安全隐患", "不少于3次"),
    ("生态效益指标", "环境污染事故", "零发生"),
    ("可持续影响指标", "长效机制", "逐步健全"),
    ("服务对象满意度指标", "参训企业满意度", ">=95%"),
]


def test_a_clerk_fills_all_nine_rows_of_a_blank_hebei_table(page, clerk):
    login(page, "clerk")
    page.get_by_role("link", name="新建项目绩效目标表").first.click()
    page.get_by_label("指标体系").select_option(label="河北省项目支出绩效指标体系")
    expect(page.locator("#skeleton")).to_contain_text("服务对象满意度指标")
    page.get_by_label("项目名称").fill("安全生产培训")
    page.get_by_role("button", name="新建项目绩效目标表").click()
    expect(page.locator("form.ind-row.new")).to_have_count(9)

    for level2, name, value in NINE_ROWS:
        scope = group(page, level2)
        row = scope.locator("form.ind-row.new")
        row.get_by_label("三级指标").fill(name)
        row.get_by_label("绩效指标描述").fill(f"{name}的说明")
        if value is None:  # the optional detail: 定量, ≤, 5, 万元
            row.get_by_text("分项填写").click()
            row.get_by_label("指标值类型").select_option("quantitative")
            row.get_by_label("比较符").select_option("≤")
            row.get_by_label("数值").fill("5")
            row.get_by_label("计量单位").fill("万元")
            expect(row.locator("output[id$=-preview]")).to_have_text("≤5万元")
        else:
            row.get_by_label("指标值", exact=True).fill(value)
        row.get_by_label("指标值确定依据").fill("工作计划")
        save_row(row, scope)

    page.reload()
    expect(page.locator("form.ind-row.new")).to_have_count(0)
    expect(page.locator("form.ind-row")).to_have_count(9)
    table = ProjectTable.objects.get(project_name="安全生产培训")
    printed = {i.level2.name: i.value_display for i in table.indicators.all()}
    assert printed == {
        "数量指标": "≥4期", "质量指标": "≥98%", "时效指标": "100%", "成本指标": "≤5万元",
        "经济效益指标": "明显下降", "社会效益指标": "≥3次", "生态效益指标": "零发生",
        "可持续影响指标": "逐步健全", "服务对象满意度指标": "≥95%",
    }  # fmt: skip


def test_the_editor_works_without_javascript(seeded_state, browser, live_server, clerk, make_table):
    """Plain form posts: every change reloads the page, and nothing is lost."""
    table = make_table()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, "clerk", next_url=f"/tables/{table.pk}/")
        row = row_named(page, "培训合格率")
        row.get_by_label("指标值", exact=True).fill("99")
        row.get_by_role("button", name="保存").click()
        expect(row_named(page, "培训合格率").get_by_label("指标值", exact=True)).to_have_value("99")

        row = row_named(page, "培训合格率")
        row.get_by_label("三级指标").fill("")
        row.get_by_role("button", name="保存").click()
        expect(page.get_by_text("请填写三级指标名称")).to_be_visible()

        page.goto(f"/tables/{table.pk}/")
        group(page, "时效指标").get_by_role("button", name="添加指标").click()
        new_row = group(page, "时效指标").locator("form.ind-row.new")
        new_row.get_by_label("三级指标").fill("资金拨付及时率")
        new_row.get_by_label("指标值", exact=True).fill("100%")
        new_row.get_by_role("button", name="保存").click()
        expect(row_named(page, "资金拨付及时率")).to_have_count(1)
        assert table.indicators.get(name="资金拨付及时率").value_display == "100%"
    finally:
        context.close()


def test_a_blank_table_shows_a_checklist_and_an_error_only_where_the_clerk_has_been(page, clerk):
    login(page, "clerk")
    page.get_by_role("link", name="新建项目绩效目标表").first.click()
    page.get_by_label("指标体系").select_option(label="河北省项目支出绩效指标体系")
    page.get_by_label("项目名称").fill("安全生产培训")
    page.get_by_role("button", name="新建项目绩效目标表").click()

    summary = page.locator("#summary")
    expect(summary).to_contain_text("已完成 1/15")
    expect(summary.get_by_role("link", name="项目编码")).to_be_visible()
    expect(page.locator(".problem.error").filter(visible=True)).to_have_count(0)  # no wall of 错误

    code = page.locator("#header").get_by_label("项目编码")
    code.focus()
    code.press("Tab")  # left empty
    expect(page.locator("#header").get_by_text("项目编码未填写")).to_be_visible()
    expect(page.get_by_text("预算数未填写")).to_be_hidden()

    quantity = group(page, "数量指标")
    quantity.get_by_role("button", name="添加指标").click()
    expect(quantity.locator("form.ind-row.new").last.get_by_label("三级指标")).to_be_focused()
