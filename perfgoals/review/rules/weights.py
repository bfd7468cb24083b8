"""权重: where a framework prints a 权重 column, the weights of a table's indicators add up to 100.

A published table of 2023 (realworld/07, 井研县马踏镇) adds up to 90: the reviewer sends it back.
"""

from decimal import Decimal

from perfgoals.goals import values
from perfgoals.review.rules.common import indicators
from perfgoals.review.rules.registry import APPROPRIATENESS, ERROR, INDICATOR, TABLE, flag, rule

HUNDRED = Decimal("100")


def has_weight_column(table) -> bool:
    return table.framework_id is not None and any(c.key == "weight" for c in table.framework.columns.all())


@rule("WEIGHTS_SUM", ERROR, APPROPRIATENESS, "指标体系有“权重”列时，各项指标的权重合计应为 100",
      example_bad="8 项指标：1 项权重 20，7 项权重 10（合计 90）", example_fix="调整权重使合计为 100，如 2 项 20、6 项 10")
def weights_sum(table):
    if not has_weight_column(table):
        return
    rows = [i for i in indicators(table) if getattr(i, "horizon", "annual") == "annual"]
    if not rows:
        return
    missing = [i for i in rows if i.weight is None]
    for i in missing:
        yield flag(f"指标“{i.name}”没有填写权重。", INDICATOR, "weight", i.pk)
    total = sum((i.weight for i in rows if i.weight is not None), Decimal("0"))
    if not missing and total != HUNDRED:
        yield flag(f"各项指标的权重合计为 {values.format_number(total)}，应为 100：请调整权重。", TABLE, "indicators")
