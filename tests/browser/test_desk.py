"""The supervisor's desk in a real browser: approving from the list goes through a confirmation
that names the project, the year and the amount, so the 2025 and 2026 tables of one project
cannot be mistaken for each other."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import ProjectTable, Status
from perfgoals.workflow import workflow
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_approving_from_the_desk_confirms_project_year_and_amount(page, make_table, clerk, supervisor):
    last_year = workflow.submit(make_table(year=2025, budget_total=Decimal("6.00"), budget_fiscal=Decimal("6.00")), clerk)
    this_year = workflow.submit(make_table(year=2026), clerk)
    login(page, "supervisor", next_url="/workflow/")

    row = page.locator(f"#waiting-table-{this_year.pk}")
    expect(row).to_contain_text("2026")
    expect(page.locator(f"#waiting-table-{last_year.pk}")).to_contain_text("2025")
    expect(row.get_by_role("button", name="审核通过")).to_have_count(0)  # no one-click approval in the list
    row.get_by_role("link", name="审核通过…").click()

    expect(page.get_by_role("heading", name="确认审核通过")).to_be_visible()
    expect(page.locator(".confirm-name")).to_have_text("《安全生产培训经费》")
    expect(page.locator(".confirm-year")).to_have_text("2026 年度")
    expect(page.locator(".confirm-amount")).to_contain_text("5 万元")
    assert ProjectTable.objects.get(pk=this_year.pk).status == Status.SUBMITTED  # nothing approved yet

    page.get_by_role("button", name="确认审核通过").click()

    expect(page.get_by_role("status").filter(has_text="已审核通过")).to_be_visible()
    expect(page.get_by_role("heading", name="待我审核")).to_be_visible()  # back on the desk
    expect(page.locator(f"#waiting-table-{this_year.pk}")).to_have_count(0)
    expect(page.locator(f"#waiting-table-{last_year.pk}")).to_be_visible()
    assert ProjectTable.objects.get(pk=this_year.pk).status == Status.APPROVED
    assert ProjectTable.objects.get(pk=last_year.pk).status == Status.SUBMITTED


def test_cancelling_the_confirmation_approves_nothing(page, make_table, clerk, supervisor):
    table = workflow.submit(make_table(), clerk)
    login(page, "supervisor", next_url="/workflow/")

    page.locator(f"#waiting-table-{table.pk}").get_by_role("link", name="审核通过…").click()
    page.get_by_role("link", name="取消").click()

    expect(page.get_by_role("heading", name="待我审核")).to_be_visible()
    assert ProjectTable.objects.get(pk=table.pk).status == Status.SUBMITTED
