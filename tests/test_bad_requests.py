"""Crafted parameters are answered 400 with a Chinese page (or ignored, for a filter), never
500; a refused request (400, 403) is logged in one line, without a traceback."""

import logging

import pytest
from django.urls import reverse

from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.lib.params import to_int
from perfgoals.workflow.models import Comment

HTMX = {"HTTP_HX_REQUEST": "true"}
HUGE = "9" * 30  # past 64 bits: overflows SQLite
SUPERSCRIPT = "²"  # str.isdigit() says yes, int() says no


@pytest.fixture
def plan(unit):
    return DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="提升招商引资质量。")


def bad_request(response) -> bool:
    return response.status_code == 400 and "请求有误" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 12 ", 12), ("0", 0), (SUPERSCRIPT, None), ("١٢", None), ("-1", None), ("1e3", None),
     (HUGE, None), (str(2**63 - 1), 2**63 - 1), (str(2**63), None), ("", None), (None, None), (7, 7)],
)  # fmt: skip
def test_numbers_in_parameters_are_read_strictly(text, number):
    assert to_int(text) == number


@pytest.mark.parametrize("prefix", ["a\r\nX-Injected: 1", "ind-1\n", "x, body", "#grid", "1abc", "a" * 41])
def test_a_crafted_row_prefix_is_a_400(client, clerk, table, prefix):
    client.force_login(clerk)
    indicator = table.indicators.first()
    create = client.post(reverse("indicator_create", args=[table.pk]),
                         {"prefix": prefix, "level2": indicator.level2_id, "name": ""}, **HTMX)  # fmt: skip
    assert bad_request(create)
    fill = client.post(reverse("indicator_fill", args=[table.pk]), {"prefix": prefix, "source": "1"}, **HTMX)
    assert bad_request(fill)
    suggest = client.get(reverse("indicator_suggest"), {"prefix": prefix, "name": "培训"}, **HTMX)
    assert bad_request(suggest)


def test_the_editors_own_prefixes_still_work(client, clerk, table):
    client.force_login(clerk)
    indicator = table.indicators.first()
    response = client.post(reverse("indicator_create", args=[table.pk]),
                           {"prefix": "new-12-a1b2c3", "level2": indicator.level2_id, "name": ""}, **HTMX)  # fmt: skip
    assert response.status_code == 200 and response["HX-Retarget"] == "#new-12-a1b2c3"


def test_a_comment_on_a_row_of_the_wrong_kind_is_a_400(client, supervisor, table, plan):
    for doc in (table, plan):
        type(doc).objects.filter(pk=doc.pk).update(status=Status.SUBMITTED)
    client.force_login(supervisor)
    indicator = table.indicators.first()
    for url, target in [
        (reverse("plan_comment_add", args=[plan.pk]), f"indicator:{indicator.pk}"),  # a table's row on a plan
        (reverse("plan_comment_add", args=[plan.pk]), f"goal:{table.goals.first().pk}"),
        (reverse("table_comment_add", args=[table.pk]), "plan_indicator:1"),
        (reverse("table_comment_add", args=[table.pk]), f"goal:{SUPERSCRIPT}"),
        (reverse("table_comment_add", args=[table.pk]), f"goal:{HUGE}"),
        (reverse("table_comment_add", args=[table.pk]), "unit:1"),
    ]:
        assert bad_request(client.post(url, {"text": "请核对。", "target": target})), target
    assert not Comment.objects.exists()
    # A row of the right kind that is not this table's: not found, as before.
    other = ProjectTable.objects.filter(is_template=True).first().indicators.first()
    url = reverse("table_comment_add", args=[table.pk])
    assert client.post(url, {"text": "请核对。", "target": f"indicator:{other.pk}"}).status_code == 404
    assert client.post(url, {"text": "请核对。", "target": f"indicator:{indicator.pk}"}).status_code == 302
    assert Comment.objects.get().indicator == indicator


def test_odd_numbers_in_query_strings_are_no_500(client, clerk, supervisor, table):
    client.force_login(clerk)
    for url, params in [
        (reverse("template_library"), {"unit": HUGE, "framework": SUPERSCRIPT}),
        (reverse("home"), {"year": SUPERSCRIPT}),
        (reverse("table_edit", args=[table.pk]), {"add": HUGE}),
        (reverse("export_json"), {"year": SUPERSCRIPT}),
        (reverse("review_report"), {"year": SUPERSCRIPT}),
    ]:
        assert client.get(url, params).status_code == 200, url  # an odd filter is no filter
    assert client.get(reverse("table_diff", args=[table.pk]), {"a": SUPERSCRIPT}).status_code == 404
    response = client.post(reverse("import_document"), {"unit": SUPERSCRIPT, "year": "2026", "action": "preview"})
    assert response.status_code == 200  # the form says what is wrong
    client.force_login(supervisor)
    assert client.get(reverse("desk"), {"year": SUPERSCRIPT}).status_code == 200


def test_a_nul_character_in_a_parameter_is_a_400(client, clerk, table):
    client.force_login(clerk)
    assert bad_request(client.get(reverse("review_report"), {"unit": "32\x001"}))
    assert bad_request(client.get(reverse("home"), {"q": "培训\x00"}))
    data = {"project_name": "名称\x00", "project_code": table.project_code, "budget_total": "5"}
    assert bad_request(client.post(reverse("table_header", args=[table.pk]), data))


def test_refusals_are_logged_in_one_line(client, clerk, supervisor, table, caplog):
    """A 403 (permission denied) and a 400 are one log line each, not a traceback."""
    client.force_login(supervisor)  # a supervisor may not edit
    with caplog.at_level(logging.WARNING):
        assert client.post(reverse("table_header", args=[table.pk]), {"project_name": "x"}).status_code == 403
        client.force_login(clerk)
        assert client.post(reverse("indicator_fill", args=[table.pk]), {"prefix": "a\nb"}, **HTMX).status_code == 400
    records = [r for r in caplog.records if r.name.startswith("django.")]
    assert [r.status_code for r in records] == [403, 400]
    assert all(r.exc_info is None and r.exc_text is None for r in records)
    assert "Traceback" not in caplog.text
    assert "Forbidden (Permission denied): /tables/" in caplog.text and "prefix is not a row id: /tables/" in caplog.text


def test_a_server_error_keeps_its_traceback():
    from perfgoals.lib.logs import OneLineForRefusals

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())  # fmt: skip
    record.status_code = 500
    assert OneLineForRefusals().filter(record) and record.exc_info is not None
