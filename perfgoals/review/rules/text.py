"""相关性 / 适当性 of the wording: goals and descriptions that say something, spelt right."""

from collections import Counter

from perfgoals.review.rules.common import clean_text, goals, indicators, is_plan, short, words
from perfgoals.review.rules.registry import (
    APPROPRIATENESS, COMPLETENESS, ERROR, GOAL, HINT, INDICATOR, RELEVANCE, flag, rule,
)
from perfgoals.review.rules.vocabulary import likely_typo, vocabulary

GOAL_MIN_CHARS = 6
DESCRIPTION_MIN_CHARS = 4


@rule("TEXT_DESCRIPTION_IS_NAME", HINT, RELEVANCE, "绩效指标描述只是重复了指标名称", applies_to="both",
      example_bad="三级指标：成本控制；描述：成本控制",
      example_fix="三级指标：成本控制率；描述：项目实际支出与预算安排的比例")
def description_is_name(obj):
    for i in indicators(obj):
        name, description = clean_text(i.name), clean_text(getattr(i, "description", ""))
        if name and description == name:
            yield flag(f"“{i.name}”的绩效指标描述与名称完全相同：请说明这个指标衡量什么、怎样计算"
                       f"（如“按时完成的任务数占计划任务数的比例”）。", INDICATOR, "description", i.pk)


@rule("TEXT_GOAL_REPEATED", ERROR, RELEVANCE, "同一条绩效目标写了多遍",
      example_bad="1.拨付企业预交款 2.拨付企业预交款 3.拨付企业预交款",
      example_fix="1.按合同及时拨付企业预交款 2.保障园区重点项目按期建设")
def goal_repeated(table):
    seen: dict[str, int] = {}
    for g in goals(table):
        key = clean_text(g.text)
        if not key:
            continue
        if key in seen:
            yield flag(f"绩效目标“{short(g.text, 20)}”与第 {seen[key]} 条重复：请删除重复的目标，"
                       f"或把每条目标写成不同的具体产出或效果。", GOAL, "text", g.pk)
        else:
            seen[key] = len(seen) + 1


@rule("TEXT_INDICATOR_REPEATED", HINT, RELEVANCE, "同一个三级指标在表中出现了两次", applies_to="both",
      example_bad="数量指标：引进项目数量；经济效益指标：引进项目数量",
      example_fix="只保留一项，另一项改为衡量不同内容的指标")
def indicator_repeated(obj):
    items = indicators(obj)
    # A department plan has two indicator tables (long-term, annual) that may share names.
    counts = Counter((getattr(i, "horizon", ""), clean_text(i.name)) for i in items)
    seen = set()
    for i in items:
        key = (getattr(i, "horizon", ""), clean_text(i.name))
        if key[1] and counts[key] > 1:
            if key in seen:
                yield flag(f"三级指标“{i.name}”在表中出现了 {counts[key]} 次：请合并，或改为衡量不同内容的指标。",
                           INDICATOR, "name", i.pk)
            seen.add(key)


@rule("TEXT_TOO_SHORT", HINT, COMPLETENESS, "绩效目标或指标描述过于简单", applies_to="both",
      example_bad="绩效目标：招商引资；指标描述：按期",
      example_fix="绩效目标：全年签约亿元以上项目不少于5个；指标描述：按计划时间完成签约的项目数")
def too_short(obj):
    if is_plan(obj):
        return  # the department form has no description column; its goals are checked by the plan rules
    for g in goals(obj):
        if 0 < len(words(clean_text(g.text))) < GOAL_MIN_CHARS:
            yield flag(f"绩效目标“{g.text.strip()}”过于简单：请写明做什么、做到什么程度"
                       f"（至少 {GOAL_MIN_CHARS} 个字，如“全年签约项目不少于5个”）。", GOAL, "text", g.pk)
    columns = {c.key for c in obj.framework.columns.all()} if obj.framework_id else set()
    for i in indicators(obj):
        description = words(clean_text(i.description))
        if not description and columns and "description" not in columns:
            continue  # the framework's form has no description column (a flat list with 权重 …)
        if not description:
            yield flag(f"“{i.name}”没有填写绩效指标描述：请说明这个指标衡量什么、怎样计算。",
                       INDICATOR, "description", i.pk)
        elif len(description) < DESCRIPTION_MIN_CHARS or description.isdigit() or i.description.strip().endswith("%"):
            yield flag(f"“{i.name}”的绩效指标描述“{i.description.strip()}”过于简单：请说明衡量的内容和计算方法。",
                       INDICATOR, "description", i.pk)


@rule("TEXT_TYPO", HINT, APPROPRIATENESS, "三级指标名称疑似错别字（对照指标体系和模板库的用词）",
      applies_to="both", example_bad="经济效意", example_fix="经济效益")
def typo(obj):
    vocab = vocabulary()
    for i in indicators(obj):
        if suggestion := likely_typo(i.name, vocab):
            yield flag(f"三级指标“{i.name}”疑似错别字，是否应为“{suggestion}”？请核对后修改。",
                       INDICATOR, "name", i.pk)
