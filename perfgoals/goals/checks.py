"""The checks the editor's forms, the models and the review share, each written once.

Each check is a small pure function over plain values that says in Chinese what is
wrong. The forms add its message to the field (perfgoals.goals.forms), the models raise
it (ValueFields.clean), and the review rules report it as a Problem
(perfgoals.review.rules.money, .completeness). The checks sit here, in goals, because
the forms and models call them and may not import from the review above them.

The unique project code per unit and year is not here: it is the database constraint
`table_unique_code_per_year` alone, which the forms validate (Model.validate_constraints).
"""

from __future__ import annotations

from decimal import Decimal

from perfgoals.goals.values import QUALITATIVE, QUANTITATIVE, Value, format_number, format_wan

# The cumulative spending plan (资金支出计划): field and label of each month.
SPENDING_PLAN = [("spend_mar", "3月底"), ("spend_jun", "6月底"), ("spend_oct", "10月底"), ("spend_dec", "12月底")]


def budget_sum_error(total: Decimal | None, fiscal: Decimal | None, other: Decimal | None, unit: str = "万元") -> str:
    """Why 财政资金 + 其他资金 does not make the 预算数 exactly (to the 分), or "", naming the
    amounts in the table's unit.

    A blank part counts as 0; without a total, or without both parts, nothing is wrong yet.
    """
    if total is None or (fiscal is None and other is None):
        return ""
    parts = (fiscal or 0) + (other or 0)
    if parts == total:
        return ""
    return (
        f"预算数应等于财政资金与其他资金之和：财政资金 {format_wan(fiscal, unit)} + 其他资金 {format_wan(other, unit)}"
        f" = {format_wan(parts, unit)}，与预算数 {format_wan(total, unit)} 不符，请核对三项金额。"
    )


def spending_plan_errors(plan: list[Decimal | None]) -> list[tuple[str, str]]:
    """(field, message) for each fault of a cumulative spending plan [3月底, 6月底, 10月底, 12月底]:
    a month below an earlier one, and 12月底 not 100%. A blank month plans nothing by then."""
    errors = []
    highest, highest_label = None, ""
    for (field, label), share in zip(SPENDING_PLAN, plan):
        if share is None:
            continue
        if highest is not None and share < highest:
            errors.append((field, f"资金支出计划是累计进度，{label}（{format_number(share)}%）"
                                  f"不能小于{highest_label}（{format_number(highest)}%）。"))
        else:
            highest, highest_label = share, label
    if plan[-1] is None or plan[-1] != 100:
        errors.append(("spend_dec", "资金支出计划是累计进度，12月底应为 100%。"))
    return errors


def rows_over_limit(rows: int, *, adding: bool = False, limit: int | None = None) -> str:
    """Why a table or plan of `rows` rows (a table's goals and indicators; a plan's items,
    indicators and funding lines) would be too big, or "". The editor asks before adding a
    row (`adding`), the importers before storing a document, the admin before saving a change
    form; the limit is settings.MAX_ROWS_PER_TABLE."""
    from django.conf import settings

    limit = settings.MAX_ROWS_PER_TABLE if limit is None else limit
    if rows <= limit:
        return ""
    what = "未添加" if adding else f"这里有 {rows} 行"
    return (f"每张绩效目标表（或部门整体绩效目标）最多 {limit} 行（绩效目标、指标等合计），{what}。"
            "请合并相近的行；确需更多时，请管理员调整上限。")


def value_missing(value: Value) -> tuple[str, str] | None:
    """What an indicator value lacks, as (field, message), or None.

    A 定量 value needs its number, a 定性 value its words; a value kept verbatim (raw)
    lacks nothing. A value not begun at all is no fault here: a draft may be saved so,
    and the review reports it (VALUE_EMPTY).
    """
    if value.raw:
        return None
    if value.kind == QUANTITATIVE and value.number is None:
        return "number", "定量指标值必须填写数值，如 ≥20项。"
    if value.kind == QUALITATIVE and not value.text.strip():
        return "text", "定性指标值必须填写描述，如 作用明显。"
    return None
