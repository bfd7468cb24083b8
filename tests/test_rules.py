"""The review rules: each one on a clean table and on a defective one; a crashing rule is contained.

Every test here reviews through `review_table` / `review_plan` below, which fail the test
when a rule crashed: the runner turns a crash into a RULE_CRASHED hint, which would
otherwise let a broken rule pass its test unnoticed.
"""

from decimal import Decimal

import pytest

from perfgoals.goals.models import (
    DepartmentIndicator, DepartmentPlan, Goal, Indicator, PlanItem, ProjectTable,
)
from perfgoals.goals import checks
from perfgoals.goals.forms import HeaderForm, NewPlanForm, NewTableForm, ValueForm
from perfgoals.goals.values import QUALITATIVE, QUANTITATIVE, Value, find_level2, parse_split, parse_value
from perfgoals.review import rules
from perfgoals.review.rules import ERROR, HINT, RULES, Problem, rule

pytestmark = pytest.mark.django_db


def codes(problems) -> set[str]:
    return {p.code for p in problems}


def no_crash(problems: list[Problem]) -> list[Problem]:
    crashed = [p.message for p in problems if p.code == "RULE_CRASHED"]
    assert not crashed, crashed
    return problems


def review_table(table) -> list[Problem]:
    return no_crash(rules.review_table(table))


def review_plan(plan) -> list[Problem]:
    return no_crash(rules.review_plan(plan))


def on(problems, code: str, indicator=None, field: str | None = None) -> list[Problem]:
    found = [p for p in problems if p.code == code]
    if indicator is not None:
        found = [p for p in found if p.object_id == indicator.pk]
    if field is not None:
        found = [p for p in found if p.field == field]
    return found


def indicator(table, level2_name: str) -> Indicator:
    return table.indicators.get(level2__name=level2_name)


def set_value(ind: Indicator, text: str, name: str | None = None) -> Indicator:
    if name is not None:
        ind.name = name
    ind.value = parse_value(text, name=ind.name)
    ind.save()
    return ind


def fresh(table) -> ProjectTable:
    return ProjectTable.objects.get(pk=table.pk)


def set_split(ind: Indicator, operator: str, number: str, unit: str) -> Indicator:
    """The value as read from separate cells (比较符, 指标值, 计量单位)."""
    ind.value = parse_split(operator, number, unit, name=ind.name)
    ind.save()
    return ind


def only(table, code: str, indicator=None) -> Problem:
    """The one problem `code` (on `indicator`, if given) the review of the saved table finds; fails on any other count."""
    [problem] = on(review_table(fresh(table)), code, indicator)
    return problem


def test_the_clean_table_has_no_problem_at_all(make_table):
    assert review_table(make_table()) == []


def test_every_rule_has_a_code_severity_criterion_title_and_examples():
    assert len({r.code for r in RULES}) == len(RULES) >= 20
    for r in RULES:
        assert r.severity in (ERROR, HINT) and r.criterion in ("完整性", "相关性", "适当性", "可行性")
        assert r.title and r.example_bad and r.example_fix, r.code


# 完整性

def test_it_requires_the_header_fields(make_table):
    table = make_table(project_code="", fund_use=" ", budget_total=None, budget_fiscal=None, budget_other=None)
    problems = review_table(table)
    assert {p.field for p in on(problems, "HEADER_MISSING")} == {"project_code", "fund_use", "budget_total"}
    assert all(p.severity == ERROR and "未填写" in p.message for p in on(problems, "HEADER_MISSING"))


def test_a_missing_budget_names_the_amount_the_prose_states(make_table):
    table = make_table(budget_total=None, budget_fiscal=None, budget_other=None,
                       explanation="2020年该项目主要安排一般公共预算资金共计4000万元。")
    [problem] = on(review_table(table), "HEADER_MISSING", field="budget_total")
    assert "4000万元" in problem.message


def test_it_requires_a_goal(make_table):
    table = make_table()
    table.goals.all().delete()
    assert on(review_table(fresh(table)), "NO_GOAL")[0].severity == ERROR


def test_it_requires_every_level1_and_in_hebei_every_level2(make_table):
    table = make_table()
    table.indicators.filter(level2__level1__name="满意度指标").delete()
    table.indicators.filter(level2__name="生态效益指标").delete()
    problems = review_table(fresh(table))
    assert ["满意度指标" in p.message for p in on(problems, "LEVEL1_MISSING")] == [True]
    missing = " ".join(p.message for p in on(problems, "LEVEL2_MISSING"))
    assert "生态效益指标" in missing and "服务对象满意度指标" in missing and "数量指标" not in missing


def test_frameworks_that_print_only_used_rows_do_not_require_every_level2(make_table, hebei):
    from perfgoals.frameworks.models import Framework

    chengde = Framework.objects.get(code="chengde-2020")
    table = make_table(framework=chengde)
    Indicator.objects.filter(table=table).delete()
    for l2 in chengde.level2_list()[:1] + chengde.level2_list()[4:5] + chengde.level2_list()[-1:]:
        set_value(Indicator(table=table, level2=l2, name=f"{l2.name}测试满意度", description="测试用的指标描述"), "≥90%")
    problems = review_table(fresh(table))
    assert not on(problems, "LEVEL2_MISSING") and not on(problems, "LEVEL1_MISSING")


def test_it_asks_for_one_quantitative_indicator(make_table):
    table = make_table()
    for ind in table.indicators.all():
        set_value(ind, "明显提升")
    assert on(review_table(fresh(table)), "NO_QUANTITATIVE")[0].severity == HINT
    assert not on(review_table(make_table(project_code="2")), "NO_QUANTITATIVE")


def test_it_flags_an_empty_value(make_table):
    table = make_table()
    ind = set_value(indicator(table, "数量指标"), "")
    assert on(review_table(fresh(table)), "VALUE_EMPTY", ind)[0].severity == ERROR


def test_it_flags_a_value_without_its_number_or_words(make_table):
    table = make_table()
    Indicator.objects.filter(pk=indicator(table, "数量指标").pk).update(number=None)
    Indicator.objects.filter(pk=indicator(table, "生态效益指标").pk).update(text=" ")
    problems = on(review_table(fresh(table)), "VALUE_EMPTY")
    assert [(p.field, p.message) for p in problems] == [
        ("number", "“培训人员人次”的定量指标值必须填写数值，如 ≥20项。"),
        ("text", "“环境污染事故”的定性指标值必须填写描述，如 作用明显。"),
    ]
    assert not on(review_table(fresh(table)), "VALUE_NO_UNIT")


@pytest.mark.parametrize("value, missing", [
    (Value(), None),  # not begun: a draft may be saved so; VALUE_EMPTY reports it
    (Value(QUANTITATIVE, "≥", Decimal(20), "项"), None),
    (Value(QUALITATIVE, "", None, "", "作用明显"), None),
    (Value(QUANTITATIVE, "≥", None, "项"), "number"),
    (Value(QUALITATIVE, "", None, "", "  "), "text"),
    (Value(QUANTITATIVE, raw="≥80数量"), None),  # kept verbatim: nothing is missing
])  # fmt: skip
def test_value_missing_names_the_missing_part(value, missing):
    found = checks.value_missing(value)
    assert (found[0] if found else None) == missing


def test_the_model_and_the_form_refuse_what_value_missing_finds(make_table):
    from django.core.exceptions import ValidationError

    ind = indicator(make_table(), "生态效益指标")
    ind.text = ""
    with pytest.raises(ValidationError) as refused:
        ind.full_clean()
    assert refused.value.message_dict == {"text": ["定性指标值必须填写描述，如 作用明显。"]}
    form = ValueForm({"value_kind": QUANTITATIVE, "operator": "≥", "number": "", "unit": "项"})
    assert not form.is_valid() and form.errors["number"] == ["定量指标值必须填写数值，如 ≥20项。"]
    unreadable = ValueForm({"value_kind": QUANTITATIVE, "number": "二十"})
    assert not unreadable.is_valid() and unreadable.errors["number"] == ["指标值的数值应为数字，如 20 或 98.5。"]


# values

def test_a_unit_that_is_the_indicators_own_name_is_an_error(make_table):
    table = make_table()
    ind = set_value(indicator(table, "数量指标"), "≥80数量", name="数量")
    problem = only(table, "VALUE_UNIT_IS_NAME", ind)
    assert problem.severity == ERROR and problem.field == "unit" and "计量单位" in problem.message


def test_a_unit_that_is_another_indicators_name_says_which(make_table):
    table = make_table()
    set_value(indicator(table, "经济效益指标"), "≥60带动社会资金投资比", name="带动社会资金投资比")
    ind = set_value(indicator(table, "社会效益指标"), "≥60带动社会资金投资比", name="社会影响力增长率")
    problem = only(table, "VALUE_UNIT_IS_NAME", ind)
    assert "另一个指标“带动社会资金投资比”" in problem.message


def test_a_phrase_after_the_number_is_not_a_unit(make_table):
    table = make_table()
    ind = set_split(indicator(table, "质量指标"), ">=", "90.00", "达到国家验收要求")
    assert on(review_table(fresh(table)), "VALUE_UNIT_NOT_UNIT", ind)[0].severity == ERROR


def test_a_number_without_unit_is_an_error_but_zero_needs_none(make_table):
    table = make_table()
    ind = set_split(indicator(table, "服务对象满意度指标"), ">=", "80.00", "")
    zero = set_value(indicator(table, "社会效益指标"), "0")
    problems = review_table(fresh(table))
    assert on(problems, "VALUE_NO_UNIT", ind) and not on(problems, "VALUE_NO_UNIT", zero)


def test_a_rate_above_100_percent_is_an_error_but_a_growth_rate_is_not(make_table):
    table = make_table()
    rate = set_value(indicator(table, "服务对象满意度指标"), "≥120%")
    growth = set_value(indicator(table, "经济效益指标"), "≥150%", name="企业产值增长率")
    problems = review_table(fresh(table))
    assert on(problems, "VALUE_RATE_OVER_100", rate)[0].severity == ERROR
    assert not on(problems, "VALUE_RATE_OVER_100", growth)
    assert not on(review_table(make_table(project_code="2")), "VALUE_RATE_OVER_100")


def test_a_growth_rate_of_50_percent_or_more_is_marked_for_review(make_table):
    table = make_table()
    high = set_value(indicator(table, "经济效益指标"), "≥55%", name="业务增加值增长率")
    modest = set_value(indicator(table, "社会效益指标"), "≥8%", name="就业人数同比增长率")
    problems = review_table(fresh(table))
    assert on(problems, "VALUE_GROWTH_HIGH", high)[0].severity == HINT
    assert not on(problems, "VALUE_GROWTH_HIGH", modest)


def test_a_deadline_in_a_year_before_the_tables_is_hinted(make_table):
    table = make_table(year=2026)  # copied from the 2025 table, its dates left as they were
    stale = set_value(indicator(table, "时效指标"), "2025年12月底前", name="项目完成时间")
    cross_year = set_value(indicator(table, "质量指标"), "2025.07-2026.06", name="服务周期")
    current = set_value(indicator(table, "数量指标"), "2026年6月30日前", name="培训完成时间")
    goal = table.goals.get()
    goal.text = "2025年底前完成全县安全生产专题培训。"
    goal.save()

    problems = review_table(fresh(table))

    [hint] = on(problems, "VALUE_PAST_YEAR", stale)
    assert hint.severity == HINT and "2025 年的时间，早于本表的 2026 年度" in hint.message
    assert not on(problems, "VALUE_PAST_YEAR", cross_year) and not on(problems, "VALUE_PAST_YEAR", current)
    assert [p.object_id for p in on(problems, "VALUE_PAST_YEAR") if p.target == "goal"] == [goal.pk]
    assert not on(review_table(make_table(year=2026, project_code="2")), "VALUE_PAST_YEAR")


def test_a_count_or_rate_with_a_phrase_as_value_is_hinted(make_table):
    table = make_table()
    ind = set_value(indicator(table, "数量指标"), "明显增加", name="招商活动次数")
    problem = only(table, "VALUE_QUALITATIVE_COUNT", ind)
    assert "数量" in problem.message


# text

def test_a_description_repeating_the_name_is_hinted(make_table):
    table = make_table()
    ind = indicator(table, "成本指标")
    ind.name, ind.description = "成本控制", "成本控制"
    ind.save()
    assert on(review_table(fresh(table)), "TEXT_DESCRIPTION_IS_NAME", ind)[0].field == "description"


def test_a_repeated_goal_is_an_error_on_the_repeat(make_table):
    table = make_table()
    table.goals.all().delete()
    goals = [Goal.objects.create(table=table, text=f"{n}.拨付企业预交款", order=n) for n in (1, 2, 3)]
    problems = on(review_table(fresh(table)), "TEXT_GOAL_REPEATED")
    assert [p.object_id for p in problems] == [goals[1].pk, goals[2].pk]
    assert all(p.severity == ERROR for p in problems)


def test_the_same_indicator_twice_is_hinted_on_the_repeat_only(make_table):
    table = make_table()
    assert indicator(table, "数量指标").name == "培训人员人次"
    second = set_value(indicator(table, "社会效益指标"), "≥100人次", name="培训人员人次")
    problem = only(table, "TEXT_INDICATOR_REPEATED")
    assert (problem.object_id, problem.severity) == (second.pk, HINT)
    assert "“培训人员人次”在表中出现了 2 次" in problem.message


def test_too_short_goals_and_descriptions_are_hinted(make_table):
    table = make_table()
    Goal.objects.create(table=table, text="2.招商引资", order=2)
    ind = indicator(table, "数量指标")
    ind.description = "按期"
    ind.save()
    problems = on(review_table(fresh(table)), "TEXT_TOO_SHORT")
    assert {p.target for p in problems} == {"goal", "indicator"}


def test_a_likely_typo_suggests_the_known_word(make_table):
    table = make_table()
    ind = set_value(indicator(table, "经济效益指标"), "明显提升", name="经济效意")
    problem = only(table, "TEXT_TYPO", ind)
    assert "经济效益" in problem.message
    assert not on(review_table(make_table(project_code="2")), "TEXT_TYPO")


# fit

def test_an_indicator_under_the_wrong_level2_is_hinted(make_table):
    table = make_table()
    timely = set_value(indicator(table, "时效指标"), "≥15个", name="招商活动签约项目数")
    eco = set_value(indicator(table, "生态效益指标"), "100%", name="结果准确性")
    problems = review_table(fresh(table))
    assert "数量指标" in on(problems, "FIT_LEVEL2_MISMATCH", timely)[0].message
    assert "质量指标" in on(problems, "FIT_LEVEL2_MISMATCH", eco)[0].message


def test_counts_fit_the_benefit_categories(make_table):
    table = make_table()
    ind = set_value(indicator(table, "经济效益指标"), "≥10个", name="技改及增资项目数量")
    assert not on(review_table(fresh(table)), "FIT_LEVEL2_MISMATCH", ind)


# money

def test_fiscal_plus_other_must_equal_the_budget(make_table):
    problems = review_table(make_table(budget_total=Decimal("50"), budget_fiscal=Decimal("40"), budget_other=Decimal("0")))
    [problem] = on(problems, "MONEY_SUM_MISMATCH")
    assert problem.severity == ERROR and "40万元" in problem.message
    assert not on(review_table(make_table(project_code="2", budget_other=None)), "MONEY_SUM_MISMATCH")


def test_parts_adding_up_to_more_than_the_budget_are_an_error(make_table):
    table = make_table(budget_total=Decimal("5"), budget_fiscal=Decimal("5"), budget_other=Decimal("2"))
    [problem] = on(review_table(table), "MONEY_SUM_MISMATCH")
    assert problem.field == "budget_total" and "= 7万元，与预算数 5万元 不符" in problem.message


@pytest.mark.parametrize("total, fiscal, other, wrong", [
    ("50", "50", "0", ""),
    ("50", "30", "20", ""),
    ("50", "50", None, ""),  # a blank part counts as 0
    ("50", None, None, ""),  # no parts yet: incomplete, not wrong
    (None, "40", "10", ""),  # no total yet
    ("50", "40", "0", "财政资金 40万元 + 其他资金 0万元 = 40万元，与预算数 50万元 不符"),
    ("50", "40", "20", "= 60万元，与预算数 50万元 不符"),
    ("50", "60", None, "其他资金 （空） = 60万元"),
    ("85.27", "85.26", "0", "= 85.26万元，与预算数 85.27万元"),
])  # fmt: skip
def test_budget_sum_error_says_how_the_parts_miss_the_total(total, fiscal, other, wrong):
    message = checks.budget_sum_error(*(None if v is None else Decimal(v) for v in (total, fiscal, other)))
    assert (wrong in message and message.startswith("预算数应等于财政资金与其他资金之和")) if wrong else message == ""


@pytest.mark.parametrize("plan, bad_field", [
    ((80, 80, 80, 100), None),
    ((None, None, None, 100), None),
    ((50, 30, 80, 100), "spend_jun"),
    ((25, 50, 75, 90), "spend_dec"),
    ((25, 50, 75, None), "spend_dec"),
])  # fmt: skip
def test_the_spending_plan_is_cumulative_and_ends_at_100(make_table, plan, bad_field):
    spend = dict(zip(["spend_mar", "spend_jun", "spend_oct", "spend_dec"], plan))
    problems = on(review_table(make_table(**{k: v if v is None else Decimal(v) for k, v in spend.items()})),
                  "MONEY_SPENDING_PLAN")
    assert [p.field for p in problems] == ([bad_field] if bad_field else [])


@pytest.mark.parametrize("plan, errors", [
    ((25, 50, 75, 100), []),
    ((80, 80, 80, 100), []),
    ((None, 50, None, 100), []),
    ((None, None, None, None), [("spend_dec", "资金支出计划是累计进度，12月底应为 100%。")]),
    ((50, 60, 55, 100), [("spend_oct", "资金支出计划是累计进度，10月底（55%）不能小于6月底（60%）。")]),
    ((50, 30, 40, 100), [("spend_jun", "资金支出计划是累计进度，6月底（30%）不能小于3月底（50%）。"),
                         ("spend_oct", "资金支出计划是累计进度，10月底（40%）不能小于3月底（50%）。")]),
    ((25, 50, 75, 90), [("spend_dec", "资金支出计划是累计进度，12月底应为 100%。")]),
    ((25.5, 50, 75, 100), []),
])  # fmt: skip
def test_spending_plan_errors_name_the_month_and_the_earlier_one_it_falls_below(plan, errors):
    assert checks.spending_plan_errors([None if p is None else Decimal(str(p)) for p in plan]) == errors


def header_form(table, **changes) -> HeaderForm:
    data = {
        "project_code": table.project_code, "project_name": table.project_name, "fund_use": table.fund_use,
        "budget_total": "5", "budget_fiscal": "5", "budget_other": "0",
        "spend_mar": "25", "spend_jun": "50", "spend_oct": "75", "spend_dec": "100", **changes,
    }  # fmt: skip
    form = HeaderForm(data, instance=table)
    form.is_valid()
    return form


def test_the_header_form_refuses_what_the_money_rules_report(make_table):
    table = make_table()
    assert header_form(table).errors == {}
    more = header_form(table, budget_total="5", budget_fiscal="5", budget_other="2")
    assert more.errors["budget_total"] == [checks.budget_sum_error(Decimal(5), Decimal(5), Decimal(2))]
    falling = header_form(table, spend_jun="20")
    assert falling.errors["spend_dec"] == [checks.spending_plan_errors([Decimal(25), Decimal(20), Decimal(75), Decimal(100)])[0][1]]
    assert header_form(table, spend_mar="", spend_jun="", spend_oct="", spend_dec="").errors == {}  # blank: incomplete


def test_the_unique_project_code_is_the_model_constraint_in_every_form(make_table):
    first = make_table()
    second = make_table(project_code="2")
    message = "本单位该年度已有相同项目编码的绩效目标表。"
    assert header_form(second, project_code=first.project_code).errors == {"project_code": [message]}
    assert header_form(first).errors == {}  # its own code
    new = NewTableForm({"unit": first.unit_id, "year": first.year, "framework": first.framework_id,
                        "project_name": "新项目", "project_code": first.project_code},
                       units=[first.unit], frameworks=[first.framework])  # fmt: skip
    assert new.errors == {"project_code": [message]}
    next_year = NewTableForm({"unit": first.unit_id, "year": first.year + 1, "framework": first.framework_id,
                              "project_name": "新项目", "project_code": first.project_code},
                             units=[first.unit], frameworks=[first.framework])  # fmt: skip
    assert next_year.is_valid()


def test_one_plan_per_unit_and_year_is_the_model_constraint_in_the_form(unit):
    make_plan(unit)
    same_year = NewPlanForm({"unit": unit.pk, "year": 2026, "framework": ""}, units=[unit])
    assert same_year.errors == {"year": ["本单位该年度已有部门整体绩效目标。"]}
    assert NewPlanForm({"unit": unit.pk, "year": 2027, "framework": ""}, units=[unit]).is_valid()


def test_a_cost_above_the_budget_is_an_error_but_equal_is_fine(make_table):
    table = make_table(budget_total=Decimal("70"), budget_fiscal=Decimal("70"))
    cost = set_value(indicator(table, "成本指标"), "70万")
    assert not on(review_table(fresh(table)), "MONEY_COST_OVER_BUDGET")
    set_value(cost, "≤800000元")
    assert on(review_table(fresh(table)), "MONEY_COST_OVER_BUDGET", cost)[0].severity == ERROR


def test_the_prose_budget_must_agree_with_the_table(make_table):
    agreed = make_table(budget_total=Decimal("85.27"), budget_fiscal=Decimal("85.27"),
                        fund_use="预算数85.27万元，用于奖励。其中：甲项目奖励资金56.43万元；乙项目28.84万元。")
    assert not on(review_table(agreed), "MONEY_PROSE_MISMATCH")
    other = make_table(project_code="2", explanation="2020年该项目主要安排一般公共预算资金共计4000万元。")
    [problem] = on(review_table(other), "MONEY_PROSE_MISMATCH")
    assert problem.field == "explanation" and "4000万元" in problem.message


# department plans

def make_plan(unit, **fields) -> DepartmentPlan:
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="全力抓好项目建设，大力开展招商引资。", **fields)
    PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="营业收入、税收收入稳步增长。")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SAFEGUARD, text="严格落实重点项目分包责任制。")
    return plan


def test_a_complete_department_plan_has_no_problem(unit):
    assert review_plan(make_plan(unit)) == []


def test_a_department_plan_needs_overall_goal_sub_goals_and_safeguards(unit):
    plan = DepartmentPlan.objects.create(unit=unit, year=2026)
    assert codes(review_plan(plan)) >= {"PLAN_OVERALL_MISSING", "PLAN_NO_SUB_GOALS", "PLAN_NO_SAFEGUARDS"}


def test_value_rules_apply_to_department_indicators(unit):
    from perfgoals.frameworks.models import Framework

    hubei = Framework.objects.get(code="hubei-department")
    plan = make_plan(unit, framework=hubei)
    level2 = find_level2(hubei, "数量指标")
    ind = DepartmentIndicator(plan=plan, level1=level2.level1, level2=level2, name="商务接待次数")
    ind.value = parse_value("≥20商务接待次数", name=ind.name)
    ind.save()
    phrase = DepartmentIndicator(plan=plan, level1=level2.level1, level2=level2, name="外出招商次数")
    phrase.value = parse_value("≥前三年平均招商活动的次数", name=phrase.name)
    phrase.save()
    problems = review_plan(plan)
    assert on(problems, "VALUE_UNIT_IS_NAME", ind) and on(problems, "VALUE_QUALITATIVE_COUNT", phrase)


# bad input

def test_a_crashing_rule_is_reported_and_the_other_rules_still_run(make_table, caplog):
    @rule("TEST_CRASH", HINT, "可行性", "测试用：总是出错", example_bad="-", example_fix="-")
    def crash(table):
        raise ZeroDivisionError("boom")
        yield  # pragma: no cover

    try:
        table = make_table(budget_fiscal=Decimal("1"))
        problems = rules.review_table(table)  # the runner itself: this rule is meant to crash
    finally:
        RULES[:] = [r for r in RULES if r.code != "TEST_CRASH"]
    crashed = on(problems, "RULE_CRASHED")
    assert len(crashed) == 1 and "TEST_CRASH" in crashed[0].message
    assert on(problems, "MONEY_SUM_MISMATCH")
    assert "TEST_CRASH" in caplog.text


def test_a_header_only_table_is_reviewed_without_a_crash(unit):
    unsaved = ProjectTable(unit=unit, year=2026, project_name="")  # no framework, no rows
    problems = review_table(unsaved)
    assert "HEADER_MISSING" in codes(problems)
    assert not on(problems, "LEVEL1_MISSING") and not on(problems, "LEVEL2_MISSING")  # no framework yet


def test_huge_text_is_reviewed(make_table):
    table = make_table(fund_use="预算数5万元，用于培训。" * 20000, explanation="说明" * 100000)
    Goal.objects.create(table=table, text="组织培训" * 10000, order=2)
    problems = review_table(fresh(table))
    assert "RULE_CRASHED" not in codes(problems)
