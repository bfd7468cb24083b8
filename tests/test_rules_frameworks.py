"""Rules switched on or off per framework, and the rules the real tables of other provinces
call for (direction, rates under 数量指标, benefits under 成本, the 101号 cost block, the
department's money): each on a clean table and on a defective one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals.frameworks.models import Framework
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, Goal, Indicator, ProjectTable
from perfgoals.goals.values import find_level2, parse_value
from perfgoals.review import rules
from perfgoals.review.models import RuleSwitch
from perfgoals.review.rules.value_rules import direction

pytestmark = pytest.mark.django_db

MOF_ROWS = {  # a clean table of the 财预〔2021〕101号 framework: cost first
    "数量指标": ("培训人员人次", "≥150人次"),
    "质量指标": ("培训合格率", "≥98%"),
    "时效指标": ("培训按期完成率", "100%"),
    "经济成本指标": ("培训经费", "≤5万元"),
    "社会成本指标": ("对参训企业生产的不利影响", "减少"),
    "生态环境成本指标": ("生态环境成本", "不涉及"),
    "经济效益指标": ("企业生产事故损失下降", "明显下降"),
    "社会效益指标": ("排除安全隐患次数", "≥3次"),
    "生态效益指标": ("环境污染事故", "零发生"),
    "可持续影响指标": ("安全生产长效机制", "逐步健全"),
    "服务对象满意度指标": ("参训企业满意度", "≥95%"),
}


def review(doc) -> list:
    problems = rules.review_plan(doc) if isinstance(doc, DepartmentPlan) else rules.review_table(doc)
    assert not [p for p in problems if p.code == "RULE_CRASHED"], problems
    return problems


def on(problems, code: str, row=None) -> list:
    return [p for p in problems if p.code == code and (row is None or p.object_id == row.pk)]


def fresh(table):
    return type(table).objects.get(pk=table.pk)


def set_value(row, text: str, name: str | None = None):
    row.name = name or row.name
    row.value = parse_value(text, name=row.name)
    row.save()
    return row


def row(table, level2_name: str) -> Indicator:
    return table.indicators.get(level2__name=level2_name)


def switch(framework_code: str, code: str, enabled: bool, severity: str = "") -> RuleSwitch:
    framework = Framework.objects.get(code=framework_code)
    return RuleSwitch.objects.update_or_create(
        framework=framework, code=code, defaults={"enabled": enabled, "severity": severity}
    )[0]


@pytest.fixture
def mof(db) -> Framework:
    return Framework.objects.get(code="mof-2021")


@pytest.fixture
def make_mof_table(unit, mof):
    def make(**fields) -> ProjectTable:
        table = ProjectTable.objects.create(**{
            "unit": unit, "year": 2026, "framework": mof, "project_code": "13099926P000000000101",
            "project_name": "安全生产培训经费", "budget_total": Decimal(5), "budget_fiscal": Decimal(5),
            "budget_other": Decimal(0), "fund_use": "用于组织全县安全生产专题培训。", "spend_mar": Decimal(25),
            "spend_jun": Decimal(50), "spend_oct": Decimal(75), "spend_dec": Decimal(100), **fields,
        })  # fmt: skip
        Goal.objects.create(table=table, text="组织全县安全生产专题培训，提高企业安全管理水平。", order=1)
        for order, level2 in enumerate(mof.level2_list()):
            name, value = MOF_ROWS[level2.name]
            set_value(Indicator(table=table, level2=level2, name=name, description=f"{name}的计算口径和考核方法",
                                basis="计划标准", order=order), value)  # fmt: skip
        return table

    return make


def test_the_clean_101_table_has_no_problem_at_all(make_mof_table):
    assert review(make_mof_table()) == []


# Switches

def test_a_rule_switched_off_for_a_framework_no_longer_checks_its_tables(make_table, make_mof_table):
    hebei_table, mof_table = make_table(), make_mof_table()
    hebei_row = set_value(row(hebei_table, "数量指标"), "≥150")
    mof_row = set_value(row(mof_table, "数量指标"), "≥150")
    assert on(review(fresh(hebei_table)), "VALUE_NO_UNIT", hebei_row)
    switch("hebei-project", "VALUE_NO_UNIT", False)
    assert not on(review(fresh(hebei_table)), "VALUE_NO_UNIT")
    assert on(review(fresh(mof_table)), "VALUE_NO_UNIT", mof_row)[0].severity == "error"


def test_a_rule_off_by_default_checks_only_the_frameworks_switched_on(make_table):
    table = make_table()
    set_value(row(table, "成本指标"), "≤100%", name="成本控制率")
    assert not on(review(fresh(table)), "MONEY_COST_MISSING")
    switch("hebei-project", "MONEY_COST_MISSING", True)
    assert on(review(fresh(table)), "MONEY_COST_MISSING")


def test_a_framework_may_make_a_rules_error_a_hint_that_the_clerk_can_keep(make_table, make_mof_table):
    from perfgoals.review.outcome import review_document

    hebei_table, mof_table = make_table(), make_mof_table()
    set_value(row(hebei_table, "数量指标"), "≥150")
    set_value(row(mof_table, "数量指标"), "≥150")
    switch("hebei-project", "VALUE_NO_UNIT", True, severity="hint")
    [hint] = on(review(fresh(hebei_table)), "VALUE_NO_UNIT")
    assert hint.severity == "hint" and review_document(fresh(hebei_table)).errors == 0
    assert on(review(fresh(mof_table)), "VALUE_NO_UNIT")[0].severity == "error"


def test_the_shipped_frameworks_switch_on_the_cost_rule_for_101_only():
    switches = {(s.framework.code, s.code): s.enabled for s in RuleSwitch.objects.select_related("framework")}
    assert switches == {("mof-2021", "MONEY_COST_MISSING"): True}


# Direction

@pytest.mark.parametrize("name, value, flagged", [
    ("逾期发放率", "≥100%", True),
    ("逾期发放率", "≤0%", False),
    ("投诉率", "60%", True),
    ("投诉办结率", "≥95%", False),
    ("差错率", "≤1%", False),
    ("违法违规案件发生率", "<5%", False),
    ("违法违规案件发生率", "≥5%", True),
    ("安全事故起数", "≥2起", True),
    ("安全事故起数", "0起", False),
    ("安全事故应急演练次数", "≥2次", False),
    ("群众满意度", "≤80%", True),
    ("群众满意度", "≥90%", False),
    ("验收合格率", "≤100%", False),
    ("就学补助及时发放率", "≥100%", False),
    ("不合格率", "≥95%", True),
])  # fmt: skip
def test_a_value_pointing_the_wrong_way_is_hinted(make_table, name, value, flagged):
    table = make_table()
    indicator = set_value(row(table, "质量指标"), value, name=name)
    found = on(review(fresh(table)), "VALUE_DIRECTION", indicator)
    assert bool(found) == flagged
    if flagged:
        assert found[0].severity == "hint" and f"“{name}”" in found[0].message and "方向反了" in found[0].message


def test_the_direction_message_says_what_to_write_instead(make_table):
    table = make_table()
    late = set_value(row(table, "质量指标"), "≥100%", name="逾期发放率")
    accidents = set_value(row(table, "社会效益指标"), "≥2起", name="安全事故起数")
    satisfied = set_value(row(table, "服务对象满意度指标"), "≤80%", name="群众满意度")
    problems = review(fresh(table))
    assert "请改为上限，如“≤5%”或“0%”" in on(problems, "VALUE_DIRECTION", late)[0].message
    assert "“0起”（零发生）" in on(problems, "VALUE_DIRECTION", accidents)[0].message
    assert "请改为下限，如“≥80%”" in on(problems, "VALUE_DIRECTION", satisfied)[0].message


def test_direction_reads_the_name():
    assert [direction(n) for n in ("逾期率", "事故发生率", "无安全事故", "满意度", "培训人次")] == [
        "lower", "lower", "", "higher", "",
    ]


# A percentage under 数量指标

def test_a_percentage_under_the_count_category_is_hinted(make_mof_table):
    table = make_mof_table()
    rate = set_value(row(table, "数量指标"), "≥90%", name="适龄儿童疫苗接种率")
    [problem] = on(review(fresh(table)), "FIT_RATE_UNDER_COUNT", rate)
    assert problem.field == "level2" and "质量指标" in problem.message and "“≥90%”" in problem.message


def test_a_count_under_the_count_category_and_a_rate_under_quality_are_not(make_mof_table):
    table = make_mof_table()
    set_value(row(table, "数量指标"), "≥1200人次", name="疫苗接种人次")
    set_value(row(table, "质量指标"), "≥90%", name="适龄儿童疫苗接种率")
    assert not on(review(fresh(table)), "FIT_RATE_UNDER_COUNT")


def test_a_rate_whose_words_name_another_category_is_said_once(make_mof_table):
    table = make_mof_table()
    timely = set_value(row(table, "数量指标"), "≥95%", name="补助资金发放及时率")
    problems = review(fresh(table))
    assert on(problems, "FIT_LEVEL2_MISMATCH", timely) and not on(problems, "FIT_RATE_UNDER_COUNT", timely)


# A benefit under a cost category

def test_a_benefit_under_a_cost_category_is_hinted_with_where_it_belongs(make_mof_table):
    table = make_mof_table()
    green = set_value(row(table, "生态环境成本指标"), "明显提升", name="提升绿化水平")
    [problem] = on(review(fresh(table)), "FIT_COST_IS_BENEFIT", green)
    assert "放在生态环境成本指标下" in problem.message and "请移到生态效益指标" in problem.message


def test_a_cost_that_says_it_is_reduced_is_a_cost(make_mof_table):
    table = make_mof_table()
    set_value(row(table, "生态环境成本指标"), "减少", name="施工扬尘对周边环境的不利影响")
    set_value(row(table, "经济成本指标"), "≤5万元", name="提高培训效率所需经费")
    assert not on(review(fresh(table)), "FIT_COST_IS_BENEFIT")


# 经济成本 and the budget (MONEY_COST_OVER_BUDGET, on every framework with cost categories)

def test_an_economic_cost_above_the_budget_is_an_error(make_mof_table):
    table = make_mof_table(budget_total=Decimal(70), budget_fiscal=Decimal(70))
    cost = set_value(row(table, "经济成本指标"), "≤70万元", name="疾病预防控制中心经费")
    assert not on(review(fresh(table)), "MONEY_COST_OVER_BUDGET")
    set_value(cost, "≤800000元")
    [problem] = on(review(fresh(table)), "MONEY_COST_OVER_BUDGET", cost)
    assert problem.severity == "error" and "超过项目预算数 70万元" in problem.message


def test_in_a_yuan_table_amounts_are_compared_to_the_fen_and_named_in_yuan(make_mof_table, mof):
    mof.amount_unit = "元"
    mof.save()
    budget = Decimal("12.345678")  # 123,456.78 元
    table = make_mof_table(budget_total=budget, budget_fiscal=budget)
    cost = set_value(row(table, "经济成本指标"), "≤123456.78元", name="疾病预防控制中心经费")
    assert not on(review(fresh(table)), "MONEY_COST_OVER_BUDGET") and not on(review(fresh(table)), "MONEY_SUM_MISMATCH")
    set_value(cost, "≤123456.79元")
    [problem] = on(review(fresh(table)), "MONEY_COST_OVER_BUDGET", cost)
    assert "超过项目预算数 123,456.78元" in problem.message and "表中金额以元计" in problem.message
    ProjectTable.objects.filter(pk=table.pk).update(budget_other=Decimal("0.000001"))  # one 分 too many
    [problem] = on(review(fresh(table)), "MONEY_SUM_MISMATCH")
    assert "其他资金 0.01元 = 123,456.79元，与预算数 123,456.78元 不符" in problem.message


# The 101号 cost block (MONEY_COST_MISSING, switched on for mof-2021)

def test_a_101_table_whose_costs_name_no_amount_is_an_error(make_mof_table):
    table = make_mof_table()
    set_value(row(table, "经济成本指标"), "≤100%", name="成本控制率")
    set_value(row(table, "生态环境成本指标"), "减少", name="对生态的不利影响")
    [problem] = on(review(fresh(table)), "MONEY_COST_MISSING")
    assert problem.severity == "error" and "没有以金额计的成本" in problem.message
    assert "经济成本指标" in problem.message and "≤5万元" in problem.message


def test_a_cost_row_marked_not_applicable_is_enough(make_mof_table):
    table = make_mof_table()
    row(table, "经济成本指标").delete()
    assert row(table, "生态环境成本指标").value.text == "不涉及"
    assert not on(review(fresh(table)), "MONEY_COST_MISSING")


def test_a_101_table_without_any_cost_row_is_told_once(make_mof_table):
    table = make_mof_table()
    table.indicators.filter(level2__level1__name="成本指标").delete()
    problems = review(fresh(table))
    assert [p.message for p in on(problems, "LEVEL1_MISSING")] == [
        "一级指标“成本指标”下没有任何三级指标：请至少设置一个成本指标。"
    ]
    assert not on(problems, "MONEY_COST_MISSING")


def test_where_cost_is_one_level2_row_the_switched_on_rule_says_it_is_missing(make_table):
    chengde = Framework.objects.get(code="chengde-2020")
    table = make_table(framework=chengde)
    Indicator.objects.filter(table=table).delete()
    for name in ("数量指标", "经济效益指标", "服务对象满意度指标"):
        level2 = find_level2(chengde, name)
        set_value(Indicator(table=table, level2=level2, name=f"{name}测试满意度", description="测试用的指标描述"), "≥90%")
    assert not on(review(fresh(table)), "MONEY_COST_MISSING")
    switch("chengde-2020", "MONEY_COST_MISSING", True)
    [problem] = on(review(fresh(table)), "MONEY_COST_MISSING")
    assert problem.message.startswith("本表没有成本指标（成本指标）")


# The department's money (MONEY_FUNDING_UNBALANCED)

def plan_with_funding(unit, income: list[str], expense: list[str]) -> DepartmentPlan:
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="保障教育事业健康发展。")
    for kind, amounts in ((FundingLine.INCOME, income), (FundingLine.EXPENSE, expense)):
        for order, amount in enumerate(amounts):
            FundingLine.objects.create(plan=plan, kind=kind, name=f"{kind}{order}", order=order,
                                       prior_amount_2=Decimal(amount))  # fmt: skip
    return plan


def test_funding_whose_income_and_expense_differ_is_hinted(unit):
    plan = plan_with_funding(unit, ["98577.39", "10597.65"], ["99611.05", "9564.46"])
    [problem] = on(review(plan), "MONEY_FUNDING_UNBALANCED")
    assert problem.severity == "hint" and problem.field == "funding"
    assert problem.message == ("上年金额的收入构成合计 109175.04万元，支出构成合计 109175.51万元，相差 0.47万元："
                               "请核对各行金额，使收入与支出相符。")


def test_balanced_funding_is_not(unit):
    plan = plan_with_funding(unit, ["98577.39", "10597.65"], ["99611.05", "9563.99"])
    assert not on(review(plan), "MONEY_FUNDING_UNBALANCED")


def test_funding_one_fen_apart_is_hinted_and_to_the_fen_equal_is_not(unit):
    plan = plan_with_funding(unit, ["12.345678", "1"], ["13.345677"])
    [problem] = on(review(plan), "MONEY_FUNDING_UNBALANCED")
    assert "收入构成合计 13.345678万元，支出构成合计 13.345677万元，相差 0.000001万元" in problem.message
    plan.delete()
    assert not on(review(plan_with_funding(unit, ["12.345678", "1"], ["13.345678"])), "MONEY_FUNDING_UNBALANCED")


def test_direction_applies_to_department_indicators(unit):
    hubei = Framework.objects.get(code="hubei-department")
    plan = plan_with_funding(unit, ["1"], ["1"])
    plan.framework = hubei
    plan.save()
    level2 = find_level2(hubei, "质量指标")
    late = DepartmentIndicator(plan=plan, level1=level2.level1, level2=level2, name="办件逾期率")
    set_value(late, "≥95%")
    assert on(review(DepartmentPlan.objects.get(pk=plan.pk)), "VALUE_DIRECTION", late)


# The rules page and the admin

def test_the_rules_page_says_on_which_frameworks_each_rule_is_on(client, clerk):
    switch("chengde-2020", "VALUE_NO_UNIT", False)
    switch("hebei-project", "VALUE_NO_UNIT", True, severity="hint")
    client.force_login(clerk)
    page = client.get(reverse("review_rules")).content.decode()

    def cell(code: str) -> str:
        start = page.index(f'<tr id="{code}">')
        return page[start : page.index("</tr>", start)].rsplit("<td>", 1)[1]

    assert cell("MONEY_COST_MISSING").startswith("财政部2021年项目支出核心绩效指标体系<")
    assert cell("TEXT_TYPO").startswith("全部指标体系<")
    assert cell("VALUE_NO_UNIT").startswith("全部，除：承德市2020年预算项目绩效指标体系（河北省项目支出绩效指标体系：提示）<")
    assert cell("MONEY_FUNDING_UNBALANCED").startswith("全部指标体系<")


def test_an_administrator_switches_a_rule_on_the_frameworks_page_and_the_switch_list(client, admin_user, make_table):
    client.force_login(admin_user)
    hebei = Framework.objects.get(code="hebei-project")
    page = client.get(reverse("admin:frameworks_framework_change", args=[hebei.pk])).content.decode()
    assert "审核规则开关" in page and "MONEY_COST_MISSING 成本指标要有以金额计的经济成本" in page
    add = reverse("admin:review_ruleswitch_add")
    refused = client.post(add, {"framework": hebei.pk, "code": "NO_SUCH_RULE", "enabled": "on"})
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()
    assert not RuleSwitch.objects.filter(framework=hebei).exists()
    table = make_table()
    set_value(row(table, "数量指标"), "≥150")
    assert client.post(add, {"framework": hebei.pk, "code": "VALUE_NO_UNIT"}).status_code == 302  # 启用 unticked
    assert not on(review(fresh(table)), "VALUE_NO_UNIT")
