"""Tried as a new clerk would (issue 11, done when): from a seed template to a submitted table
with the name, code, money, spending plan and three indicators changed in at most 30 actions,
each click, fill and press counted."""

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import ProjectTable, Status
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

MOST_ACTIONS = 30


class Counted:
    """The clerk's hands: every click, fill and press goes through here and is counted,
    and so is each answer to a browser dialog."""

    def __init__(self, page):
        self.page, self.count = page, 0
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.count += 1
        dialog.accept()

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text: str):
        self.count += 1
        locator.fill(text)

    def press(self, locator, key: str):
        self.count += 1
        locator.press(key)


def settled(page) -> None:
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)  # no eval: the CSP refuses it


def test_from_a_seed_template_to_a_submitted_table_in_at_most_30_actions(page, clerk):
    login(page, "clerk")
    do = Counted(page)
    do.click(page.get_by_role("navigation").get_by_role("link", name="模板库"))
    do.fill(page.get_by_label("项目名称或指标"), "安全生产培训")
    do.press(page.get_by_label("项目名称或指标"), "Enter")
    do.click(page.get_by_role("button", name="使用此模板").first)
    expect(page.get_by_role("heading", level=1)).to_contain_text("安全生产培训经费")

    header = page.locator("#header")
    do.fill(header.get_by_label("项目编码"), "13099926P000000000077")
    do.fill(header.get_by_label("项目名称"), "2026年安全生产专题培训")
    do.fill(header.get_by_label("预算数", exact=True), "500000元")
    do.fill(header.get_by_label("财政资金"), "50万")
    do.fill(header.get_by_label("其他资金"), "0")
    for month, share in (("3月底", "20%"), ("6月底", "50%"), ("10月底", "80%"), ("12月底", "100%")):
        do.fill(header.get_by_label(month), share)
    do.click(header.get_by_role("button", name="保存"))
    expect(page.locator("#header").get_by_role("status")).to_contain_text("已保存")
    expect(page.locator("#header")).to_contain_text("已按 500000元 = 50.00万元 换算")
    settled(page)

    for name, value in (("培训人员人次", "不少于200人次"), ("培训合格率", "≥99%"), ("培训按期完成率", "100%")):
        row = page.locator(f'form.ind-row:has(input[name=name][value="{name}"])')
        do.fill(row.get_by_label("指标值", exact=True), value)
        do.click(row.get_by_role("button", name="保存"))
        expect(row.get_by_role("status").filter(has_text="已保存")).to_be_visible()
        settled(page)

    do.click(page.get_by_role("button", name="提交审核"))
    expect(page.get_by_role("status").filter(has_text="已提交，等待审核")).to_be_visible()

    table = ProjectTable.objects.get(project_code="13099926P000000000077")
    assert table.status == Status.SUBMITTED and table.project_name == "2026年安全生产专题培训"
    assert (table.budget_total, table.budget_fiscal, table.budget_other) == (50, 50, 0)
    assert table.spending_plan == [20, 50, 80, 100]
    values = {i.name: i.value_display for i in table.indicators.all()}
    assert values["培训人员人次"] == "≥200人次" and values["培训合格率"] == "≥99%" and values["培训按期完成率"] == "100%"
    print(f"\n{do.count} actions from the template library to a submitted table")
    assert do.count <= MOST_ACTIONS
