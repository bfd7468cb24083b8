"""CSRF is enforced: a POST without the page's token is refused (403) and changes nothing.

Django's test client skips CSRF checks unless asked; these tests ask, as a browser would be
checked. The token comes from the page the user has open: the hidden form field, or the
x-csrftoken header htmx sends from <body hx-headers>.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.goals.models import ProjectTable, Status
from perfgoals.workflow.models import Comment
from tests.conftest import PASSWORD


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def form_token(client: Client, url: str) -> str:
    """The token of the first form on the page at `url`."""
    page = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def htmx_token(client: Client, url: str) -> str:
    """The token htmx sends with every request from the page at `url`."""
    page = client.get(url).content.decode()
    return json.loads(re.search(r"<body hx-headers='([^']+)'", page)[1])["x-csrftoken"]


def test_an_edit_without_the_token_is_refused(browser, table, clerk):
    browser.force_login(clerk)
    url = reverse("table_header", args=[table.pk])
    data = {"project_name": "改过的项目名称", "project_code": table.project_code, "budget_total": "5"}

    assert browser.post(url, data, headers={"HX-Request": "true"}).status_code == 403
    assert ProjectTable.objects.get(pk=table.pk).project_name == "安全生产培训经费"

    token = htmx_token(browser, reverse("table_edit", args=[table.pk]))
    response = browser.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    assert ProjectTable.objects.get(pk=table.pk).project_name == "改过的项目名称"


def test_a_transition_without_the_token_is_refused(browser, table, clerk):
    browser.force_login(clerk)
    url = reverse("table_submit", args=[table.pk])

    assert browser.post(url).status_code == 403
    assert ProjectTable.objects.get(pk=table.pk).status == Status.DRAFT

    token = form_token(browser, reverse("workflow_table", args=[table.pk]))
    assert browser.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert ProjectTable.objects.get(pk=table.pk).status == Status.SUBMITTED


def test_a_comment_without_the_token_is_refused(browser, table, clerk, supervisor):
    from perfgoals.workflow import workflow

    workflow.submit(table, clerk)
    browser.force_login(supervisor)
    url = reverse("table_comment_add", args=[table.pk])

    assert browser.post(url, {"text": "请补充依据。"}).status_code == 403
    assert not Comment.objects.exists()

    token = form_token(browser, reverse("workflow_table", args=[table.pk]))
    assert browser.post(url, {"text": "请补充依据。", "csrfmiddlewaretoken": token}).status_code == 302
    assert Comment.objects.get().text == "请补充依据。"


def test_a_token_from_another_session_does_not_do(browser, client, table, clerk, other_clerk):
    client.force_login(other_clerk)
    foreign = htmx_token(client, reverse("home"))
    browser.force_login(clerk)
    own = form_token(browser, reverse("workflow_table", args=[table.pk]))  # the clerk's page sets their cookie
    assert own != foreign

    response = browser.post(reverse("table_submit", args=[table.pk]), {"csrfmiddlewaretoken": foreign})

    assert response.status_code == 403
    assert ProjectTable.objects.get(pk=table.pk).status == Status.DRAFT


def test_a_form_opened_before_signing_in_elsewhere_says_in_chinese_that_the_page_expired(browser, table, clerk):
    browser.force_login(clerk)
    stale = form_token(browser, reverse("workflow_table", args=[table.pk]))
    # Signed in again in another tab: signing in gives the browser a new token.
    login = {"username": clerk.username, "password": PASSWORD, "csrfmiddlewaretoken": form_token(browser, reverse("login"))}
    assert browser.post(reverse("login"), login).status_code == 302

    response = browser.post(reverse("table_submit", args=[table.pk]), {"csrfmiddlewaretoken": stale})

    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，未保存" in page and "返回我的绩效目标" in page
    assert "CSRF" not in page and "Cookie" in page
    assert ProjectTable.objects.get(pk=table.pk).status == Status.DRAFT


def test_an_editor_save_after_the_cookies_were_cleared_asks_to_sign_in_again(browser, table):
    # Signed out and no CSRF cookie: what a clerk meets whose browser data was cleared mid-edit.
    url = reverse("table_header", args=[table.pk])
    data = {"project_name": "改过的项目名称", "project_code": table.project_code, "budget_total": "5"}

    response = browser.post(url, data, headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.content.decode().startswith("登录已过期，请在新窗口登录后点击重试")
    assert ProjectTable.objects.get(pk=table.pk).project_name == "安全生产培训经费"


def test_an_editor_save_with_a_lost_token_while_signed_in_says_the_page_expired(browser, table, clerk):
    browser.force_login(clerk)
    url = reverse("table_header", args=[table.pk])
    data = {"project_name": "改过的项目名称", "project_code": table.project_code, "budget_total": "5"}

    response = browser.post(url, data, headers={"HX-Request": "true"})

    assert response.status_code == 403 and response["Content-Type"].startswith("text/plain")
    assert "页面已过期" in response.content.decode() and "您填写的内容仍在页面上" in response.content.decode()
    assert ProjectTable.objects.get(pk=table.pk).project_name == "安全生产培训经费"
