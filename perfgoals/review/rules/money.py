"""适当性 / 可行性 of the money: totals add up, the spending plan is cumulative, amounts agree.

Amounts are compared exactly as stored (万元 to the 分) and named in the table's own unit.

The sum and the spending plan are checked by perfgoals.goals.checks, which the editor's
header form calls too: the form refuses what these rules report.
"""

import re
from decimal import Decimal

from perfgoals.goals import checks, values
from perfgoals.review.rules.common import indicators, is_not_applicable
from perfgoals.review.rules.registry import (
    APPROPRIATENESS, COMPLETENESS, ERROR, FEASIBILITY, FIELD, HINT, INDICATOR, TABLE, flag, is_on, rule,
)

# "预算数85.27万元", "一般公共预算资金共计4000万元", "合计20万元": the stated total of the project.
PROSE_TOTAL = re.compile(
    r"(?:预算数|预算资金|预算|共计|合计|总计|总额)[^0-9。；;，,]{0,8}?(\d+(?:\.\d+)?)\s*(亿元|万元|千元|元)"
)


@rule("MONEY_SUM_MISMATCH", ERROR, APPROPRIATENESS, "财政资金 + 其他资金 应等于 预算数",
      example_bad="预算数 50.00，财政资金 40.00，其他资金 0", example_fix="预算数 50.00，财政资金 50.00，其他资金 0")
def sum_mismatch(table):
    if message := checks.budget_sum_error(table.budget_total, table.budget_fiscal, table.budget_other, unit_of(table)):
        yield flag(message, FIELD, "budget_total")


@rule("MONEY_SPENDING_PLAN", ERROR, FEASIBILITY, "资金支出计划是累计进度：不能下降，12月底应为 100%",
      example_bad="3月底 50%，6月底 30%，10月底 80%，12月底 90%",
      example_fix="3月底 25%，6月底 50%，10月底 80%，12月底 100%（80、80、80、100 也可以）")
def spending_plan(table):
    if all(share is None for share in table.spending_plan):
        return  # not filled yet: HEADER_MISSING says so
    for field, message in checks.spending_plan_errors(table.spending_plan):
        yield flag(message, FIELD, field)


@rule("MONEY_COST_OVER_BUDGET", ERROR, APPROPRIATENESS, "成本指标的金额超过了项目预算",
      example_bad="预算数 70万元，成本指标：项目成本 ≤90万元", example_fix="项目成本 ≤70万元")
def cost_over_budget(table):
    budget = table.budget_total
    if budget is None:
        return
    for i in indicators(table):
        v = i.value
        if not i.level2.is_cost or v.kind != values.QUANTITATIVE or v.operator in ("≥", ">"):
            continue
        amount = values.to_wan(v.number, v.unit)
        if amount is not None and amount > budget:
            unit = unit_of(table)
            yield flag(f"成本指标“{i.name}”为 {values.format_value(v)}，超过项目预算数 {values.format_wan(budget, unit)}："
                       f"请核对金额和单位（表中金额以{unit}计）。", INDICATOR, "number", i.pk)


def unit_of(table) -> str:
    """The unit the table's amounts are printed (and named) in: its framework's, 万元 or 元."""
    return table.framework.amount_unit if table.framework_id else "万元"


def is_amount(value: values.Value) -> bool:
    """A sum of money: 70万元, 800000元, 1500元/人."""
    return value.kind == values.QUANTITATIVE and value.number is not None and (
        values.to_wan(value.number, value.unit) is not None or value.unit.split("/")[0].endswith("元")
    )


@rule("MONEY_COST_MISSING", ERROR, COMPLETENESS, "成本指标要有以金额计的经济成本（财预〔2021〕101号）；"
      "确不涉及的成本类别填“不涉及”", default_on=False,
      example_bad="成本指标只有：社会成本指标 不利影响 减少（没有经济成本）",
      example_fix="经济成本指标：项目总成本 ≤70万元；社会成本指标：不利影响 减少；生态环境成本指标：不涉及")
def cost_missing(table):
    if not table.framework_id:
        return
    categories = [l2 for l2 in table.framework.level2_list() if l2.is_cost]
    if not categories:
        return
    rows = [i for i in indicators(table) if i.level2.is_cost]
    if any(is_not_applicable(i) or is_amount(i.value) for i in rows):
        return
    names = "、".join(dict.fromkeys(l2.name for l2 in categories))
    if rows:
        yield flag(f"成本指标只有“{rows[0].name}”等比率或文字，没有以金额计的成本：请在{categories[0].name}下写明项目的"
                   f"直接成本，如“项目总成本 ≤{values.format_wan(table.budget_total or 70)}”（不超过预算数）；"
                   f"确不涉及的，在成本指标中填“不涉及”并在指标解释中说明理由。", TABLE, "indicators")
        return
    # With cost a level-1 category of its own, LEVEL1_MISSING already says it is empty.
    if is_on("LEVEL1_MISSING", table) and all(l2.is_cost for l2 in categories[0].level1.levels2.all()):
        return
    yield flag(f"本表没有成本指标（{names}）：请写明项目的直接成本，如“项目总成本 ≤"
               f"{values.format_wan(table.budget_total or 70)}”；确不涉及的，填“不涉及”并说明理由。",
               TABLE, "indicators")


def prose_totals(text: str) -> list[tuple[str, Decimal]]:
    """The totals a prose text states, as (the words, the amount in 万元)."""
    found = []
    for m in PROSE_TOTAL.finditer(text or ""):
        found.append((m.group(0), values.to_wan(Decimal(m.group(1)), m.group(2))))
    return found


@rule("MONEY_PROSE_MISMATCH", HINT, APPROPRIATENESS, "说明或资金用途中写的预算金额与表中预算数不一致",
      example_bad="预算数 85.27；资金用途：预算数58.27万元，用于……", example_fix="资金用途：预算数85.27万元，用于……")
def prose_mismatch(table):
    budget = table.budget_total
    if budget is None:
        return
    for field, label in (("fund_use", "资金用途"), ("explanation", "说明")):
        for words, amount in prose_totals(getattr(table, field)):
            if amount != budget:
                yield flag(f"{label}中写“{words}”，与表中预算数 {values.format_wan(budget, unit_of(table))} 不一致："
                           f"请统一为同一金额。", FIELD, field)
                break


FUNDING_COLUMNS = (("amount", "当年金额"), ("prior_amount_2", "上年金额"), ("prior_amount_1", "前年金额"))


@rule("MONEY_FUNDING_UNBALANCED", HINT, APPROPRIATENESS, "部门资金情况：收入构成合计与支出构成合计不一致",
      applies_to="plan", example_bad="收入：财政拨款 98577.39、其他资金 10597.65（合计 109175.04）；"
      "支出：基本支出 99611.05、项目支出 9564.46（合计 109175.51）",
      example_fix="核对各行金额，使收入合计与支出合计一致（如 基本支出 99610.58）")
def funding_unbalanced(plan):
    from perfgoals.goals.models import FundingLine

    for field, label in FUNDING_COLUMNS:
        income = plan.funding_total(FundingLine.INCOME, field)
        expense = plan.funding_total(FundingLine.EXPENSE, field)
        if income is not None and expense is not None and income != expense:  # to the 分
            yield flag(f"{label}的收入构成合计 {values.format_wan(income)}，支出构成合计 "
                       f"{values.format_wan(expense)}，相差 {values.format_wan(abs(income - expense))}：请核对各行金额"
                       f"，使收入与支出相符。", TABLE, "funding")
