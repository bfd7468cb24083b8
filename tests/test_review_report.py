"""The review report over the seed library, its pages, kept hints and the explain page."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.review.models import KeptHint
from perfgoals.review.outcome import review_document
from perfgoals.review.rules import RULES
from perfgoals.units.models import Membership, Unit
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker) -> list[dict]:
    """`review_goals --format json` over the whole seed library, run once."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("review_goals", format="json", stdout=out)
    return json.loads(out.getvalue())


def table_report(report, unit: str, project_name: str, nth: int = 0) -> dict:
    found = [d for d in report if d["kind"] == "table" and d["unit"] == unit and d["project_name"] == project_name]
    return found[nth]


def flagged(doc: dict, code: str, indicator: str | None = None) -> list[dict]:
    """The problems with this code, at the indicator named (its location reads 三级指标「name」)."""
    return [p for p in doc["problems"] if p["code"] == code
            and (indicator is None or p["location"].startswith(f"三级指标「{indicator}」"))]  # fmt: skip


# Every row of domain.md's "Defects seen in the seeds", by rule code and location.

@pytest.mark.parametrize("project, nth, indicator", [
    ("偿还企业垫付资金", 0, "数量"),              # ≥80数量
    ("开发区招商引资工作经费", 0, "企业满意度"),    # ≥90企业满意度
    ("偿还企业垫付资金", 0, "对社会有积极影响"),    # ≥80对社会有积极影响
])  # fmt: skip
def test_it_finds_units_replaced_by_the_indicators_name(report, project, nth, indicator):
    [problem] = flagged(table_report(report, "926001", project, nth), "VALUE_UNIT_IS_NAME", indicator)
    assert problem["severity"] == "error"


def test_it_finds_the_same_goal_repeated(report):
    doc = table_report(report, "926001", "偿还企业垫付资金")
    assert [p["location"] for p in flagged(doc, "TEXT_GOAL_REPEATED")] == ["绩效目标第 2 条", "绩效目标第 3 条"]


def test_it_finds_descriptions_that_merely_repeat_the_name(report):
    assert flagged(table_report(report, "926001", "开发区招商引资工作经费"), "TEXT_DESCRIPTION_IS_NAME", "成本控制")
    assert flagged(table_report(report, "U067906", "重点产业扶持资金"), "TEXT_DESCRIPTION_IS_NAME", "扶持企业范围")


def test_it_finds_a_value_that_belongs_to_another_indicator(report):
    [problem] = flagged(table_report(report, "926001", "招商服务费"), "VALUE_UNIT_IS_NAME", "社会影响力增长率")
    assert "带动社会资金投资比" in problem["message"]


def test_it_finds_indicators_under_the_wrong_level2(report):
    [eco] = flagged(table_report(report, "322001", "安全生产培训经费"), "FIT_LEVEL2_MISMATCH", "结果准确性")
    assert eco["location"] == "三级指标「结果准确性」（生态效益指标）"
    [timely] = flagged(table_report(report, "322001", "招商资金"), "FIT_LEVEL2_MISMATCH", "招商活动签约项目数")
    assert "数量指标" in timely["message"]


def test_it_finds_quantitative_values_without_a_unit(report):
    census = table_report(report, "U067906", "第七次全国人口普查")
    assert flagged(census, "VALUE_UNIT_IS_NAME", "服务对象满意度") or flagged(census, "VALUE_UNIT_NOT_UNIT", "服务对象满意度")
    platform = table_report(report, "U067906", "商务平台专线维护费")
    assert flagged(platform, "VALUE_NO_UNIT", "使用人员对平台使用满意度")


def test_it_marks_implausible_growth_rates(report):
    doc = table_report(report, "322001", "各种展会参展经费")
    assert flagged(doc, "VALUE_GROWTH_HIGH", "中小企业出口总额同比增长率")
    assert flagged(doc, "VALUE_GROWTH_HIGH", "中小企业业务增加值增长率")


def test_a_legal_spending_plan_of_80_80_80_100_passes(report):
    assert not flagged(table_report(report, "U067906", "大数据展示中心企业用房租赁租金"), "MONEY_SPENDING_PLAN")
    everywhere = [p for d in report for p in d["problems"] if p["code"] == "MONEY_SPENDING_PLAN"]
    assert everywhere == []  # every seed plan is cumulative and ends at 100


def test_it_finds_the_misspelt_name(report):
    [problem] = flagged(table_report(report, "926001", "偿还企业垫付资金", nth=1), "TEXT_TYPO", "经济效意")
    assert "经济效益" in problem["message"]


def test_a_cost_equal_to_the_budget_passes(report):
    assert not flagged(table_report(report, "322001", "招商资金"), "MONEY_COST_OVER_BUDGET")  # 70万 of 70万元


def test_the_money_of_every_hebei_seed_table_adds_up(report):
    assert [p for d in report for p in d["problems"] if p["code"] == "MONEY_SUM_MISMATCH"] == []


def test_the_cleanest_seed_tables_have_no_error(report):
    for name in ("2018-2019年度招商引资奖励资金", "招商引资工作经费"):
        assert table_report(report, "321001", name)["errors"] == 0
    assert [d["errors"] for d in report if d["kind"] == "plan"] == [0, 0, 0, 0, 0]


def test_no_rule_crashes_on_any_seed_document(report):
    assert [(d["kind"], d.get("project_name"), p["message"]) for d in report for p in d["problems"]
            if p["code"] == "RULE_CRASHED"] == []  # fmt: skip


def test_every_indicator_problem_names_its_indicator(report):
    for doc in report:
        for p in doc["problems"]:
            if p["target"] == "indicator":
                assert p["object_id"] and p["location"].startswith("三级指标「"), p


# The command

def test_the_command_filters_by_unit_and_year_and_prints_text():
    out = StringIO()
    call_command("review_goals", unit="926001", year=2021, stdout=out)
    text = out.getvalue()
    assert "926001 河北定州经济开发区管理委员会本级 2021年 项目表「偿还企业垫付资金」" in text
    assert "[错误] VALUE_UNIT_IS_NAME 适当性 三级指标「数量」（数量指标）" in text
    assert "321001" not in text and "共审核 12 份" in text


def test_the_command_refuses_an_unknown_unit():
    with pytest.raises(CommandError, match="没有编码为 000000 的单位"):
        call_command("review_goals", unit="000000", stdout=StringIO())


# The pages

def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def seed_clerk(code: str):
    return make_user(f"clerk{code}", Unit.objects.get(code=code), Membership.CLERK)


def test_the_report_lists_only_the_users_units(client):
    login(client, seed_clerk("926001"))
    response = client.get(reverse("review_report"))
    assert response.status_code == 200
    assert "偿还企业垫付资金" in response.text and "安全生产培训经费" not in response.text
    assert "≥80数量" in response.text  # the message quotes the value, escaped and readable


def test_the_report_filters_by_unit_and_year(client, admin_user):
    login(client, admin_user)
    response = client.get(reverse("review_report"), {"unit": "322001", "year": "2022"})
    assert "安全生产培训经费" in response.text and "偿还企业垫付资金" not in response.text


def test_another_units_table_is_not_found(client, clerk, make_table, other_unit):
    login(client, clerk)
    table = make_table(unit=other_unit)  # not a template: the template library is open to everyone signed in
    assert client.get(reverse("review_table", args=[table.pk])).status_code == 404
    plan = DepartmentPlan.objects.create(unit=other_unit, year=2026)
    assert client.get(reverse("review_plan", args=[plan.pk])).status_code == 404


def test_the_review_page_requires_login(client):
    table = ProjectTable.objects.first()
    assert client.get(reverse("review_table", args=[table.pk])).status_code == 302


def test_the_explain_page_lists_every_rule_with_examples(client, clerk):
    login(client, clerk)
    response = client.get(reverse("review_rules"))
    assert "审核规则说明" in response.text
    for r in RULES:
        for text in (r.code, r.title, r.example_bad, r.example_fix):
            assert escape(text) in response.text


# Kept hints

def hint_key(table, code: str) -> dict:
    item = next(i for i in review_document(table).items if i.problem.code == code)
    p = item.problem
    return {"code": p.code, "target": p.target, "field": p.field, "object_id": p.object_id or ""}


@pytest.fixture
def own_table(make_table, clerk):
    table = make_table()
    ind = table.indicators.get(level2__name="成本指标")
    ind.description = ind.name
    ind.save()
    return ProjectTable.objects.get(pk=table.pk)


def test_a_clerk_keeps_a_hint_with_a_reason_and_the_reviewer_sees_it(client, clerk, supervisor, own_table):
    login(client, clerk)
    assert review_document(own_table).open_count == 1
    data = hint_key(own_table, "TEXT_DESCRIPTION_IS_NAME") | {"reason": "按上级文件口径填写"}
    response = client.post(reverse("review_table_keep", args=[own_table.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已保留：按上级文件口径填写" in response.text
    assert "<html" not in response.text  # the partial only
    kept = KeptHint.objects.get(table=own_table)
    assert kept.user == clerk and kept.code == "TEXT_DESCRIPTION_IS_NAME"
    assert review_document(own_table).open_count == 0
    client.logout()
    login(client, supervisor)
    page = client.get(reverse("review_table", args=[own_table.pk]))
    assert "已保留：按上级文件口径填写" in page.text and "保留此提示" not in page.text


def test_keeping_needs_a_reason(client, clerk, own_table):
    login(client, clerk)
    data = hint_key(own_table, "TEXT_DESCRIPTION_IS_NAME") | {"reason": "  "}
    response = client.post(reverse("review_table_keep", args=[own_table.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "请写明保留理由" in response.text
    assert not KeptHint.objects.exists()


def test_an_error_cannot_be_kept(client, clerk, make_table):
    table = make_table(budget_fiscal=1)
    login(client, clerk)
    data = hint_key(table, "MONEY_SUM_MISMATCH") | {"reason": "就是这样"}
    response = client.post(reverse("review_table_keep", args=[table.pk]), data)
    assert "错误不能保留" in response.text and not KeptHint.objects.exists()


def test_a_supervisor_cannot_keep_a_hint(client, supervisor, own_table):
    login(client, supervisor)
    data = hint_key(own_table, "TEXT_DESCRIPTION_IS_NAME") | {"reason": "理由"}
    assert client.post(reverse("review_table_keep", args=[own_table.pk]), data).status_code == 403


def test_another_units_clerk_cannot_keep_a_hint(client, other_clerk, own_table):
    login(client, other_clerk)
    data = hint_key(own_table, "TEXT_DESCRIPTION_IS_NAME") | {"reason": "理由"}
    assert client.post(reverse("review_table_keep", args=[own_table.pk]), data).status_code == 404


def test_a_kept_hint_can_be_withdrawn(client, clerk, own_table):
    key = hint_key(own_table, "TEXT_DESCRIPTION_IS_NAME")
    kept = KeptHint.objects.create(table=own_table, code=key["code"], target=key["target"], field=key["field"],
                                   object_id=key["object_id"], reason="先保留", user=clerk)
    login(client, clerk)
    response = client.post(reverse("review_table_unkeep", args=[own_table.pk, kept.pk]))
    assert response.status_code == 302 and not KeptHint.objects.exists()


def test_the_partial_escapes_user_text(client, clerk, make_table):
    table = make_table()
    ind = table.indicators.get(level2__name="成本指标")
    ind.name = ind.description = "<script>alert(1)</script>"
    ind.save()
    login(client, clerk)
    response = client.get(reverse("review_table", args=[table.pk]))
    assert "<script>alert(1)" not in response.text and "&lt;script&gt;" in response.text


def test_by_target_places_each_problem_beside_its_row_or_field(make_table):
    table = make_table(budget_fiscal=1)
    ind = table.indicators.get(level2__name="成本指标")
    ind.description = ind.name
    ind.save()
    placed = review_document(ProjectTable.objects.get(pk=table.pk)).by_target()
    assert [i.code for i in placed["indicator"][ind.pk]] == ["TEXT_DESCRIPTION_IS_NAME"]
    [money] = placed["field"]["budget_total"]
    assert money.code == "MONEY_SUM_MISMATCH" and money.severity_label == "错误" and "财政资金" in money.message
    assert placed["goal"] == {} and placed["plan_item"] == {} and placed["table"] == []


def keep(table, code: str, user) -> KeptHint:
    key = hint_key(table, code)
    return KeptHint.objects.create(table=table, code=key["code"], target=key["target"], field=key["field"],
                                   object_id=key["object_id"] or None, reason="按上级文件口径填写", user=user)


def test_a_kept_hint_is_not_counted_as_open(clerk, own_table):
    before = review_document(own_table)
    assert (before.errors, before.hints, before.kept, before.open_count) == (0, 1, 0, 1)
    keep(own_table, "TEXT_DESCRIPTION_IS_NAME", clerk)
    after = review_document(own_table)
    assert (after.errors, after.hints, after.kept, after.open_count) == (0, 0, 1, 0)
    assert after.open_problems == [] and [p.code for p in after.problems] == ["TEXT_DESCRIPTION_IS_NAME"]
    [item] = after.by_target()["indicator"].values()
    assert item[0].kept is not None  # still shown beside its row, marked as kept


def test_errors_stay_open_and_come_first(make_table):
    table = make_table(budget_fiscal=1, spend_dec=90)
    review = review_document(table)
    assert review.errors == 2 and review.open_count == 2
    assert [p.code for p in review.open_problems] == ["MONEY_SUM_MISMATCH", "MONEY_SPENDING_PLAN"]


def test_by_target_sends_fields_the_page_does_not_show_to_the_top(make_table):
    table = make_table(budget_fiscal=1, fund_use="")
    placed = review_document(table).by_target(shown_fields=["budget_total"])
    assert list(placed["field"]) == ["budget_total"]
    assert [(i.code, i.field) for i in placed["table"]] == [("HEADER_MISSING", "fund_use")]


def test_submitting_ignores_kept_hints_and_is_refused_by_errors(clerk, own_table, make_table):
    from perfgoals.workflow import workflow

    keep(own_table, "TEXT_DESCRIPTION_IS_NAME", clerk)
    assert workflow.problems_of(own_table) == []
    assert workflow.submit(own_table, clerk).status == "submitted"
    wrong = make_table(project_code="2", budget_fiscal=1)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.submit(wrong, clerk)
    assert [p.code for p in refused.value.problems] == ["MONEY_SUM_MISMATCH"]


def test_the_export_flags_come_from_the_review(make_table):
    from perfgoals.exchange.jsonexport import table_to_dict

    table = make_table(budget_fiscal=1)
    ind = table.indicators.get(level2__name="成本指标")
    ind.description = ind.name
    ind.save()
    exported = table_to_dict(ProjectTable.objects.get(pk=table.pk))
    assert exported["flags"] == ["MONEY_SUM_MISMATCH"]
    assert {i["name"]: i["flags"] for i in exported["indicators"]}["培训经费"] == ["TEXT_DESCRIPTION_IS_NAME"]
