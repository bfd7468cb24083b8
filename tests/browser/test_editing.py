"""Editing that can be trusted, in a real browser (issue 11): two tabs, an expired session,
leaving with unsaved input, an oversized paste."""

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import ProjectTable
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def open_editor(page, table) -> None:
    page.goto(f"/tables/{table.pk}/")
    expect(page.locator("#header")).to_be_visible()


def save_header(page):
    page.locator("#header").get_by_role("button", name="保存", exact=True).click()


def two_tabs_after_tab_a_renamed_the_project(page, table):
    """The clerk has the table open in two tabs, and has changed 项目名称 in the first."""
    login(page, "clerk")
    tab_a, tab_b = page, page.context.new_page()
    open_editor(tab_a, table)
    open_editor(tab_b, table)
    tab_a.locator("#header").get_by_label("项目名称").fill("甲窗口的名称")
    save_header(tab_a)
    expect(tab_a.locator("#header .save-state")).to_contain_text("已保存")
    return tab_b


def test_two_tabs_editing_the_same_field_meet_a_conflict_and_use_mine_saves(page, make_table, clerk):
    table = make_table()
    tab_b = two_tabs_after_tab_a_renamed_the_project(page, table)

    tab_b.locator("#header").get_by_label("项目名称").fill("乙窗口的名称")
    save_header(tab_b)
    conflict = tab_b.locator("#header .conflict")
    expect(conflict).to_contain_text("保存冲突")
    expect(conflict.get_by_role("row", name="项目名称")).to_contain_text("甲窗口的名称")
    expect(conflict.get_by_role("row", name="项目名称")).to_contain_text("乙窗口的名称")
    expect(tab_b.locator("#header").get_by_label("项目名称")).to_have_value("乙窗口的名称")  # kept
    expect(tab_b.locator("#header .save-state")).to_have_text("未保存")

    conflict.get_by_role("button", name="使用我的").click()
    expect(tab_b.locator("#header .save-state")).to_contain_text("已保存")
    expect(tab_b.locator("#header .conflict")).to_have_count(0)
    table.refresh_from_db()
    assert table.project_name == "乙窗口的名称"


def test_two_tabs_editing_different_fields_both_save(page, make_table, clerk):
    table = make_table()
    tab_b = two_tabs_after_tab_a_renamed_the_project(page, table)

    tab_b.locator("#header").get_by_label("资金用途").fill("乙窗口写的用途")
    save_header(tab_b)
    expect(tab_b.locator("#header .save-state")).to_contain_text("已保存")

    expect(tab_b.locator("#header").get_by_label("项目名称")).to_have_value("甲窗口的名称")  # not put back
    table.refresh_from_db()
    assert (table.project_name, table.fund_use) == ("甲窗口的名称", "乙窗口写的用途")


def test_filling_an_empty_field_then_pressing_save_saves_it(page, make_table, clerk):
    # Leaving the field is the press's mousedown: a "not filled yet" message appearing then
    # moved 保存 down under the pointer, and the press was lost (nothing sent, 未保存).
    table = make_table(project_code="")
    login(page, "clerk")
    open_editor(page, table)
    header = page.locator("#header")
    header.get_by_label("项目编码").fill("13099926P000000000009")

    save_header(page)

    expect(header.locator(".save-state")).to_contain_text("已保存")
    table.refresh_from_db()
    assert table.project_code == "13099926P000000000009"


def test_a_field_left_empty_says_it_is_not_filled_yet(page, make_table, clerk):
    table = make_table(project_code="")
    login(page, "clerk")
    open_editor(page, table)
    field = page.locator("#header .field").filter(has=page.get_by_label("项目编码"))
    expect(field.get_by_text("项目编码未填写")).to_be_hidden()

    page.get_by_label("项目编码").focus()
    page.get_by_label("项目名称").focus()  # left empty
    expect(field.get_by_text("项目编码未填写")).to_be_visible()

    page.get_by_label("项目编码").fill("13099926P000000000009")
    page.get_by_label("项目名称").focus()  # filled: the message of the last save is not shown
    expect(field.get_by_text("项目编码未填写")).to_be_hidden()


@pytest.mark.parametrize(
    "cookies",
    [
        "sessionid",  # the session is gone (expired); the CSRF cookie stays
        None,  # the browser's cookies were cleared: the CSRF check refuses first
    ],
)
def test_an_expired_session_keeps_the_typing_and_retry_saves_it_after_signing_in(page, make_table, clerk, cookies):
    table = make_table()
    indicator = table.indicators.get(name="培训人员人次")
    login(page, "clerk")
    open_editor(page, table)
    row = page.locator(f"#ind-{indicator.pk}")
    row.get_by_label("绩效指标描述").fill("会话过期前写的描述")
    page.context.clear_cookies(**({"name": cookies} if cookies else {}))

    row.get_by_role("button", name="保存", exact=True).click()

    banner = page.locator("#save-banner")
    expect(banner).to_contain_text("登录已过期，请在新窗口登录后点击重试")
    expect(row.get_by_label("绩效指标描述")).to_have_value("会话过期前写的描述")
    expect(row.locator(".save-state")).to_have_text("未保存")
    expect(banner.get_by_role("link", name="在新窗口登录")).to_have_attribute("target", "_blank")

    other = page.context.new_page()
    login(other, "clerk")  # signed in again in another tab: a new session and CSRF token
    banner.get_by_role("button", name="重试").click()

    expect(row.locator(".save-state")).to_contain_text("已保存")
    indicator.refresh_from_db()
    assert indicator.description == "会话过期前写的描述"


def test_leaving_with_unsaved_input_asks_first(page, make_table, clerk):
    table = make_table()
    login(page, "clerk")
    open_editor(page, table)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.locator("#header").get_by_label("资金用途").fill("还没保存的用途")
    expect(page.locator("#header .save-state")).to_have_text("未保存")
    page.get_by_role("link", name="我的绩效目标").first.click()

    expect(page.locator("#header").get_by_label("资金用途")).to_have_value("还没保存的用途")
    assert dialogs == ["beforeunload"]


def test_a_one_megabyte_paste_is_refused_with_a_message(page, make_table, clerk):
    table = make_table()
    login(page, "clerk")
    open_editor(page, table)
    fund_use = page.locator("#header").get_by_label("资金用途")

    fund_use.focus()
    fund_use.evaluate(
        """field => {
            const data = new DataTransfer();
            data.setData("text/plain", "长".repeat(1024 * 1024));
            field.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )

    expect(page.locator("#header .paste-refused")).to_contain_text("粘贴的内容有 1048576 字，超过本栏上限 2000 字，未粘贴")
    expect(fund_use).to_have_value(ProjectTable.objects.get(pk=table.pk).fund_use)
