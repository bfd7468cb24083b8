"""Structured logs: every line of a request carries its id, which the response returns in
X-Request-ID; an id from the proxy is kept when well formed and replaced otherwise; a line
is one line (key=value or JSON) even with a traceback; a task's lines carry the id of the
request that queued it."""

import json
import logging
import re

import pytest
from django.urls import reverse

from perfgoals import celery as celery_app
from perfgoals.lib import logs
from perfgoals.printing import tasks

NGINX_ID = "0f3c9a1b2d4e5f60718293a4b5c6d7e8"  # nginx's $request_id: 32 hex digits
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def table(make_table):
    return make_table()


def lines(caplog, formatter=None) -> list[str]:
    formatter = formatter or logs.TextFormatter()
    return [formatter.format(record) for record in caplog.records]


def test_every_line_of_a_request_and_its_response_share_one_id(client, supervisor, table, caplog):
    client.force_login(supervisor)  # a supervisor may not edit: a 403, logged
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("table_header", args=[table.pk]), {"project_name": "x"})
    assert response.status_code == 403
    rid = response["X-Request-ID"]
    assert GENERATED.fullmatch(rid)
    logged = lines(caplog)
    assert logged and all(f"request_id={rid} " in line for line in logged)
    assert any("Forbidden (Permission denied)" in line for line in logged)


def test_two_requests_get_two_ids(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("home"))["X-Request-ID"] != client.get(reverse("home"))["X-Request-ID"]


def test_the_proxys_well_formed_id_is_kept(client, supervisor, table, caplog):
    client.force_login(supervisor)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("table_header", args=[table.pk]), {"project_name": "x"},
                               HTTP_X_REQUEST_ID=NGINX_ID)  # fmt: skip
    assert response["X-Request-ID"] == NGINX_ID
    assert all(f"request_id={NGINX_ID} " in line for line in lines(caplog))


@pytest.mark.parametrize(
    "crafted",
    ["abcdef12\r\nSet-Cookie: sessionid=stolen", "abcdef12\nX-Injected: 1", "a" * 1024, "abc def 123456",
     '"quoted"-id-1234', "short", "abcdef12\x00"],
)  # fmt: skip
def test_a_crafted_id_is_replaced_never_echoed(client, supervisor, table, caplog, crafted):
    client.force_login(supervisor)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("table_header", args=[table.pk]), {"project_name": "x"},
                               HTTP_X_REQUEST_ID=crafted)  # fmt: skip
    rid = response["X-Request-ID"]
    assert GENERATED.fullmatch(rid)
    assert "Set-Cookie" not in str(response.serialize_headers()) and "X-Injected" not in str(response.serialize_headers())
    logged = lines(caplog)
    assert logged and all(f"request_id={rid} " in line and crafted not in line for line in logged)


def test_a_line_with_a_traceback_stays_one_line_in_either_format():
    try:
        raise ValueError('a "quoted"\nmessage')
    except ValueError:
        record = logging.LogRecord("perfgoals.x", logging.ERROR, __file__, 1, "failed: %s", ("单位 321001",), True)
        import sys

        record.exc_info = sys.exc_info()
    token = logs.request_id.set(NGINX_ID)
    try:
        logs.WithRequestId().filter(record)
    finally:
        logs.request_id.reset(token)
    text = logs.TextFormatter().format(record)
    assert "\n" not in text
    assert f"level=ERROR logger=perfgoals.x request_id={NGINX_ID} msg=\"failed: 单位 321001\" exc=" in text
    assert "ValueError" in text
    as_json = logs.JsonFormatter().format(record)
    assert "\n" not in as_json
    fields = json.loads(as_json)
    assert fields["request_id"] == NGINX_ID and fields["msg"] == "failed: 单位 321001"
    assert fields["level"] == "ERROR" and "ValueError: a \"quoted\"\nmessage" in fields["exc"]


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("perfgoals.x", logging.INFO, __file__, 1, "start", (), None)
    logs.WithRequestId().filter(record)
    assert " request_id=- msg=start" in logs.TextFormatter().format(record)


def test_a_task_queued_by_a_request_logs_with_that_requests_id():
    """What a worker does with a message: the request's id travels in the message's headers."""
    headers = {}
    token = logs.request_id.set(NGINX_ID)
    try:
        celery_app._send_the_request_id(headers=headers)
    finally:
        logs.request_id.reset(token)
    assert headers == {"request_id": NGINX_ID}

    task = tasks.prepare_document
    task.push_request(id="task-1", request_id=headers["request_id"])
    try:
        celery_app._log_with_the_request_id(task_id="task-1", task=task)
        assert logs.request_id.get() == NGINX_ID
        celery_app._forget_the_request_id(task_id="task-1")
    finally:
        task.pop_request()
    assert logs.request_id.get() == "-"


def test_a_task_sent_from_no_request_logs_with_its_own_id():
    task = tasks.prepare_document
    task.push_request(id="7c1e2f3a-0000-4000-8000-000000000001")
    try:
        celery_app._log_with_the_request_id(task_id=task.request.id, task=task)
        assert logs.request_id.get() == task.request.id
        celery_app._forget_the_request_id(task_id=task.request.id)
    finally:
        task.pop_request()
