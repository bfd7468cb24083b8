"""The import page in a browser: a pasted table with a category the framework lacks, picked, then confirmed."""

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import ProjectTable
from tests.browser.conftest import login
from tests.test_exchange_import import UNKNOWN_CATEGORY

pytestmark = pytest.mark.browser


def test_a_clerk_picks_the_category_of_a_merged_name_in_the_preview_and_imports(page, clerk, unit, hebei):
    login(page, "clerk", next_url="/exchange/import/")
    page.goto("/exchange/import/")
    page.select_option("select[name=framework]", str(hebei.pk))
    page.fill("textarea[name=text]", UNKNOWN_CATEGORY)
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("heading", name="选择指标类别")).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    page.get_by_label("“效果指标 / 社会、经济、生态效益指标”导入为").select_option(label="效益指标 / 社会效益指标（接近）")
    page.get_by_role("button", name="按所选类别重新预览").click()
    expect(page.get_by_text("按所选，表中为“社会、经济、生态效益指标”")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="社区服务")).to_be_visible()
    table = ProjectTable.objects.get(unit=unit, project_name="社区服务")
    assert table.indicators.get(name="居民获得感").level2.name == "社会效益指标"


WEB_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>项目支出绩效目标表</title></head>
<body><h2>2024年项目支出绩效目标表</h2>
<table border="1" cellspacing="0" id="goals">
 <tr><td>项目名称</td><td colspan="3">社区图书室建设</td></tr>
 <tr><td colspan="4">（2024年度）</td></tr>
 <tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th></tr>
 <tr><td rowspan="3">产出指标</td><td rowspan="2">数量指标</td><td>新增图书</td><td>≥2000册</td></tr>
 <tr><td>新增座位</td><td>不少于40个</td></tr>
 <tr><td>时效指标</td><td>完工时间</td><td>12月底前</td></tr>
 <tr><td>满意度指标</td><td>服务对象满意度指标</td><td>读者满意度</td><td>≧90%</td></tr>
</table></body></html>"""


def test_a_table_copied_from_a_web_page_is_pasted_into_the_import_page_with_its_merged_cells(page, clerk, unit,
                                                                                            tmp_path):
    web_page = tmp_path / "公开.html"
    web_page.write_text(WEB_PAGE, encoding="utf-8")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, "clerk", next_url="/exchange/import/")
    source = page.context.new_page()
    source.goto(web_page.as_uri())
    source.evaluate("""() => {
        const range = document.createRange();
        range.selectNode(document.getElementById("goals"));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    source.keyboard.press("Control+C")  # a real copy: text/plain loses the merged cells, text/html keeps them

    page.goto("/exchange/import/")
    page.locator("textarea[name=text]").focus()
    page.keyboard.press("Control+V")
    assert "rowspan" in page.locator("#id_html").input_value()
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_text("将新建 1 张项目表、4 项指标。")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="社区图书室建设")).to_be_visible()
    table = ProjectTable.objects.get(unit=unit, project_name="社区图书室建设")
    assert table.year == 2024
    assert [(i.level2.name, i.name, i.value_display) for i in table.indicators.select_related("level2")] == [
        ("数量指标", "新增图书", "≥2000册"), ("数量指标", "新增座位", "≥40个"), ("时效指标", "完工时间", "12月底前"),
        ("服务对象满意度指标", "读者满意度", "≥90%")]
