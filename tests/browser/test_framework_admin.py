"""Done when (issue 13): an administrator creates a new framework and print layout entirely in
the admin, a clerk writes a table in it, and the PDF shows the new columns — no code change."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from perfgoals.frameworks.models import Framework
from perfgoals.goals.models import ProjectTable
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def add_inline_row(page, prefix: str) -> int:
    """Click the inline's 添加另一个… link; the new row's number."""
    count = int(page.locator(f"input[name={prefix}-TOTAL_FORMS]").input_value())
    page.locator(f"#{prefix}-group .add-row a").click()
    expect(page.locator(f"input[name={prefix}-{count}-order], select[name={prefix}-{count}-key]").first).to_be_attached()
    return count


def test_an_administrator_defines_a_framework_and_a_clerk_prints_a_table_in_it(page, admin_user, clerk):
    login(page, "admin", next_url="/admin/")
    # The print layout.
    page.goto("/admin/frameworks/printlayout/add/")
    page.fill("input[name=code]", "shandong-2026")
    page.fill("input[name=name]", "山东项目支出绩效目标表")
    page.select_option("select[name=template]", "generic")
    page.fill("input[name=title_pattern]", "{year}年度{project_name}绩效目标申报表")
    page.fill("input[name=unit_line]", "金额单位：{amount_unit}")
    page.select_option("select[name=orientation]", "landscape")
    page.fill("textarea[name=footer_lines]", "填表人：\n单位负责人签字：")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()

    # The framework: columns, horizons, money block, header fields, level-1 categories.
    page.goto("/admin/frameworks/framework/add/")
    page.fill("input[name=code]", "shandong-2026")
    page.fill("input[name=name]", "山东省2026年项目支出绩效指标体系")
    page.select_option("select[name=layout]", label="山东项目支出绩效目标表")
    page.select_option("select[name=horizons]", "annual")
    page.fill("textarea[name=money_sources]", "一般公共预算\n政府性基金")
    page.select_option("select[name=amount_unit]", "万元")
    page.get_by_label("项目负责人").check()
    for order, name in enumerate(["产出指标", "满意度指标"]):
        n = add_inline_row(page, "levels1")
        page.fill(f"input[name=levels1-{n}-order]", str(order))
        page.fill(f"input[name=levels1-{n}-name]", name)
    columns = [("level1", "", 12), ("level2", "", 14), ("name", "", 22), ("value", "目标值", 14),
               ("scoring", "评（扣）分标准", 24), ("remark", "备注", 14)]
    for order, (key, heading, width) in enumerate(columns):
        n = add_inline_row(page, "columns")
        page.fill(f"input[name=columns-{n}-order]", str(order))
        page.select_option(f"select[name=columns-{n}-key]", key)
        page.fill(f"input[name=columns-{n}-heading]", heading)
        page.fill(f"input[name=columns-{n}-width]", str(width))
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")

    # Level-2 categories, on each level-1's page.
    for level1, level2s in [("产出指标", ["数量指标", "质量指标"]), ("满意度指标", ["服务对象满意度指标"])]:
        framework = Framework.objects.get(code="shandong-2026")
        page.goto(f"/admin/frameworks/level1/?framework__id__exact={framework.pk}")
        page.locator("#result_list").get_by_role("link", name=level1, exact=True).click()
        for order, name in enumerate(level2s):
            n = add_inline_row(page, "levels2")
            page.fill(f"input[name=levels2-{n}-order]", str(order))
            page.fill(f"input[name=levels2-{n}-name]", name)
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist")).to_be_visible()

    # A clerk writes a table in it.
    page.context.clear_cookies()
    login(page, "clerk")
    page.get_by_role("link", name="新建项目绩效目标表").first.click()
    page.get_by_label("指标体系").select_option(label="山东省2026年项目支出绩效指标体系")
    page.get_by_label("项目名称").fill("农村供水保障")
    page.get_by_role("button", name="新建项目绩效目标表").click()
    header = page.locator("#header")
    header.get_by_label("一般公共预算").fill("80")
    header.get_by_label("政府性基金").fill("20")
    header.get_by_label("项目负责人").fill("李明")
    header.get_by_role("button", name="保存").click()
    expect(header.get_by_role("status")).to_contain_text("已保存")

    scope = page.get_by_role("group", name="数量指标", exact=True)
    scope.get_by_role("button", name="添加指标").click()
    row = scope.locator("form.ind-row.new")
    row.get_by_label("三级指标").fill("新建供水管网长度")
    row.get_by_label("指标值", exact=True).fill("≥12公里")
    row.get_by_label("评（扣）分标准").fill("每少1公里扣2分")
    row.get_by_label("备注").fill("按竣工验收计")
    expect(row.locator(".htmx-request")).to_have_count(0)
    row.get_by_role("button", name="保存").click()
    expect(scope.get_by_role("status").filter(has_text="已保存").first).to_be_visible()

    table = ProjectTable.objects.get(project_name="农村供水保障")
    response = page.request.get(f"/print/table/{table.pk}.pdf")
    assert response.ok
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).replace("\n", "").replace(" ", "")
    for needle in [f"{table.year}年度农村供水保障绩效目标申报表", "金额单位：万元", "项目负责人", "李明", "一般公共预算", "80.00",
                   "政府性基金", "目标值", "评（扣）分标准", "备注", "新建供水管网长度", "≥12公里", "每少1公里扣2分",
                   "按竣工验收计", "填表人：", "单位负责人签字："]:
        assert needle in text, needle
