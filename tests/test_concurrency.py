"""Requests at the same moment, in threads, each with its own database connection.

Two supervisors, two tabs, an edit and a submit: each test starts its requests together
(a threading.Barrier) and checks what the workflow promises: one state change and one
audit entry, the loser told in Chinese what happened; an edit lands before the submit or
is refused, never after it. No sleeping: whichever thread wins, the assertions hold.

These are transactional tests (each thread commits for real); the seeded start state is
loaded back after each (`seeded_state`, tests/conftest.py).

They need PostgreSQL, where a transition or an edit waits for the document's row lock.
SQLite's in-memory test database (a shared cache) answers a second writer at once with
"database table is locked" instead of waiting, so two requests at once cannot both run
there; those tests are skipped on SQLite (the same rules are checked one request after
another in tests/test_workflow.py, on both databases).
"""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from perfgoals.goals.models import Indicator, ProjectTable, Status
from perfgoals.review.models import KeptHint
from perfgoals.review.outcome import review_document
from perfgoals.units.models import Membership
from perfgoals.workflow import workflow
from perfgoals.workflow.models import Comment
from tests.conftest import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks: SQLite's in-memory test database refuses a second writer "
        "('database table is locked') instead of waiting, so requests at once cannot both run",
    ),
]


@pytest.fixture(autouse=True)
def _restored(seeded_state):
    """The seeded state is loaded back after each of these tests (see tests/conftest.py)."""


def at_once(*jobs):
    """Run each job in a thread of its own, all released together; their results in order.

    Each thread has its own database connection, closed when the thread ends."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except BaseException as e:  # reported by the assertion below
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reasons(doc) -> list[str]:
    return [r.history_change_reason for r in type(doc).history.filter(id=doc.pk).order_by("history_id")
            if r.history_change_reason]  # fmt: skip


def message(client: Client, response) -> str:
    """The page a redirect leads to, with the message the action left."""
    assert response.status_code == 302, response.status_code
    return client.get(response.url).content.decode()


@pytest.fixture
def submitted(make_table, clerk):
    return workflow.submit(make_table(), clerk)


@pytest.fixture
def second_supervisor(unit):
    return make_user("supervisor2", unit, Membership.SUPERVISOR)


def test_an_approval_and_a_return_at_once_give_one_state_change(submitted, supervisor, second_supervisor):
    approving, returning = signed_in(supervisor), signed_in(second_supervisor)

    approved, returned = at_once(
        lambda: approving.post(reverse("table_approve", args=[submitted.pk])),
        lambda: returning.post(reverse("table_return", args=[submitted.pk]), {"comment": "请补充成本测算依据。"}),
    )

    submitted.refresh_from_db()
    if submitted.status == Status.APPROVED:
        assert reasons(submitted) == ["提交", "通过"]
        assert returned.status_code == 200
        assert "退回未执行：该绩效目标表已由supervisor于" in returned.content.decode()
        assert not Comment.objects.exists()
    else:
        assert submitted.status == Status.RETURNED
        assert reasons(submitted) == ["提交", "退回：请补充成本测算依据。"]
        assert "审核通过未执行：该绩效目标表已被退回" in message(approving, approved)
        assert Comment.objects.count() == 1


def test_two_approvals_at_once_give_one_audit_entry(submitted, supervisor, second_supervisor):
    clients = {supervisor.username: signed_in(supervisor), second_supervisor.username: signed_in(second_supervisor)}

    responses = dict(zip(clients, at_once(
        *[lambda c=c: c.post(reverse("table_approve", args=[submitted.pk])) for c in clients.values()])))

    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert reasons(submitted) == ["提交", "通过"]
    winner = submitted.approved_by.username
    loser = next(name for name in clients if name != winner)
    assert f"审核通过未执行：该绩效目标表已由{winner}于" in message(clients[loser], responses[loser])


def test_two_submissions_at_once_give_one_audit_entry(make_table, clerk):
    table = make_table()
    tabs = [signed_in(clerk), signed_in(clerk)]

    responses = at_once(*[lambda c=c: c.post(reverse("table_submit", args=[table.pk])) for c in tabs])

    table.refresh_from_db()
    assert table.status == Status.SUBMITTED
    assert reasons(table) == ["提交"]
    pages = [message(tab, response) for tab, response in zip(tabs, responses)]
    assert sum("提交未执行：该绩效目标表已由clerk于" in page for page in pages) == 1


# An edit racing a submit: the edit lands before the submit, or it is refused (403).


def indicator_edit(table) -> tuple[str, dict, callable]:
    """A change of one indicator's description through the editor's URL."""
    indicator = table.indicators.get(name="培训人员人次")
    data = {
        "level2": indicator.level2_id, "name": indicator.name, "description": "按实际参训人次统计",
        "value_kind": "quantitative", "operator": "≥", "number": "150", "unit": "人次", "text": "",
        "basis": indicator.basis,
    }  # fmt: skip

    def saved_at():
        """When the change was saved, or None if it was not."""
        records = Indicator.history.filter(id=indicator.pk, description="按实际参训人次统计")
        return records.values_list("history_date", flat=True).first()

    return reverse("indicator_update", args=[table.pk, indicator.pk]), data, saved_at


def kept_hint(table) -> tuple[str, dict, callable]:
    """Keeping a hint (保留提示) through the review page's URL: the clerk's decision, while editable."""
    indicator = table.indicators.get(level2__name="成本指标")
    Indicator.objects.filter(pk=indicator.pk).update(description=indicator.name)  # a hint, not an error
    table = ProjectTable.objects.get(pk=table.pk)
    item = next(i for i in review_document(table).items if i.problem.code == "TEXT_DESCRIPTION_IS_NAME")
    p = item.problem
    data = {"code": p.code, "target": p.target, "field": p.field, "object_id": p.object_id or "", "reason": "按文件口径"}

    def saved_at():
        return KeptHint.objects.filter(table=table).values_list("created", flat=True).first()

    return reverse("review_table_keep", args=[table.pk]), data, saved_at


EDITS = {"indicator_update": indicator_edit, "review_table_keep": kept_hint}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_racing_a_submit_lands_before_it_or_is_refused(make_table, clerk, edit):
    table = make_table()
    url, data, saved_at = EDITS[edit](table)
    editing, submitting = signed_in(clerk), signed_in(clerk)

    edited, submitted = at_once(
        lambda: editing.post(url, data, headers={"HX-Request": "true"}),
        lambda: submitting.post(reverse("table_submit", args=[table.pk])),
    )

    table.refresh_from_db()
    assert submitted.status_code == 302 and table.status == Status.SUBMITTED
    if edited.status_code == 403:
        assert saved_at() is None
    else:
        assert edited.status_code == 200
        assert saved_at() is not None and saved_at() < table.submitted_at


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_holds_the_documents_lock_until_it_is_saved(make_table, clerk, edit):
    """Deterministic: at the moment the edit saves, nobody else can lock the document, so no
    submit can come between the edit's check of the state and its save."""
    table = make_table()
    url, data, _ = EDITS[edit](table)
    editing = signed_in(clerk)
    probes = []

    def try_to_lock():
        try:
            with transaction.atomic():
                list(ProjectTable.objects.select_for_update(nowait=True).filter(pk=table.pk))
            return "free"
        except DatabaseError:
            return "locked"

    def probe(sender, instance, **kwargs):
        probes.extend(at_once(try_to_lock))

    model = {"indicator_update": Indicator, "review_table_keep": KeptHint}[edit]
    post_save.connect(probe, sender=model, dispatch_uid="lock-probe")
    try:
        response = editing.post(url, data, headers={"HX-Request": "true"})
    finally:
        post_save.disconnect(dispatch_uid="lock-probe", sender=model)

    assert response.status_code == 200
    assert probes and set(probes) == {"locked"}


# Rows added at once: each gets its own order number (computed under the document's row lock).


@pytest.mark.parametrize("kind", ["goal", "indicator"])
def test_rows_added_at_once_get_distinct_order_numbers(make_table, clerk, kind):
    table = make_table()
    level2 = table.indicators.first().level2_id
    url, data = {
        "goal": (reverse("goal_create", args=[table.pk]), lambda n: {"text": f"同时添加的绩效目标{n}"}),
        "indicator": (reverse("indicator_create", args=[table.pk]),
                      lambda n: {"level2": level2, "name": f"同时添加的指标{n}", "value": "≥1项"}),
    }[kind]  # fmt: skip
    tabs = [signed_in(clerk) for _ in range(4)]

    answers = at_once(*[lambda c=c, n=n: c.post(url, data(n), headers={"HX-Request": "true"}) for n, c in enumerate(tabs)])

    assert [a.status_code for a in answers] == [200] * 4
    rows = table.goals.all() if kind == "goal" else table.indicators.all()
    orders = [row.order for row in rows]
    assert len(orders) == len(set(orders)) == (1 if kind == "goal" else 9) + 4
