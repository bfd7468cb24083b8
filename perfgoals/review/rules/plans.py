"""完整性 of a department plan (部门整体绩效目标).

Two forms are in use: the text form (总体绩效目标, 分项绩效目标, 工作保障措施) and the Hubei
table form (年度目标 with long-term and annual indicator tables). A plan with indicators
is read as the table form; the value rules apply to its indicators as to a project table's.
"""

from perfgoals.review.rules.common import clean_text, indicators
from perfgoals.review.rules.registry import COMPLETENESS, ERROR, FIELD, HINT, PLAN_ITEM, RELEVANCE, TABLE, flag, rule


def _items(plan, kind: str) -> list:
    return [i for i in plan.items.all() if i.kind == kind and i.text.strip()] if plan.pk else []


@rule("PLAN_OVERALL_MISSING", ERROR, COMPLETENESS, "部门整体绩效目标必须写明总体绩效目标（或年度目标）",
      applies_to="plan", example_bad="总体绩效目标为空", example_fix="总体绩效目标：全年签约亿元以上项目不少于330个……")
def overall_missing(plan):
    if not plan.overall_goal.strip() and not plan.annual_goal.strip():
        yield flag("没有填写总体绩效目标：请概括本年度部门要完成的主要任务和预期效果。", FIELD, "overall_goal")


@rule("PLAN_NO_SUB_GOALS", ERROR, COMPLETENESS, "至少有一条分项绩效目标（指标表式的部门目标除外）",
      applies_to="plan", example_bad="分项绩效目标为空", example_fix="1、营业收入、税收收入稳步增长。")
def no_sub_goals(plan):
    from perfgoals.goals.models import PlanItem

    if not indicators(plan) and not _items(plan, PlanItem.SUB_GOAL):
        yield flag("没有分项绩效目标：请把总体目标分解为若干条具体目标（每条写明做什么、做到什么程度）。",
                   TABLE, "sub_goals")


@rule("PLAN_NO_SAFEGUARDS", ERROR, COMPLETENESS, "至少有一条工作保障措施（指标表式的部门目标除外）",
      applies_to="plan", example_bad="工作保障措施为空", example_fix="1.严格落实重点项目分包责任制……")
def no_safeguards(plan):
    from perfgoals.goals.models import PlanItem

    if not indicators(plan) and not _items(plan, PlanItem.SAFEGUARD):
        yield flag("没有工作保障措施：请写明为实现目标在制度、资金、监督等方面采取的措施。", TABLE, "safeguards")


@rule("PLAN_ITEM_REPEATED", HINT, RELEVANCE, "分项绩效目标或保障措施重复", applies_to="plan",
      example_bad="1、招商引资 2、招商引资", example_fix="1、全年签约项目不少于10个 2、组织招商推介会2场")
def item_repeated(plan):
    seen = set()
    for item in plan.items.all() if plan.pk else []:
        key = (item.kind, clean_text(item.text))
        if not key[1]:
            continue
        if key in seen:
            yield flag(f"“{item.text.strip()[:20]}”重复出现：请删除重复项，或写成不同的具体内容。",
                       PLAN_ITEM, "text", item.pk)
        seen.add(key)
