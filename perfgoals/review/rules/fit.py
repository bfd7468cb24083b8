"""相关性: an indicator sits under the level-2 category its words belong to."""

from perfgoals.goals import values
from perfgoals.goals.values import category_key
from perfgoals.review.rules.common import indicators, level2_of, short
from perfgoals.review.rules.registry import HINT, INDICATOR, RELEVANCE, flag, is_on, rule
from perfgoals.review.rules.vocabulary import misfit, vocabulary


@rule("FIT_LEVEL2_MISMATCH", HINT, RELEVANCE, "三级指标的用词属于另一个二级指标", applies_to="both",
      example_bad="时效指标：招商活动签约项目数；生态效益指标：结果准确性",
      example_fix="数量指标：招商活动签约项目数；生态效益指标：引进污染企业数量 0个")
def level2_mismatch(obj):
    vocab = vocabulary()
    for i in indicators(obj):
        level2 = level2_of(i)
        if level2 is None:
            continue
        if found := misfit(i.name, level2.name, vocab):
            category, hits = found
            words = "、".join(f"“{w}”" for w in hits[:3])
            yield flag(f"“{i.name}”放在“{level2.name}”下，但{words}是{category}指标的用词：请把它移到"
                       f"{category}指标，或在{level2.name}下改设真正衡量{level2.name.removesuffix('指标')}的指标。",
                       INDICATOR, "level2", i.pk)


def is_count_category(level2) -> bool:
    """数量指标 (数量, 数量指标, 数量指标(必填)): outputs counted in 个, 人次, 项."""
    return category_key(level2.name).startswith("数量")


@rule("FIT_RATE_UNDER_COUNT", HINT, RELEVANCE, "数量指标下填的是百分比：比率一般是质量或时效指标",
      applies_to="both", example_bad="数量指标：适龄儿童疫苗接种率 ≥90%",
      example_fix="质量指标：适龄儿童疫苗接种率 ≥90%；数量指标：完成疫苗接种 ≥1200人次")
def rate_under_count(obj):
    # An indicator whose words name its own category is FIT_LEVEL2_MISMATCH's (接种及时率 → 时效指标).
    vocab = vocabulary() if is_on("FIT_LEVEL2_MISMATCH", obj) else None
    for i in indicators(obj):
        level2, v = level2_of(i), i.value
        if level2 is None or not is_count_category(level2) or not (v.is_rate or v.unit == "‰") or v.problem:
            continue
        if vocab is not None and misfit(i.name, level2.name, vocab):
            continue
        yield flag(f"“{i.name}”放在{level2.name}下，指标值却是百分比“{values.format_value(v)}”：数量指标写完成了多少"
                   f"（个、项、人次）；比率一般是质量指标（如 合格率、覆盖率）或时效指标（如 及时率），请移到相应的"
                   f"二级指标，或改写为完成的数量（数值 + 个、项、人次等单位）。", INDICATOR, "level2", i.pk)


# Words that speak of what a project brings, not of what it costs.
BENEFIT_WORDS = ("提升", "提高", "改善", "满意", "增强", "优化", "促进", "美化", "增加收入", "带动")
# A cost indicator may name its cost and still say it improves (提高资金使用效率 is a benefit; 提高成本控制水平 is not).
COST_WORDS = ("成本", "费用", "经费", "支出", "预算", "单价", "造价", "价格", "开支", "不利影响")
COST_EXAMPLES = {
    "经济": "项目总成本 ≤70万元",
    "社会": "对周边群众生活的不利影响 减少",
    "生态": "施工扬尘、噪声对环境的影响 符合国家标准",
    "环境": "施工扬尘、噪声对环境的影响 符合国家标准",
}


def benefit_words(indicator) -> list[str]:
    value = indicator.value
    text = indicator.name + (value.text if value.kind == values.QUALITATIVE else "")
    if any(w in indicator.name for w in COST_WORDS):
        return []
    return [w for w in BENEFIT_WORDS if w in text]


def benefit_home(obj, cost_level2, words: list[str]) -> str:
    """Where a benefit filed under a cost category belongs: 生态环境成本 → 生态效益指标."""
    candidates = obj.framework.level2_list() if getattr(obj, "framework_id", None) else []
    if "满意" in words:
        found = [l2.name for l2 in candidates if "满意" in l2.name]
    else:
        aspect = category_key(cost_level2.name).removesuffix("成本")[:2]
        found = [l2.name for l2 in candidates if aspect and "效益" in l2.name and l2.name.startswith(aspect)]
    return found[0] if found else ("满意度指标" if "满意" in words else "效益指标")


@rule("FIT_COST_IS_BENEFIT", HINT, RELEVANCE, "成本指标下写的是效益（提升、提高、改善、满意），不是成本",
      applies_to="both", example_bad="生态环境成本指标：提升绿化水平 明显提升",
      example_fix="生态环境成本指标：施工扬尘、噪声对环境的影响 符合国家标准（或 不涉及）；"
                  "生态效益指标：提升绿化水平")
def cost_is_benefit(obj):
    for i in indicators(obj):
        level2 = level2_of(i)
        if level2 is None or not level2.is_cost or not (words := benefit_words(i)):
            continue
        key = category_key(level2.name)
        example = next((e for aspect, e in COST_EXAMPLES.items() if aspect in key), "培训经费 ≤5万元")
        yield flag(f"“{short(i.name)}”放在{level2.name}下，但“{words[0]}”说的是项目带来的效果，不是付出的代价："
                   f"{level2.name}应写实施项目花的钱或造成的不利影响（如“{example}”），确不涉及的填“不涉及”；"
                   f"这一项请移到{benefit_home(obj, level2, words)}。", INDICATOR, "level2", i.pk)
