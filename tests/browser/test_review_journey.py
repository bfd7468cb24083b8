"""The review journey in a real browser: submit, return with a comment, fix, approve, revise, compare."""

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import ProjectTable, Status
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def sign_in_as(page, username: str, url: str) -> None:
    page.context.clear_cookies()
    login(page, username, next_url=url)
    page.goto(url)


def set_value(page, indicator_pk: int, value: str) -> None:
    row = page.locator(f"#ind-{indicator_pk}")
    row.get_by_label("指标值", exact=True).fill(value)
    row.get_by_role("button", name="保存").click()
    expect(page.locator(f"#ind-{indicator_pk}").get_by_role("status").filter(has_text="已保存")).to_be_visible()


def test_a_table_is_returned_fixed_approved_and_revised(page, make_table, clerk, supervisor, other_clerk):
    table = make_table()
    rate = table.indicators.get(name="培训合格率")
    editor, review_page = f"/tables/{table.pk}/", f"/workflow/table/{table.pk}/"

    # The clerk submits.
    sign_in_as(page, "clerk", editor)
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("status").filter(has_text="已提交，等待审核")).to_be_visible()

    # The supervisor finds it on the desk, comments on one indicator and returns the table.
    sign_in_as(page, "supervisor", "/workflow/")
    page.get_by_role("link", name="安全生产培训经费", exact=True).click()
    row = page.locator(f"#indicator-{rate.pk}")
    row.get_by_text("提意见").click()
    row.get_by_label("对「培训合格率」的审核意见").fill("合格率应不低于99%。")
    row.get_by_role("button", name="保存审核意见").click()
    expect(page.locator(f"#indicator-{rate.pk}")).to_contain_text("合格率应不低于99%。")
    page.get_by_text("退回修改").click()
    page.get_by_label("退回意见（必填）").fill("请按指标意见修改后重新提交。")
    page.get_by_role("button", name="确认退回").click()
    expect(page.get_by_role("status").filter(has_text="已退回")).to_be_visible()

    # The clerk sees the comment beside the indicator's link, fixes the value, resolves, resubmits.
    sign_in_as(page, "clerk", editor)
    expect(page.get_by_text("待处理的审核意见（2 条）")).to_be_visible()
    expect(page.get_by_role("link", name="三级指标「培训合格率」")).to_have_attribute("href", f"#ind-{rate.pk}")
    set_value(page, rate.pk, "≥99%")
    resolve = page.get_by_role("button", name="标记已处理")
    for remaining in (1, 0):
        resolve.first.click()
        expect(resolve).to_have_count(remaining)  # wait for the page that answers the click
    page.reload()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("status").filter(has_text="已提交，等待审核")).to_be_visible()

    # The supervisor approves from the desk, confirming (tests/browser/test_desk.py).
    sign_in_as(page, "supervisor", "/workflow/")
    page.locator(f"#waiting-table-{table.pk}").get_by_role("link", name="审核通过…").click()
    page.get_by_role("button", name="确认审核通过").click()
    expect(page.get_by_role("status").filter(has_text="已审核通过")).to_be_visible()
    table.refresh_from_db()
    assert table.status == Status.APPROVED

    # The clerk opens a revision, changes the value again, and the diff page shows it.
    sign_in_as(page, "clerk", editor)
    page.get_by_role("button", name="调整（打开新版本）").click()
    expect(page.get_by_role("status").filter(has_text="已打开新的调整版本")).to_be_visible()
    revision = ProjectTable.objects.get(previous=table)
    new_rate = revision.indicators.get(name="培训合格率")
    page.goto(f"/tables/{revision.pk}/")
    set_value(page, new_rate.pk, "≥100%")
    page.get_by_role("link", name="版本对比").click()
    expect(page.get_by_text("版本 1 → 版本 2")).to_be_visible()
    changed = page.locator("table.diff tr", has_text="培训合格率")
    expect(changed.locator("del")).to_have_text("≥99%")
    expect(changed.locator("ins")).to_have_text("≥100%")
    diff_url = page.url
    table.refresh_from_db()
    assert table.status == Status.APPROVED  # the approved revision stays as it was

    # A clerk of another unit finds none of it.
    sign_in_as(page, "otherclerk", "/")
    for url in (editor, review_page, f"/workflow/table/{table.pk}/history/", diff_url,
                f"/tables/{revision.pk}/", f"/workflow/table/{revision.pk}/"):
        assert page.goto(url).status == 404, url


def test_a_submit_blocked_by_an_error_stays_in_the_editor_and_links_to_the_field(page, make_table, clerk):
    from decimal import Decimal

    table = make_table(budget_fiscal=Decimal("3.00"))  # 3 + 0 ≠ 5: an error on 预算数
    editor = f"/tables/{table.pk}/"
    sign_in_as(page, "clerk", editor)

    page.get_by_role("button", name="提交审核").click()

    expect(page).to_have_url(f"{page.url.split('/tables/')[0]}{editor}?blocked=submit#submit-blocked")
    blocked = page.locator("#submit-blocked")
    expect(blocked).to_contain_text("未能提交：质量审核发现 1 个错误")
    blocked.get_by_role("link", name="预算数").click()
    expect(page.locator("#id_budget_total")).to_be_in_viewport()
    assert page.url.endswith("#id_budget_total")
    assert ProjectTable.objects.get(pk=table.pk).status == Status.DRAFT
