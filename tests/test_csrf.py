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
