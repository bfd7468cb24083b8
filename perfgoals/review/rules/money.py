"""适当性 / 可行性 of the money: totals add up, the spending plan is cumulative, amounts agree.

The sum and the spending plan are checked by perfgoals.goals.checks, which the editor's
header form calls too: the form refuses what these rules report.
"""

import re
from decimal import Decimal

from perfgoals.goals import checks, values
from perfgoals.review.rules.common import indicators
from perfgoals.review.rules.registry import (
    APPROPRIATENESS, ERROR, FEASIBILITY, FIELD, HINT, INDICATOR, flag, rule,
)

CENT = checks.CENT
# "预算数85.27万元", "一般公共预算资金共计4000万元", "合计20万元": the stated total of the project.
PROSE_TOTAL = re.compile(
    r"(?:预算数|预算资金|预算|共计|合计|总计|总额)[^0-9。；;，,]{0,8}?(\d+(?:\.\d+)?)\s*(亿元|万元|千元|元)"
)


@rule("MONEY_SUM_MISMATCH", ERROR, APPROPRIATENESS, "财政资金 + 其他资金 应等于 预算数",
      example_bad="预算数 50.00，财政资金 40.00，其他资金 0", example_fix="预算数 50.00，财政资金 50.00，其他资金 0")
def sum_mismatch(table):
    if message := checks.budget_sum_error(table.budget_total, table.budget_fiscal, table.budget_other):
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
        if amount is not None and amount > budget + CENT / 2:
            yield flag(f"成本指标“{i.name}”为 {values.format_value(v)}，超过项目预算数 {values.format_wan(budget)}："
                       f"请核对金额和单位（表中金额以万元计）。", INDICATOR, "number", i.pk)


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
            if abs(amount - budget) >= CENT:
                yield flag(f"{label}中写“{words}”，与表中预算数 {values.format_wan(budget)} 不一致："
                           f"请统一为同一金额。", FIELD, field)
                break
