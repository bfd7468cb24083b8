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
