"""The smallest walk through the product in a real browser: sign in."""

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_the_login_page_is_in_chinese(page):
    page.goto("/accounts/login/")

    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "预算绩效目标管理" in page.title()
    form_text = page.locator("form").filter(has=page.locator("input[name=password]")).inner_text()
    assert "用户名" in form_text
    assert "密码" in form_text


def test_a_clerk_signs_in(page, clerk):
    login(page, "clerk")

    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert "sessionid" in cookies
    assert page.locator("input[name=password]").count() == 0


def test_a_wrong_password_keeps_the_clerk_out(page, clerk):
    login(page, "clerk", password="not-the-password")

    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert "sessionid" not in cookies
    assert page.locator("input[name=password]").count() == 1
