"""相关性: an indicator sits under the level-2 category its words belong to."""

from perfgoals.review.rules.common import indicators, level2_of
from perfgoals.review.rules.registry import HINT, INDICATOR, RELEVANCE, flag, rule
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
