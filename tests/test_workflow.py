"""The review workflow: submit, return, approve, resubmit, reopen; comments; the desk; the book."""

import io
import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from perfgoals.goals.models import DepartmentPlan, Goal, Indicator, PlanItem, ProjectTable, Status
from perfgoals.units.models import Membership, Unit
from perfgoals.workflow import books, desk, workflow
from perfgoals.workflow.models import Comment
from tests.conftest import make_user


def post(client, user, name, table, **data):
    client.force_login(user)
    return client.post(reverse(name, args=[table.pk]), data)


def reasons(table) -> list[str]:
    return [r.history_change_reason for r in ProjectTable.history.filter(id=table.pk).order_by("history_id")
            if r.history_change_reason]


@pytest.fixture
def submitted(table, clerk):
    return workflow.submit(table, clerk)


@pytest.fixture
def second_supervisor(unit):
    return make_user("supervisor2", unit, Membership.SUPERVISOR)


@pytest.fixture
def plan(unit):
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="提升招商引资质量和效益。")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="全年引进亿元以上项目 10 个。")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SAFEGUARD, text="建立项目推进台账。")
    return plan


# Submitting


def test_a_clerk_submits_a_draft(client, table, clerk):
    response = post(client, clerk, "table_submit", table)

    assert response.status_code == 302
    table.refresh_from_db()
    assert table.status == Status.SUBMITTED
    assert table.submitted_by == clerk
    assert reasons(table) == ["提交"]
    record = ProjectTable.history.filter(id=table.pk).latest("history_id")
    assert record.history_user == clerk


def test_a_double_submission_leaves_one_state_change_and_one_audit_entry(client, table, clerk):
    post(client, clerk, "table_submit", table)
    response = post(client, clerk, "table_submit", table)

    table.refresh_from_db()
    assert table.status == Status.SUBMITTED
    assert reasons(table) == ["提交"]
    page = client.get(response.url)
    assert "提交未执行：该绩效目标表已由clerk于" in page.content.decode()


def test_a_stale_copy_of_the_table_cannot_submit_twice(table, clerk):
    first_tab, second_tab = ProjectTable.objects.get(pk=table.pk), ProjectTable.objects.get(pk=table.pk)
    workflow.submit(first_tab, clerk)

    with pytest.raises(workflow.WorkflowError, match="正在等待审核"):
        workflow.submit(second_tab, clerk)
    assert reasons(table) == ["提交"]


def test_a_submit_blocked_by_an_error_stays_in_the_editor_with_each_error_linked_to_its_place(client, make_table, clerk):
    table = make_table(budget_fiscal=Decimal("3.00"))  # 3 + 0 ≠ 5
    indicator = table.indicators.first()
    indicator.text, indicator.value_kind, indicator.number, indicator.unit, indicator.value_raw = "", "", None, "", ""
    indicator.save()  # no value: an error about this row

    response = post(client, clerk, "table_submit", table, next=reverse("workflow_table", args=[table.pk]))

    assert response.status_code == 302
    assert response.url == reverse("table_edit", args=[table.pk]) + "?blocked=submit#submit-blocked"
    page = client.get(response.url).content.decode()
    assert "质量审核发现 2 个错误" in page
    blocked = re.search(r'<section id="submit-blocked".*?</section>', page, re.S)[0]
    assert 'href="#id_budget_total">预算数</a>' in blocked and 'id="id_budget_total"' in page
    assert f'href="#ind-{indicator.pk}">三级指标「{indicator.name}」' in blocked and f'id="ind-{indicator.pk}"' in page
    assert "待我审核" not in page  # a clerk's page: no supervisor's navigation
    table.refresh_from_db()
    assert table.status == Status.DRAFT
    assert reasons(table) == []


def test_the_editor_lists_no_blocked_submit_when_nothing_blocks(client, table, clerk):
    client.force_login(clerk)

    page = client.get(reverse("table_edit", args=[table.pk]) + "?blocked=submit").content.decode()

    assert 'id="submit-blocked"' not in page


def test_a_supervisor_cannot_submit(client, table, supervisor):
    assert post(client, supervisor, "table_submit", table).status_code == 403
    table.refresh_from_db()
    assert table.status == Status.DRAFT


def test_a_template_is_not_submitted(make_table, clerk):
    template = make_table(is_template=True)

    with pytest.raises(workflow.WorkflowError, match="模板"):
        workflow.submit(template, clerk)


# Withdrawing a submission (撤回) and deleting a draft made by mistake


def test_a_clerk_withdraws_a_submission_before_it_is_reviewed(client, submitted, clerk):
    client.force_login(clerk)
    editor = reverse("table_edit", args=[submitted.pk])
    assert 'value="withdraw"' in client.get(editor).content.decode()

    response = client.post(reverse("table_withdraw", args=[submitted.pk]), {"next": editor})

    assert response.url == editor
    submitted.refresh_from_db()
    assert (submitted.status, submitted.submitted_by, submitted.submitted_at) == (Status.DRAFT, None, None)
    assert reasons(submitted) == ["提交", "撤回"]
    assert ProjectTable.history.filter(id=submitted.pk).latest("history_id").history_user == clerk


def test_a_supervisor_cannot_withdraw_a_clerks_submission(client, submitted, supervisor):
    assert post(client, supervisor, "table_withdraw", submitted).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_clerk_deletes_a_draft_after_confirming(client, table, clerk, unit):
    client.force_login(clerk)
    goal_ids, indicator_ids = list(table.goals.values_list("pk", flat=True)), list(table.indicators.values_list("pk", flat=True))
    assert f'href="{reverse("table_delete", args=[table.pk])}"' in client.get(table.get_absolute_url()).content.decode()

    confirm = client.get(reverse("table_delete", args=[table.pk])).content.decode()
    assert "确定删除《安全生产培训经费》吗？" in confirm and "2026 年度" in confirm and "三级指标 9 个" in confirm
    assert ProjectTable.objects.filter(pk=table.pk).exists()  # asking deletes nothing

    response = client.post(reverse("table_delete", args=[table.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("home") + "?year=2026"
    assert "已删除《安全生产培训经费》（2026 年度）" in response.content.decode()
    assert not ProjectTable.objects.filter(pk=table.pk).exists()
    assert "安全生产培训经费" not in str(books.book_status(unit, 2026).missing)
    # The audit trail keeps the table and its rows, each with a deletion record by the clerk.
    for model, ids in ((ProjectTable, [table.pk]), (Goal, goal_ids), (Indicator, indicator_ids)):
        for pk in ids:
            record = model.history.filter(id=pk).latest("history_id")
            assert (record.history_type, record.history_user) == ("-", clerk), model
    assert ProjectTable.history.filter(id=table.pk).latest("history_id").history_change_reason == "删除"


def test_a_withdrawn_table_was_submitted_and_is_not_deleted(client, submitted, clerk):
    workflow.withdraw(submitted, clerk)
    client.force_login(clerk)

    assert f'href="{reverse("table_delete", args=[submitted.pk])}"' not in client.get(
        submitted.get_absolute_url()).content.decode()
    response = client.get(reverse("table_delete", args=[submitted.pk]), follow=True)
    assert "只有从未提交过的草稿可以删除" in response.content.decode()
    with pytest.raises(workflow.WorkflowError, match="已提交过"):
        workflow.delete(submitted, clerk)
    assert ProjectTable.objects.filter(pk=submitted.pk).exists()


def test_a_revision_being_adjusted_is_not_deleted(submitted, clerk, supervisor):
    workflow.approve(submitted, supervisor)
    revision = workflow.reopen(submitted, clerk)

    with pytest.raises(workflow.WorkflowError, match="调整中的版本不能删除"):
        workflow.delete(revision, clerk)
    assert ProjectTable.objects.filter(pk=revision.pk).exists()


def test_a_template_is_not_deleted_even_by_an_administrator(make_table, admin_user):
    template = make_table(is_template=True)

    with pytest.raises(workflow.WorkflowError, match="模板库中的范例不能在这里删除"):
        workflow.delete(template, admin_user)
    assert ProjectTable.objects.filter(pk=template.pk).exists()


def test_a_supervisor_may_not_even_ask_to_delete(client, table, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("table_delete", args=[table.pk])).status_code == 403
    assert client.post(reverse("table_delete", args=[table.pk])).status_code == 403
    assert ProjectTable.objects.filter(pk=table.pk).exists()


def test_a_plan_draft_is_deleted_with_its_items(client, plan, clerk):
    client.force_login(clerk)
    item_ids = list(plan.items.values_list("pk", flat=True))

    client.post(reverse("plan_delete", args=[plan.pk]))

    assert not DepartmentPlan.objects.filter(pk=plan.pk).exists()
    assert all(PlanItem.history.filter(id=pk).latest("history_id").history_type == "-" for pk in item_ids)


# Approving and returning


def test_a_supervisor_approves(client, submitted, supervisor):
    response = post(client, supervisor, "table_approve", submitted)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert submitted.approved_by == supervisor
    assert reasons(submitted) == ["提交", "通过"]


@pytest.mark.parametrize("action", ["approve", "return"])
def test_a_clerk_cannot_approve_or_return(client, submitted, unit, action, caplog):
    colleague = make_user("colleague", unit, Membership.CLERK)  # not the submitter: only the role refuses
    with caplog.at_level(logging.WARNING, logger="perfgoals.access"):
        response = post(client, colleague, f"table_{action}", submitted, comment="请修改。")

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert f"refused {action}" in caplog.text
    assert not Comment.objects.exists()


def test_the_submitter_cannot_approve_their_own_submission(client, table, unit, caplog):
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    workflow.submit(table, both)

    with caplog.at_level(logging.WARNING, logger="perfgoals.access"):
        response = post(client, both, "table_approve", table)

    assert response.status_code == 403
    table.refresh_from_db()
    assert table.status == Status.SUBMITTED
    assert "refused approve" in caplog.text and "both" in caplog.text


def test_the_submitter_sees_no_approve_button(client, table, unit):
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    workflow.submit(table, both)
    client.force_login(both)

    page = client.get(reverse("workflow_table", args=[table.pk])).content.decode()

    assert "需由其他审核人审核通过" in page
    assert 'value="approve"' not in page


# Four eyes: whoever edited a revision does not approve it, whatever their roles.

EDITS = {
    "header": lambda table: ("table_header", [table.pk], {
        "project_code": table.project_code, "project_name": "安全生产专题培训", "budget_total": "5",
        "budget_fiscal": "5", "budget_other": "0", "fund_use": table.fund_use, "spend_mar": "25",
        "spend_jun": "50", "spend_oct": "75", "spend_dec": "100"}),
    "goal": lambda table: ("goal_update", [table.pk, table.goals.first().pk], {"text": "改写的绩效目标。"}),
    "new goal": lambda table: ("goal_create", [table.pk], {"text": "新增的绩效目标。"}),
    "indicator": lambda table: ("indicator_update", [table.pk, table.indicators.first().pk], {
        "level2": table.indicators.first().level2_id, "name": "参训人次", "value": "≥160人次",
        "description": "参加培训的人次", "basis": "遵安办【2018】36号"}),
}  # fmt: skip


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_person_who_edited_the_revision_cannot_approve_it_though_someone_else_submitted(
    client, table, unit, clerk, supervisor, edit, caplog
):
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    client.force_login(both)
    name, args, data = EDITS[edit](table)
    assert client.post(reverse(name, args=args), data).status_code == 302  # saved (a plain post redirects)
    workflow.submit(table, clerk)

    page = client.get(reverse("workflow_table", args=[table.pk])).content.decode()
    desk_page = client.get(reverse("desk")).content.decode()
    confirm = client.get(reverse("table_approve_confirm", args=[table.pk]), follow=True).content.decode()
    with caplog.at_level(logging.WARNING, logger="perfgoals.access"):
        response = client.post(reverse("table_approve", args=[table.pk]))

    assert response.status_code == 403
    assert "您修改过" in response.content.decode()
    table.refresh_from_db()
    assert table.status == Status.SUBMITTED and table.approved_by is None
    assert "refused approve" in caplog.text and "both" in caplog.text
    for shown in (page, desk_page, confirm):
        assert "您修改过该绩效目标表的本版本，需由其他审核人审核通过。" in shown
    assert 'value="approve"' not in page
    assert reverse("table_approve_confirm", args=[table.pk]) not in desk_page
    assert post(client, supervisor, "table_approve", table).status_code == 302  # someone who did not edit it


def test_a_person_who_edited_a_plan_cannot_approve_it(client, plan, unit, clerk):
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    client.force_login(both)
    item = plan.items.first()
    client.post(reverse("plan_child_update", args=[plan.pk, item.kind, item.pk]), {"text": "全年引进亿元以上项目 12 个。"})
    workflow.submit(plan, clerk)

    response = client.post(reverse("plan_approve", args=[plan.pk]))

    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def test_returning_and_commenting_are_not_edits_the_returner_approves_the_resubmission(client, submitted, clerk,
                                                                                     supervisor):
    post(client, supervisor, "table_comment_add", submitted, text="成本指标请补充依据。")
    workflow.return_(submitted, supervisor, "请修改。")
    client.force_login(clerk)
    goal = submitted.goals.first()
    client.post(reverse("goal_update", args=[submitted.pk, goal.pk]), {"text": "修改后的绩效目标。"})
    workflow.submit(submitted, clerk)

    assert post(client, supervisor, "table_approve", submitted).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_an_edit_of_an_earlier_revision_does_not_count_against_the_next(client, table, unit, clerk, supervisor):
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    client.force_login(both)
    client.post(reverse("goal_update", args=[table.pk, table.goals.first().pk]), {"text": "改写的绩效目标。"})
    workflow.submit(table, clerk)
    workflow.approve(table, supervisor)
    revision = workflow.reopen(table, clerk)
    workflow.submit(revision, clerk)

    assert post(client, both, "table_approve", revision).status_code == 302
    revision.refresh_from_db()
    assert revision.status == Status.APPROVED


def test_a_return_needs_a_comment(client, submitted, supervisor):
    response = post(client, supervisor, "table_return", submitted, comment="  ")

    assert response.status_code == 200
    assert "退回时请填写退回意见" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_return_writes_the_comment_into_the_audit_trail(client, submitted, supervisor):
    post(client, supervisor, "table_return", submitted, comment="满意度指标的依据不明确。")

    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert reasons(submitted) == ["提交", "退回：满意度指标的依据不明确。"]
    comment = Comment.objects.get(table=submitted)
    assert comment.text == "满意度指标的依据不明确。" and comment.author == supervisor and comment.is_open


def test_an_overlong_comment_or_return_is_refused_in_chinese_and_nothing_is_written(client, submitted, supervisor):
    commented = post(client, supervisor, "table_comment_add", submitted, text="长" * 2001)
    review_page = client.get(commented.url).content.decode()
    returned = post(client, supervisor, "table_return", submitted, comment="长" * 2001)

    assert "审核意见最多 2000 字（现有 2001 字），请删减后再保存。" in review_page
    assert returned.status_code == 200 and "退回意见最多 2000 字（现有 2001 字），请删减后再退回。" in returned.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and not Comment.objects.exists()
    textareas = re.findall(r"<textarea[^>]*>", review_page)
    assert textareas and all('maxlength="2000"' in t for t in textareas)


def test_a_supervisor_whose_page_is_stale_is_told_another_approved_it(client, submitted, supervisor, second_supervisor):
    # Both opened the page while the table was submitted; the first approves, then the second
    # returns. (Both at the same moment, in threads: tests/test_concurrency.py.)
    post(client, supervisor, "table_approve", submitted)
    response = post(client, second_supervisor, "table_return", submitted, comment="请补充成本测算依据。")

    body = response.content.decode()
    assert response.status_code == 200
    assert "退回未执行：该绩效目标表已由supervisor于" in body and "审核通过" in body
    assert "请补充成本测算依据。" in body  # what the second supervisor wrote is still there
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED and submitted.approved_by == supervisor
    assert reasons(submitted) == ["提交", "通过"]
    assert not Comment.objects.filter(table=submitted).exists()


def test_a_second_approval_after_the_first_leaves_one_audit_entry(client, submitted, supervisor, second_supervisor):
    post(client, supervisor, "table_approve", submitted)
    post(client, second_supervisor, "table_approve", submitted)

    submitted.refresh_from_db()
    assert submitted.approved_by == supervisor
    assert reasons(submitted) == ["提交", "通过"]


def test_a_returned_table_is_resubmitted_and_approved(client, submitted, clerk, supervisor):
    workflow.return_(submitted, supervisor, "请修改。")

    assert post(client, clerk, "table_submit", submitted).status_code == 302
    assert post(client, supervisor, "table_approve", submitted).status_code == 302

    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert reasons(submitted) == ["提交", "退回：请修改。", "提交", "通过"]


# Every transition from every state, for tables and plans

ACTIONS = ["submit", "withdraw", "approve", "return", "reopen", "delete"]
STATES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED]
ALLOWED = {"submit": {Status.DRAFT, Status.RETURNED}, "withdraw": {Status.SUBMITTED}, "approve": {Status.SUBMITTED},
           "return": {Status.SUBMITTED}, "reopen": {Status.APPROVED}, "delete": {Status.DRAFT}}  # fmt: skip
CLERKS_ACTIONS = {"submit", "withdraw", "reopen", "delete"}
AFTER = {"submit": Status.SUBMITTED, "withdraw": Status.DRAFT, "approve": Status.APPROVED, "return": Status.RETURNED}
VERB = {"submit": "提交", "withdraw": "撤回", "approve": "审核通过", "return": "退回"}
WHY = {  # what the refused user reads, by the state the document is in
    Status.DRAFT: "{verb}未执行：该{kind}尚未提交。",
    Status.SUBMITTED: "{verb}未执行：该{kind}已由clerk于",
    Status.RETURNED: "{verb}未执行：该{kind}已被退回，正在等待填报人修改后重新提交。",
    Status.APPROVED: "{verb}未执行：该{kind}已由supervisor于",
}


def put_in_state(doc, state, clerk, supervisor):
    """Bring a draft to `state` the way users do."""
    if state != Status.DRAFT:
        workflow.submit(doc, clerk)
    if state == Status.RETURNED:
        workflow.return_(doc, supervisor, "请修改。")
    if state == Status.APPROVED:
        workflow.approve(doc, supervisor)
    doc.refresh_from_db()
    return doc


def snapshot(doc) -> tuple:
    """Everything a transition may change."""
    model = type(doc)
    fresh = model.objects.get(pk=doc.pk)
    return (fresh.status, fresh.submitted_at, fresh.submitted_by_id, fresh.approved_at, fresh.approved_by_id,
            model.history.filter(id=doc.pk).count(), model.objects.filter(unit=doc.unit).count(),
            Comment.objects.count())  # fmt: skip


@pytest.mark.parametrize("kind", ["table", "plan"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_from_every_state(request, client, kind, state, action, clerk, supervisor, second_supervisor):
    doc = put_in_state(request.getfixturevalue(kind), state, clerk, supervisor)
    before = snapshot(doc)
    actor = clerk if action in CLERKS_ACTIONS else second_supervisor
    client.force_login(actor)

    response = client.post(reverse(f"{kind}_{action}", args=[doc.pk]), {"comment": "请补充依据。"}, follow=True)

    assert response.status_code == 200
    if action == "delete" and state in ALLOWED[action]:
        assert not type(doc).objects.filter(pk=doc.pk).exists()
        record = type(doc).history.filter(id=doc.pk).latest("history_id")
        assert (record.history_type, record.history_change_reason, record.history_user) == ("-", "删除", actor)
        return
    doc.refresh_from_db()
    if state in ALLOWED[action]:
        if action == "reopen":
            new = type(doc).objects.get(previous=doc)
            assert (new.status, new.revision, doc.status) == (Status.DRAFT, 2, Status.APPROVED)
        else:
            assert doc.status == AFTER[action]
            assert type(doc).history.filter(id=doc.pk).latest("history_id").history_user == actor
    else:
        if action == "reopen":
            why = f"只有已通过的{doc.kind_label}可以调整。"
        elif action == "delete":
            why = f"只有从未提交过的草稿可以删除：该{doc.kind_label}已提交过"
        else:
            why = WHY[state].format(verb=VERB[action], kind=doc.kind_label)
        assert why in response.content.decode()
        assert snapshot(doc) == before


@pytest.mark.parametrize("kind", ["table", "plan"])
def test_the_submitter_cannot_approve_what_they_submitted(request, client, kind, unit):
    doc = request.getfixturevalue(kind)
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    workflow.submit(doc, both)
    before = snapshot(doc)
    client.force_login(both)

    response = client.post(reverse(f"{kind}_approve", args=[doc.pk]))

    assert response.status_code == 403
    assert snapshot(doc) == before


# Access


def test_a_clerk_of_another_unit_gets_404_on_every_action(client, submitted, other_clerk):
    for name in ("table_submit", "table_approve", "table_return", "table_reopen", "table_comment_add"):
        assert post(client, other_clerk, name, submitted, comment="x", text="x").status_code == 404, name
    for name in ("workflow_table", "table_history", "table_diff", "table_comments"):
        assert client.get(reverse(name, args=[submitted.pk])).status_code == 404, name
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_supervisor_of_the_parent_department_approves_a_subordinate_unit(client, make_table, clerk, unit):
    parent = Unit.objects.create(code="990000", name="测试县测试局")
    unit.parent = parent
    unit.save()
    boss = make_user("boss", parent, Membership.SUPERVISOR)
    table = workflow.submit(make_table(), clerk)

    assert post(client, boss, "table_approve", table).status_code == 302
    table.refresh_from_db()
    assert table.status == Status.APPROVED


def test_anonymous_requests_go_to_the_login_page(client, submitted):
    response = client.post(reverse("table_approve", args=[submitted.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_actions_answer_405_to_get(client, submitted, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("table_approve", args=[submitted.pk])).status_code == 405


# Comments


def test_a_supervisor_comments_on_an_indicator_and_the_clerk_resolves_it(client, submitted, supervisor, clerk):
    indicator = submitted.indicators.first()
    post(client, supervisor, "table_comment_add", submitted, target=f"indicator:{indicator.pk}",
         text="指标值<b>偏低</b>")
    comment = Comment.objects.get(indicator=indicator)

    client.force_login(clerk)
    page = client.get(reverse("workflow_table", args=[submitted.pk])).content.decode()
    assert "指标值&lt;b&gt;偏低&lt;/b&gt;" in page
    assert f"三级指标「{indicator.name}」" in page

    response = client.post(reverse("comment_resolve", args=[comment.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "已由 clerk 于" in response.content.decode()
    comment.refresh_from_db()
    assert comment.resolved_by == clerk
    assert Comment.history.filter(id=comment.pk).latest("history_id").history_change_reason == "标记已处理"


def test_a_comment_on_a_goal_is_listed_beside_the_goal(client, submitted, supervisor):
    goal = submitted.goals.first()
    post(client, supervisor, "table_comment_add", submitted, target=f"goal:{goal.pk}", text="目标过于笼统。")

    comments = workflow.open_comments(submitted)

    assert [c.text for c in comments["rows"][("goal", goal.pk)]] == ["目标过于笼统。"]
    assert comments["whole"] == []  # not a comment on the whole table
    assert [c.text for c in comments["comments"]] == ["目标过于笼统。"]


def test_the_review_page_lists_every_indicator_with_its_comments_in_a_fixed_number_of_queries(
    client, make_table, hebei, clerk, supervisor, warm_vocabulary
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from perfgoals.goals.models import Indicator

    def page_with(n: int):
        table = make_table(project_code=f"C{n}")
        for i in range(n):
            Indicator.objects.create(table=table, level2=hebei.level2_list()[0], name=f"附加指标{i}",
                                     value_kind="quantitative", number=i, unit="项")  # fmt: skip
        for row in [*table.goals.all(), *table.indicators.all()]:
            target = {"goal": row} if row._meta.model_name == "goal" else {"indicator": row}
            Comment.objects.create(unit=table.unit, table=table, author=supervisor, text=f"意见{row.pk}", **target)
        client.force_login(supervisor)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("workflow_table", args=[table.pk])).content.decode()
        return table, page, len(queries)

    small, small_page, small_count = page_with(2)
    large, large_page, large_count = page_with(12)

    assert small_count == large_count
    for indicator in large.indicators.all():
        row = re.search(rf'<tr id="indicator-{indicator.pk}">.*?</tr>', large_page, re.S)[0]
        assert f"意见{indicator.pk}" in row


def test_a_clerk_cannot_write_review_comments(client, submitted, clerk):
    assert post(client, clerk, "table_comment_add", submitted, text="自己批注").status_code == 403
    assert not Comment.objects.exists()


def test_a_comment_cannot_point_at_another_tables_indicator(client, submitted, make_table, supervisor):
    other = make_table(project_code="13099926P000000000002")
    indicator = other.indicators.first()

    response = post(client, supervisor, "table_comment_add", submitted, target=f"indicator:{indicator.pk}", text="x")

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_a_clerk_of_another_unit_cannot_resolve_a_comment(client, submitted, supervisor, other_clerk):
    comment = Comment.objects.create(unit=submitted.unit, table=submitted, author=supervisor, text="x")
    client.force_login(other_clerk)

    assert client.post(reverse("comment_resolve", args=[comment.pk])).status_code == 404
    comment.refresh_from_db()
    assert comment.is_open


# Revisions (调整)


def test_a_clerk_reopens_an_approved_table_as_a_new_revision(client, submitted, clerk, supervisor):
    workflow.approve(submitted, supervisor)

    response = post(client, clerk, "table_reopen", submitted)

    new = ProjectTable.objects.get(previous=submitted)
    assert response.status_code == 302 and response.url == reverse("workflow_table", args=[new.pk])
    assert (new.revision, new.status, new.unit, new.year) == (2, Status.DRAFT, submitted.unit, submitted.year)
    assert new.indicators.count() == submitted.indicators.count()
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED and submitted.revision == 1
    assert workflow.revisions(submitted) == [submitted, new]


def test_a_table_is_reopened_only_once(submitted, clerk, supervisor):
    workflow.approve(submitted, supervisor)
    workflow.reopen(submitted, clerk)

    with pytest.raises(workflow.WorkflowError, match="已有调整中的版本 2"):
        workflow.reopen(submitted, clerk)


def test_only_an_approved_table_is_reopened(submitted, clerk):
    with pytest.raises(workflow.WorkflowError, match="只有已通过的"):
        workflow.reopen(submitted, clerk)


# Department plans follow the same states


def test_a_plan_is_submitted_returned_and_approved(client, plan, clerk, supervisor):
    assert post(client, clerk, "plan_submit", plan).status_code == 302
    post(client, supervisor, "plan_return", plan, comment="保障措施过少。")
    post(client, clerk, "plan_submit", plan)
    post(client, supervisor, "plan_approve", plan)

    plan.refresh_from_db()
    assert plan.status == Status.APPROVED
    assert [r.history_change_reason for r in plan.history.order_by("history_id") if r.history_change_reason] == [
        "提交", "退回：保障措施过少。", "提交", "通过"]
    assert Comment.objects.get(plan=plan).text == "保障措施过少。"


# The desk (待我审核)


def test_the_desk_lists_waiting_tables_oldest_first(client, make_table, clerk, supervisor, other_unit):
    first = workflow.submit(make_table(project_name="先提交的项目"), clerk)
    second = workflow.submit(make_table(project_name="后提交的项目", project_code="2"), clerk)
    make_table(project_name="草稿项目", project_code="3")
    client.force_login(supervisor)

    page = client.get(reverse("desk")).content.decode()

    assert page.index("先提交的项目") < page.index("后提交的项目")
    assert "草稿项目" not in page.split("年度各单位填报情况")[0]
    assert "无错误" in page
    assert first.pk and second.pk


def test_the_desk_shows_the_review_summary(client, make_table, clerk, supervisor):
    table = make_table(budget_fiscal=Decimal("3.00"))
    ProjectTable.objects.filter(pk=table.pk).update(status=Status.SUBMITTED)  # submitted before a rule changed
    client.force_login(supervisor)

    assert "错误 1" in client.get(reverse("desk")).content.decode()


def test_the_desk_counts_states_per_unit(client, make_table, clerk, supervisor):
    workflow.submit(make_table(), clerk)
    make_table(project_code="2")
    client.force_login(supervisor)

    response = client.get(reverse("desk"), {"year": 2026})

    row = next(r for r in response.context["counts"] if r["unit"].code == "990001")
    assert dict(zip([v for v, _ in Status.choices], row["states"])) == {
        "draft": 1, "submitted": 1, "returned": 0, "approved": 0}


def test_the_desk_does_not_show_another_units_tables(client, make_table, other_unit, supervisor, hebei):
    foreign_clerk = make_user("foreign", other_unit, Membership.CLERK)
    workflow.submit(make_table(unit=other_unit, project_name="别的单位的项目"), foreign_clerk)
    client.force_login(supervisor)

    assert "别的单位的项目" not in client.get(reverse("desk")).content.decode()


def test_a_clerk_has_no_desk(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("desk")).status_code == 403


def test_the_desk_tells_tables_apart_by_unit_year_amount_and_revision(client, make_table, clerk, supervisor):
    workflow.submit(make_table(year=2025, budget_total=Decimal("12.50"), budget_fiscal=Decimal("12.50")), clerk)
    workflow.submit(make_table(year=2026, project_code="2"), clerk)
    client.force_login(supervisor)

    rows = re.findall(r'<tr id="waiting-table-\d+">.*?</tr>', client.get(reverse("desk")).content.decode(), re.S)

    assert len(rows) == 2
    assert all("测试县测试局本级" in row and "版本 1" in row and "刚刚提交" in row for row in rows)
    assert '<td class="num">2025</td>' in rows[0] and '<td class="num">12.5</td>' in rows[0]
    assert '<td class="num">2026</td>' in rows[1] and '<td class="num">5</td>' in rows[1]


def test_the_desk_marks_a_resubmission_and_how_long_it_has_waited(client, make_table, clerk, supervisor):
    returned = workflow.submit(make_table(project_name="退回后重交的项目"), clerk)
    workflow.return_(returned, supervisor, "请修改。")
    workflow.submit(returned, clerk)
    fresh = workflow.submit(make_table(project_name="第一次提交的项目", project_code="2"), clerk)
    ProjectTable.objects.filter(pk=fresh.pk).update(submitted_at=timezone.now() - timedelta(days=3, hours=2))
    client.force_login(supervisor)

    page = client.get(reverse("desk")).content.decode()

    resubmitted = re.search(rf'<tr id="waiting-table-{returned.pk}">.*?</tr>', page, re.S)[0]
    first_time = re.search(rf'<tr id="waiting-table-{fresh.pk}">.*?</tr>', page, re.S)[0]
    assert "重新提交" in resubmitted and "重新提交" not in first_time
    assert "已等待 3 天" in first_time


@pytest.mark.parametrize(("hours", "label"), [(0, "刚刚提交"), (5, "已等待 5 小时"), (49, "已等待 2 天")])
def test_the_time_waited_reads_in_days_or_hours(hours, label):
    now = timezone.now()
    assert desk.waited(now - timedelta(hours=hours, minutes=10), now) == label


def test_approving_from_the_desk_asks_first_naming_project_year_and_amount(client, make_table, clerk, supervisor):
    table = workflow.submit(make_table(), clerk)
    client.force_login(supervisor)
    confirm_url = reverse("table_approve_confirm", args=[table.pk])

    page = client.get(reverse("desk")).content.decode()
    row = re.search(rf'<tr id="waiting-table-{table.pk}">.*?</tr>', page, re.S)[0]
    assert f'href="{confirm_url}"' in row
    assert f'action="{reverse("table_approve", args=[table.pk])}"' not in row  # no one-click approval from the list

    confirm = client.get(confirm_url).content.decode()
    assert "《安全生产培训经费》" in confirm and "2026 年度" in confirm and "5 万元" in confirm
    assert f'action="{reverse("table_approve", args=[table.pk])}"' in confirm
    table.refresh_from_db()
    assert table.status == Status.SUBMITTED  # asking changes nothing

    response = client.post(reverse("table_approve", args=[table.pk]), {"next": reverse("desk")})

    assert response.url == reverse("desk")
    table.refresh_from_db()
    assert table.status == Status.APPROVED


def test_the_confirmation_of_an_approved_table_says_so_and_asks_nothing(client, submitted, supervisor):
    workflow.approve(submitted, supervisor)
    client.force_login(supervisor)

    response = client.get(reverse("table_approve_confirm", args=[submitted.pk]), follow=True)

    assert "审核通过未执行：该绩效目标表已由supervisor于" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("workflow_table", args=[submitted.pk])


def test_the_review_page_shows_the_money_the_fund_use_and_the_spending_plan(client, submitted, supervisor):
    client.force_login(supervisor)

    page = client.get(reverse("workflow_table", args=[submitted.pk])).content.decode()

    money = re.search(r'<section class="card money".*?</section>', page, re.S)[0]
    assert '预算数（万元）</th><td class="num amount">5</td>' in money
    assert "用于组织全县安全生产专题培训。" in money
    assert all(f'<td class="num">{p}%</td>' in money for p in (25, 50, 75, 100))
    assert page.index("预算与资金用途") < page.index("组织全县安全生产专题培训，提高企业安全管理水平。")
    assert "退回后的修改" not in page  # never returned


def test_the_review_page_of_a_resubmission_shows_what_changed_since_the_return(client, submitted, clerk, supervisor):
    workflow.return_(submitted, supervisor, "合格率偏低。")
    submitted.refresh_from_db()
    rate = submitted.indicators.get(name="培训合格率")
    rate.number = Decimal("99")
    rate.save()
    submitted.fund_use = "用于组织全县安全生产专题培训和考核。"
    submitted.save()
    submitted.goals.create(text="新增一条目标。", order=2)
    workflow.submit(submitted, clerk)
    client.force_login(supervisor)

    page = client.get(reverse("workflow_table", args=[submitted.pk])).content.decode()

    since = re.search(r'<section class="card since-return".*?</section>', page, re.S)[0]
    assert "退回：合格率偏低。" in since
    assert "<del>≥98%</del>" in since and "<ins>≥99%</ins>" in since
    assert "<ins>用于组织全县安全生产专题培训和考核。</ins>" in since
    assert "<ins>新增一条目标。</ins>" in since
    assert "培训人员人次" not in since  # unchanged rows are not listed


def test_an_action_never_redirects_to_another_site(client, submitted, supervisor):
    response = post(client, supervisor, "table_approve", submitted, next="https://evil.example/")
    assert response.url == reverse("workflow_table", args=[submitted.pk])


# The department book


def test_a_book_is_complete_when_the_plan_and_every_table_are_approved(make_table, plan, clerk, supervisor, unit):
    table = make_table()
    book = books.book_status(unit, 2026)
    assert not book.complete
    assert [text for text, _ in book.missing] == ["部门整体绩效目标草稿，尚未通过", "《安全生产培训经费》草稿，尚未通过"]

    for doc in (table, plan):
        workflow.approve(workflow.submit(doc, clerk), supervisor)

    assert books.book_status(unit, 2026).complete


def test_a_book_stays_complete_while_an_approved_table_is_adjusted(make_table, plan, clerk, supervisor, unit):
    table = make_table()
    for doc in (table, plan):
        workflow.approve(workflow.submit(doc, clerk), supervisor)
    new = workflow.reopen(table, clerk)

    book = books.book_status(unit, 2026)

    assert book.complete
    assert book.tables == [table] and book.adjusting == [new]


def test_a_book_without_a_plan_says_so(client, make_table, clerk):
    make_table()
    client.force_login(clerk)
    from django.template import RequestContext, Template

    request = client.get(reverse("desk")).wsgi_request  # any request carrying the clerk
    statuses = books.book_statuses(clerk, 2026)
    html = Template('{% include "workflow/_book_status.html" %}').render(RequestContext(request, {"books": statuses}))

    assert "测试县测试局本级 · 2026 年度" in html
    assert "尚未填写部门整体绩效目标" in html
    assert "《安全生产培训经费》草稿，尚未通过" in html


def test_the_clerk_sees_open_comments_in_the_editor_and_resolves_them(client, submitted, supervisor, clerk):
    indicator = submitted.indicators.first()
    post(client, supervisor, "table_comment_add", submitted, target=f"indicator:{indicator.pk}", text="依据请写文件号。")
    workflow.return_(submitted, supervisor, "请按意见修改。")
    client.force_login(clerk)
    editor = reverse("table_edit", args=[submitted.pk])

    page = client.get(editor).content.decode()

    assert "待处理的审核意见（2 条）" in page
    assert f'<a href="#ind-{indicator.pk}">三级指标「{indicator.name}」</a>' in page
    assert "依据请写文件号。" in page and "请按意见修改。" in page
    comment = Comment.objects.get(indicator=indicator)
    response = client.post(reverse("comment_resolve", args=[comment.pk]), {"next": editor})
    assert response.url == editor
    assert "待处理的审核意见（1 条）" in client.get(editor).content.decode()


def test_the_clerk_reads_each_comment_inside_the_row_it_is_about(client, submitted, supervisor, clerk):
    indicator, other = submitted.indicators.all()[:2]
    goal = submitted.goals.first()
    post(client, supervisor, "table_comment_add", submitted, target=f"indicator:{indicator.pk}", text="依据请写文件号。")
    post(client, supervisor, "table_comment_add", submitted, target=f"goal:{goal.pk}", text="目标请写清数量。")
    workflow.return_(submitted, supervisor, "请按意见修改。")
    client.force_login(clerk)

    page = client.get(reverse("table_edit", args=[submitted.pk])).content.decode()

    def block(pattern: str) -> str:
        return re.search(pattern, page, re.S)[0]

    assert "依据请写文件号。" in block(rf'<form id="ind-{indicator.pk}".*?</form>')
    assert "依据请写文件号。" not in block(rf'<form id="ind-{other.pk}".*?</form>')
    assert "目标请写清数量。" in block(rf'<li id="goal-{goal.pk}">.*?</li>\s*(<li|</ol>)')
    assert "请按意见修改。" not in block(rf'<form id="ind-{indicator.pk}".*?</form>')  # about the whole table


def test_a_returned_table_offers_the_clerk_to_resubmit_in_the_editor(client, submitted, supervisor, clerk):
    workflow.return_(submitted, supervisor, "请修改。")
    client.force_login(clerk)

    page = client.get(reverse("table_edit", args=[submitted.pk])).content.decode()

    assert "已退回" in page and "提交审核" in page


# Paper state follows the workflow: whatever is not approved prints as such


def pdf_pages(response) -> list[str]:
    """The text of each page of a PDF response, without whitespace."""
    from pypdf import PdfReader

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(response.content)).pages]


def test_a_returned_table_prints_with_the_draft_watermark(client, submitted, clerk, supervisor):
    workflow.return_(submitted, supervisor, "请修改。")
    client.force_login(clerk)

    pages = pdf_pages(client.get(reverse("print_table", args=[submitted.pk])))

    assert pages and all("草稿·未审核" in page for page in pages)
    assert not any("审核通过" in page for page in pages)


def test_a_book_not_yet_approved_is_watermarked_from_its_cover_on(client, make_table, plan, clerk, unit, settings,
                                                                   tmp_path):
    settings.PRINT_CACHE_DIR = tmp_path
    make_table()
    client.force_login(clerk)

    pages = pdf_pages(client.get(reverse("print_book", args=[unit.code, 2026])))

    cover = next(p for p in pages if "2026年部门预算绩效目标文本" in p)
    contents = next(p for p in pages if "目录" in p)
    assert "草稿·未审核" in cover and "草稿·未审核" in contents


def test_an_approved_book_prints_without_a_watermark(client, make_table, plan, clerk, supervisor, unit, settings,
                                                     tmp_path):
    settings.PRINT_CACHE_DIR = tmp_path
    for doc in (make_table(), plan):
        workflow.approve(workflow.submit(doc, clerk), supervisor)
    client.force_login(clerk)

    pages = pdf_pages(client.get(reverse("print_book", args=[unit.code, 2026])))

    assert len(pages) > 2 and not any("未审核" in page for page in pages)


# Forged requests to the editor while a table is submitted or approved


@pytest.mark.parametrize("state", [Status.SUBMITTED, Status.APPROVED])
def test_forged_edits_of_a_locked_table_are_refused_and_logged(client, make_table, clerk, supervisor, state, caplog):
    table = workflow.submit(make_table(), clerk)
    if state == Status.APPROVED:
        workflow.approve(table, supervisor)
    goal, indicator = table.goals.first(), table.indicators.first()
    before = (table.project_name, goal.text, indicator.name, table.indicators.count(), table.goals.count())
    forged = {
        "table_header": ([table.pk], {"project_name": "篡改", "project_code": "1", "budget_total": "5"}),
        "goal_create": ([table.pk], {"text": "新目标"}),
        "goal_update": ([table.pk, goal.pk], {"text": "篡改"}),
        "goal_delete": ([table.pk, goal.pk], {}),
        "indicator_create": ([table.pk], {"name": "新指标", "level2": indicator.level2_id}),
        "indicator_update": ([table.pk, indicator.pk], {"name": "篡改", "level2": indicator.level2_id}),
        "indicator_delete": ([table.pk, indicator.pk], {}),
    }
    for user in (clerk, supervisor):
        client.force_login(user)
        for name, (args, data) in forged.items():
            with caplog.at_level(logging.WARNING, logger="django.request"):
                response = client.post(reverse(name, args=args), data)
            assert response.status_code == 403, (name, user)
            assert f"Forbidden (Permission denied): {reverse(name, args=args)}" in caplog.text

    table.refresh_from_db()
    goal.refresh_from_db()
    indicator.refresh_from_db()
    assert (table.project_name, goal.text, indicator.name, table.indicators.count(), table.goals.count()) == before
    assert table.status == state


def test_a_forged_post_on_another_units_table_is_refused_and_logged(client, submitted, other_clerk, caplog):
    client.force_login(other_clerk)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(reverse("table_approve", args=[submitted.pk]))

    assert response.status_code == 404
    assert "Not Found: " + reverse("table_approve", args=[submitted.pk]) in caplog.text
