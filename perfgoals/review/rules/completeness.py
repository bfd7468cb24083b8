"""完整性: everything a finance bureau needs is filled in."""

from perfgoals.goals import checks, values
from perfgoals.review.rules.common import goals, indicators
from perfgoals.review.rules.registry import (
    COMPLETENESS, ERROR, FEASIBILITY, FIELD, HINT, INDICATOR, TABLE, flag, rule,
)

# Not filled yet: a new table lacks these; the editor lists them as a checklist (goals.checklist)
# and shows each beside its field once the clerk has left it or tried to submit.
NOT_YET_FILLED = frozenset({"HEADER_MISSING", "NO_GOAL", "LEVEL1_MISSING", "LEVEL2_MISSING", "VALUE_EMPTY"})

REQUIRED_HEADER = {
    "project_name": ("项目名称", "填写项目的正式名称，与预算系统一致"),
    "project_code": ("项目编码", "从预算系统中复制项目编码"),
    "budget_total": ("预算数", "填写项目预算总额（万元）"),
    "fund_use": ("资金用途", "写明资金的具体用途"),
}


@rule("HEADER_MISSING", ERROR, COMPLETENESS, "项目编码、项目名称、预算数、资金用途、资金支出计划必须填写",
      example_bad="项目编码为空，预算数为空", example_fix="项目编码：13032221Q04ELG36NCMHS；预算数：50.00")
def header_missing(table):
    for field, (label, how) in REQUIRED_HEADER.items():
        value = getattr(table, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field == "budget_total" and (stated := _stated_total(table)):
                how = f"{how}；说明中写的是“{stated}”"
            yield flag(f"{label}未填写：请{how}。", FIELD, field)
    if all(share is None for share in table.spending_plan):  # one begun is checked as a plan (MONEY_SPENDING_PLAN)
        yield flag("资金支出计划未填写：请填写 3月底、6月底、10月底、12月底的累计支出进度（%），12月底为 100。",
                   FIELD, "spend_mar")


def _stated_total(table) -> str:
    from perfgoals.review.rules.money import prose_totals

    found = prose_totals(table.fund_use) + prose_totals(table.explanation)
    return found[0][0] if found else ""


@rule("NO_GOAL", ERROR, COMPLETENESS, "至少填写一条绩效目标",
      example_bad="绩效目标栏为空", example_fix="1.组织全县安全生产专题培训，提高企业安全管理水平。")
def no_goal(table):
    if not [g for g in goals(table) if g.text.strip()]:
        yield flag("没有填写绩效目标：请写明项目资金预期达到的产出和效果，至少一条。", TABLE, "goals")


@rule("LEVEL1_MISSING", ERROR, COMPLETENESS, "指标体系的每个一级指标下至少有一个三级指标",
      example_bad="没有任何满意度指标", example_fix="满意度指标 / 服务对象满意度指标：参训企业满意度 ≥95%")
def level1_missing(table):
    if not table.framework_id:
        return  # no framework chosen yet: no categories to fill
    used = {i.level2.level1_id for i in indicators(table)}
    for level1 in table.framework.levels1.all():
        if level1.pk not in used:
            yield flag(f"一级指标“{level1.name}”下没有任何三级指标：请至少设置一个{level1.name}。", TABLE, "indicators",
                  )


@rule("LEVEL2_MISSING", ERROR, COMPLETENESS, "必填的二级指标都要填写（河北等版式打印全部二级指标行，每个都必填）；"
      "可填“不涉及”的二级指标，确不涉及的填“不涉及”并说明理由",
      example_bad="生态效益指标一行空着", example_fix="生态效益指标：环境污染事故 零发生")
def level2_missing(table):
    if not table.framework_id:
        return
    every = table.framework.prints_every_level2
    used = {i.level2_id for i in indicators(table)}
    for level2 in table.framework.level2_list():
        if level2.pk in used:
            continue
        if every:
            yield flag(f"二级指标“{level2.name}”没有填写三级指标：本版式每个二级指标都要打印，请补充一项{level2.name}。",
                       TABLE, "indicators")
        elif level2.requirement == level2.REQUIRED:
            yield flag(f"二级指标“{level2.name}”是本指标体系的必填项，请补充一项{level2.name}。", TABLE, "indicators")
        elif level2.requirement == level2.MAY_BE_NA:
            yield flag(f"二级指标“{level2.name}”没有填写：确不涉及的，添加一行，指标值填“不涉及”，并在指标解释中说明理由。",
                       TABLE, "indicators")


@rule("NO_QUANTITATIVE", HINT, FEASIBILITY, "至少有一个定量指标（数值 + 单位），便于考核",
      example_bad="全部指标值都是“作用明显”“及时支付”之类的文字",
      example_fix="把其中一项改为定量，例如：签约项目个数 ≥5个")
def no_quantitative(table):
    items = indicators(table)
    if items and not any(i.value.kind == values.QUANTITATIVE for i in items):
        yield flag("全部指标都是定性描述：请至少把一项改为定量指标（比较符 + 数值 + 单位），便于年终考核。",
                   TABLE, "indicators")


@rule("VALUE_EMPTY", ERROR, COMPLETENESS, "每个三级指标都要填写指标值（定量值要有数值，定性值要有描述）",
      applies_to="both", example_bad="签约项目个数：指标值为空", example_fix="签约项目个数：≥5个")
def value_empty(obj):
    for i in indicators(obj):
        if i.value.is_empty:
            yield flag(f"“{i.name}”没有填写指标值：请填写定量值（如 ≥5个）或定性描述（如 明显提升）。",
                       INDICATOR, "value", i.pk)
        elif missing := checks.value_missing(i.value):
            field, message = missing
            yield flag(f"“{i.name}”的{message}", INDICATOR, field, i.pk)
