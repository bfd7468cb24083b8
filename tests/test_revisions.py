"""Revisions (调整) and the audit trail, on a seed template copied, approved, reopened and edited."""

import pytest
from django.urls import reverse

from perfgoals.goals.copying import copy_table
from perfgoals.goals.models import Goal, Indicator, ProjectTable, Status
from perfgoals.goals.values import parse_value
from perfgoals.workflow import changes, workflow

SEED = dict(is_template=True, unit__code="322001", project_name="安全生产培训经费")


@pytest.fixture
def approved(unit, clerk, supervisor):
    """Revision 1: the 遵化 安全生产培训经费 seed table, copied into the unit and approved."""
    template = ProjectTable.objects.get(**SEED)
    table = copy_table(template, unit=unit, year=2026, user=clerk)
    table.project_code = "13028122P002321100046"
    table.save()
    return workflow.approve(workflow.submit(table, clerk), supervisor)


@pytest.fixture
def edited(approved, clerk):
    """Revision 2, edited by the clerk: fund use, one goal, one value, one renamed, one removed, one added."""
    new = workflow.reopen(approved, clerk)
    new.fund_use = new.fund_use.replace("专题教育和培训工作", "专题教育、培训和应急演练工作")
    new._history_user = clerk
    new.save()
    goal = new.goals.get()
    goal.text = "组织开展安全生产专题培训和应急演练。"
    goal._history_user = clerk
    goal.save()
    quantity = new.indicators.get(name="培训人员人次")
    quantity.value = parse_value("≥200人次", name=quantity.name)
    quantity._history_user = clerk
    quantity.save()
    ecology = new.indicators.get(name="结果准确性")
    ecology.name = "环境污染事故"
    ecology.value = parse_value("零发生", name=ecology.name)
    ecology._history_user = clerk
    ecology.save()
    new.indicators.get(name="提高效率").delete()
    Indicator.objects.create(
        table=new, level2=quantity.level2, name="应急演练次数", description="组织应急演练的次数",
        value_kind="quantitative", operator="≥", number=2, unit="次", basis="遵安办【2018】36号", order=99,
    )
    return new


def test_reopening_leaves_the_approved_revision_intact(approved, edited):
    approved.refresh_from_db()
    assert (approved.revision, approved.status) == (1, Status.APPROVED)
    assert approved.indicators.get(name="培训人员人次").value_display == "≥150人次"
    assert approved.indicators.filter(name="提高效率").exists()
    assert "应急演练" not in approved.fund_use
    assert (edited.revision, edited.status, edited.previous) == (2, Status.DRAFT, approved)


def test_the_comparison_lists_exactly_what_changed(approved, edited):
    result = changes.compare(approved, edited)

    assert [(c.label, "应急演练" in c.new, "应急演练" in c.old) for c in result.fields] == [("资金用途", True, False)]
    assert [(g.kind, g.changes[0].new) for g in result.goals] == [("changed", "组织开展安全生产专题培训和应急演练。")]
    rows = {(r.kind, r.label): {c.label: (c.old, c.new) for c in r.changes} for r in result.indicators}
    assert rows == {
        ("changed", "产出指标 / 数量指标 / 培训人员人次"): {"指标值": ("≥150人次", "≥200人次")},
        ("changed", "效益指标 / 生态效益指标 / 环境污染事故"): {
            "三级指标": ("结果准确性", "环境污染事故"), "指标值": ("100%", "零发生")},
        ("removed", "效益指标 / 经济效益指标 / 提高效率"): {
            "三级指标": ("提高效率", ""), "绩效指标描述": (approved.indicators.get(name="提高效率").description, ""),
            "指标值": ("≥98%", ""), "指标值确定依据": ("遵安办【2018】36号", "")},
        ("added", "产出指标 / 数量指标 / 应急演练次数"): {
            "三级指标": ("", "应急演练次数"), "绩效指标描述": ("", "组织应急演练的次数"),
            "指标值": ("", "≥2次"), "指标值确定依据": ("", "遵安办【2018】36号")},
    }


def test_two_identical_revisions_have_no_differences(approved, clerk):
    new = workflow.reopen(approved, clerk)

    assert changes.compare(approved, new).is_empty


def test_the_diff_page_shows_old_and_new(client, clerk, approved, edited):
    client.force_login(clerk)

    response = client.get(reverse("table_diff", args=[edited.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "版本 1 → 版本 2" in page
    assert "<del>≥150人次</del>" in page and "<ins>≥200人次</ins>" in page
    assert "<ins>、</ins>" in page and "<ins>和应急演练</ins>" in page  # within the fund-use text
    assert "删除" in page and "提高效率" in page
    assert "新增" in page and "应急演练次数" in page


def test_the_diff_page_compares_any_two_revisions_either_way(client, clerk, approved, edited):
    client.force_login(clerk)

    response = client.get(reverse("table_diff", args=[approved.pk]), {"a": edited.pk, "b": approved.pk})

    assert "<del>≥200人次</del>" in response.content.decode()
    assert "<ins>≥150人次</ins>" in response.content.decode()


def test_the_diff_page_refuses_a_revision_of_another_table(client, clerk, approved, edited, make_table):
    client.force_login(clerk)
    unrelated = make_table()

    response = client.get(reverse("table_diff", args=[edited.pk]), {"a": unrelated.pk})

    assert response.status_code == 404


def test_the_diff_page_escapes_user_text(client, clerk, approved, edited):
    edited.project_name = "<script>alert(1)</script>"
    edited.save()
    client.force_login(clerk)

    page = client.get(reverse("table_diff", args=[edited.pk])).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_history_lists_who_did_what_with_before_and_after(client, supervisor, clerk, approved, edited):
    client.force_login(supervisor)

    response = client.get(reverse("table_history", args=[approved.pk]))
    entries = response.context["entries"]

    assert [(e.who, e.reason) for e in entries if e.reason in ("提交", "通过")] == [
        (supervisor, "通过"), (clerk, "提交")]
    page = response.content.decode()
    assert "通过" in page and "提交" in page

    entries = changes.history(edited)
    value_change = next(e for e in entries if e.what == "三级指标「培训人员人次」" and e.action == "~")
    assert value_change.who == clerk
    assert ("数值", "150", "200") in [(c.label, c.old, c.new) for c in value_change.changes]
    renamed = next(e for e in entries if e.what == "三级指标「环境污染事故」" and e.action == "~")
    assert ("三级指标", "结果准确性", "环境污染事故") in [(c.label, c.old, c.new) for c in renamed.changes]
    assert any(e.action == "-" and e.what == "三级指标「提高效率」" for e in entries)
    assert any(e.action == "+" and e.what == "三级指标「应急演练次数」" for e in entries)
    assert any(e.reason.startswith("调整：由版本 1 复制为版本 2") for e in entries)
    goal_change = next(e for e in entries if e.what.startswith("绩效目标") and e.action == "~")
    assert goal_change.changes[0].new == "组织开展安全生产专题培训和应急演练。"


def test_the_history_shows_a_return_with_its_comment(client, clerk, supervisor, make_table):
    table = workflow.return_(workflow.submit(make_table(), clerk), supervisor, "请补充依据。")
    client.force_login(clerk)

    page = client.get(reverse("table_history", args=[table.pk])).content.decode()

    assert "退回：请补充依据。" in page
    assert "<del>已提交</del> → <ins>已退回</ins>" in page


def test_history_entries_cannot_be_changed_through_the_application(client, clerk, approved):
    client.force_login(clerk)
    before = ProjectTable.history.filter(id=approved.pk).count()

    for method in (client.post, client.put, client.delete):
        assert method(reverse("table_history", args=[approved.pk])).status_code == 405
    assert ProjectTable.history.filter(id=approved.pk).count() == before


def test_a_clerk_of_another_unit_gets_404_on_history_and_diff(client, other_clerk, approved, edited):
    client.force_login(other_clerk)

    for name in ("table_history", "table_diff"):
        assert client.get(reverse(name, args=[edited.pk])).status_code == 404


def test_goal_deleted_in_a_revision_shows_as_removed(approved, clerk):
    new = workflow.reopen(approved, clerk)
    Goal.objects.create(table=new, text="新增一条目标。", order=5)

    rows = changes.compare(approved, new).goals

    assert [(r.kind, r.changes[0].new) for r in rows] == [("added", "新增一条目标。")]
