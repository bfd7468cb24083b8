"""适当性 / 可行性 of indicator values: a number with a real unit, plausible percentages.

Values are read through perfgoals/goals/values.py (the one parser); these rules only judge.
"""

import re
from decimal import Decimal

from perfgoals.goals import values
from perfgoals.review.rules.common import goals, indicators, is_plan, short
from perfgoals.review.rules.registry import (
    APPROPRIATENESS, ERROR, FEASIBILITY, GOAL, HINT, INDICATOR, flag, rule,
)

GROWTH_WORDS = ("增长率", "增速", "同比", "增幅", "增长幅度")
GROWTH_LIMIT = Decimal(50)
# Names that say the indicator is a count or a rate (…数, …率, …次数, …数量).
_COUNT_OR_RATE = re.compile(r"(数|数量|率|比率|比例|占比|次数|人次|个数)$")


def _name(indicator) -> str:
    return re.sub(r"[\s（）()%％。.]+$", "", (indicator.name or "").strip())


def is_rate_name(name: str) -> bool:
    name = re.sub(r"[（(][%％][)）]$", "", name.strip())
    return name.endswith("率") or "满意度" in name


def is_growth_name(name: str) -> bool:
    return any(w in name for w in GROWTH_WORDS)


def _shown(value: values.Value) -> str:
    return values.format_value(value) or value.raw


def _with_unit(obj) -> tuple[tuple[str, ...], list]:
    """Every indicator's name (stripped), and each quantitative indicator that has a unit, with its value."""
    items = indicators(obj)
    names = tuple(i.name.strip() for i in items)
    pairs = [(i, v) for i in items if (v := i.value).kind == values.QUANTITATIVE and v.unit]
    return names, pairs


@rule("VALUE_UNIT_IS_NAME", ERROR, APPROPRIATENESS, "计量单位处写成了指标名称（本指标或另一指标的）",
      applies_to="both", example_bad="数量：≥80数量；社会影响力增长率：≥60带动社会资金投资比",
      example_fix="签约项目数量：≥20个；社会影响力增长率：≥5%")
def unit_is_name(obj):
    names, with_unit = _with_unit(obj)
    for i, v in with_unit:
        others = tuple(n for n in names if n != i.name.strip())
        if values.unit_problem(v.unit, "", others) == values.UNIT_IS_NAME and values.unit_problem(
            v.unit, i.name.strip()
        ) != values.UNIT_IS_NAME:
            other = next(n for n in others if values.unit_problem(v.unit, n) == values.UNIT_IS_NAME)
            yield flag(f"“{i.name}”的指标值“{_shown(v)}”里写的是另一个指标“{other}”的名称，"
                       f"像是抄错了行：请改为本指标自己的值，数值后写计量单位（如 %、个、万元）。",
                       INDICATOR, "unit", i.pk)
        elif values.unit_problem(v.unit, i.name.strip()) == values.UNIT_IS_NAME:
            yield flag(f"“{i.name}”的指标值“{_shown(v)}”把指标名称写在了单位处：请在数值后写计量单位"
                       f"（如 %、个、项、万元），例如“≥{values.format_number(v.number)}%”。",
                       INDICATOR, "unit", i.pk)


@rule("VALUE_UNIT_NOT_UNIT", ERROR, APPROPRIATENESS, "数值后面不是计量单位，而是一句话",
      applies_to="both", example_bad="服务对象满意度：>= 90.00 服务对象满意度90%以上",
      example_fix="服务对象满意度：≥90%")
def unit_not_unit(obj):
    names, with_unit = _with_unit(obj)
    for i, v in with_unit:
        if values.unit_problem(v.unit, i.name.strip(), names) == values.UNIT_NOT_UNIT:
            yield flag(f"“{i.name}”的指标值“{short(_shown(v))}”中，数值后的“{short(v.unit, 16)}”不是计量单位："
                       f"定量指标请写成 比较符 + 数值 + 单位（如 ≥90%）；说明文字请移到绩效指标描述。",
                       INDICATOR, "unit", i.pk)


@rule("VALUE_NO_UNIT", ERROR, APPROPRIATENESS, "定量指标的数值后缺少计量单位",
      applies_to="both", example_bad="使用人员对平台使用满意度：>= 80.00（单位空）",
      example_fix="使用人员对平台使用满意度：≥80%")
def no_unit(obj):
    for i in indicators(obj):
        v = i.value  # a 定量 value without its number is VALUE_EMPTY
        if v.kind == values.QUANTITATIVE and v.number is not None and not v.unit and v.number != 0:
            yield flag(f"“{i.name}”的指标值“{_shown(v)}”没有计量单位：请在数值后写单位"
                       f"（如 %、个、项、人次、万元）。", INDICATOR, "unit", i.pk)


@rule("VALUE_RATE_OVER_100", ERROR, APPROPRIATENESS, "比率或满意度要求超过 100%",
      applies_to="both", example_bad="参训企业满意度：≥120%", example_fix="参训企业满意度：≥95%")
def rate_over_100(obj):
    for i in indicators(obj):
        v, name = i.value, _name(i)
        if not (v.is_rate and v.number is not None and v.number > 100):
            continue
        if is_rate_name(name) and not is_growth_name(name) and v.operator in ("≥", "=", ">", ""):
            yield flag(f"“{i.name}”是比率，指标值“{_shown(v)}”超过 100%，无法达到：请改为不超过 100% 的值。",
                       INDICATOR, "number", i.pk)


@rule("VALUE_GROWTH_HIGH", HINT, FEASIBILITY, "增长率达到 50% 及以上，请核实是否可行",
      applies_to="both", example_bad="中小企业出口总额同比增长率：≥85%",
      example_fix="中小企业出口总额同比增长率：≥8%（参照近三年实际增长）")
def growth_high(obj):
    for i in indicators(obj):
        v = i.value
        if v.is_rate and v.number is not None and v.number >= GROWTH_LIMIT and is_growth_name(i.name):
            yield flag(f"“{i.name}”要求增长 {_shown(v)}，远高于一般水平：请对照近几年实际增长核实，"
                       f"确属可行请在指标值确定依据中写明理由。", INDICATOR, "number", i.pk)


@rule("VALUE_QUALITATIVE_COUNT", HINT, FEASIBILITY, "名称是“…数”“…率”的指标却填了文字描述",
      applies_to="both", example_bad="商务接待次数：≥前三年平均招商活动的次数",
      example_fix="商务接待次数：≥20次")
def qualitative_count(obj):
    for i in indicators(obj):
        v, name = i.value, _name(i)
        if v.kind == values.QUALITATIVE and _COUNT_OR_RATE.search(name):
            kind = "比率" if re.search(r"(率|比例|占比)$", name) else "数量"
            example = "≥95%" if kind == "比率" else "≥10个"
            yield flag(f"“{i.name}”从名称看是{kind}，指标值却是文字“{short(_shown(v), 20)}”："
                       f"请填写定量值（如 {example}），或把名称改成定性指标。", INDICATOR, "value", i.pk)


# Direction (指标方向): some things a table counts are the fewer the better.
# Words naming something unwanted: a rate or a count of it should have an upper bound.
UNWANTED_WORDS = (
    "逾期", "超期", "延误", "滞后", "投诉", "差错", "错误", "失误", "事故", "违法", "违规", "违纪", "犯罪",
    "发案", "火灾", "伤亡", "死亡", "病死", "发病", "感染", "返工", "返贫", "辍学", "流失", "故障", "缺陷",
    "漏报", "误报", "积压", "拖欠", "闲置", "空置", "损失", "超支", "超标", "不良", "不合格", "不达标",
    "未达标", "未完成", "不满意", "不及时", "未按时", "失败", "误差", "偏差", "争议",
)  # fmt: skip
UNWANTED_SUFFIXES = ("发生率", "发生数", "发生次数", "发案率", "发病率", "死亡率")
# Words that make a measure of the unwanted thing a wanted one: 投诉办结率, 事故下降率, 无事故.
HANDLING_WORDS = (
    "处理", "处置", "办结", "办理", "回复", "答复", "反馈", "查处", "查办", "结案", "整改", "纠正", "调处", "调解",
    "化解", "响应", "受理", "处罚", "核查", "解决", "整治", "整顿", "排查", "报告", "上报", "报送", "登记", "公开",
    "消除", "下降", "降低", "减少", "控制", "防范", "防控", "预防", "杜绝", "避免", "治理", "追回", "清理", "清欠",
    "清收", "修复", "销号", "挽回", "救治", "治愈", "侦破", "破案", "督办", "问责", "打击", "监测", "更正",
    "盘活", "利用", "演练", "培训", "宣传", "教育", "检查", "巡查", "督查", "调查", "应急", "隐患",
)  # fmt: skip
# Rates that are the higher the better (…满意度, or a …率 of something done well):
# a bare upper bound below 100% turns them round.
WANTED_STEMS = (
    "满意", "合格", "完成", "覆盖", "达标", "及时", "按时", "按期", "通过", "优良", "知晓", "到位", "执行",
    "接种", "办结", "结案", "正确", "准确", "完好", "出勤", "入学", "参保", "受理",
)  # fmt: skip
# "=" (or no sign) at this or above on an unwanted rate is a target, not a ceiling.
UNWANTED_EQUAL_FROM = Decimal(50)


def direction(name: str) -> str:
    """"lower" when the indicator counts something unwanted, "higher" for a rate that is
    the higher the better, "" when the name does not say."""
    name = re.sub(r"[（(][%％][)）]$", "", name.strip())
    if any(w in name for w in UNWANTED_WORDS) or name.endswith(UNWANTED_SUFFIXES):
        handled = name.startswith(("无", "零", "不发生", "未发生")) or any(w in name for w in HANDLING_WORDS)
        return "" if handled else "lower"
    wanted = name.endswith("满意度") or (name.endswith("率") and any(w in name for w in WANTED_STEMS))
    return "higher" if wanted else ""


@rule("VALUE_DIRECTION", HINT, APPROPRIATENESS, "指标方向反了：越少越好的（逾期率、事故数）写了“≥”，"
      "越高越好的（满意度、合格率）只设“≤”上限",
      applies_to="both", example_bad="逾期发放率：≥100%；安全事故起数：≥2起；群众满意度：≤80%",
      example_fix="逾期发放率：≤0%（或改为 按时发放率 ≥100%）；安全事故起数：0起；群众满意度：≥90%")
def wrong_direction(obj):
    for i in indicators(obj):
        v, name = i.value, _name(i)
        if v.kind != values.QUANTITATIVE or v.number is None or v.problem:
            continue
        way, shown = direction(name), _shown(v)
        if way == "lower" and (
            (v.operator in ("≥", ">") and v.number > 0)
            or (v.operator in ("=", "") and v.is_rate and v.number >= UNWANTED_EQUAL_FROM)
        ):
            if v.is_rate:
                yield flag(f"“{i.name}”越低越好，指标值“{shown}”却要求达到 {values.format_number(v.number)}%，"
                           f"方向反了：请改为上限，如“≤5%”或“0%”；若要考核做好的比例，请改用正向的指标，"
                           f"如“按时完成率 ≥95%”。", INDICATOR, "operator", i.pk)
            else:
                yield flag(f"“{i.name}”是越少越好的事项，指标值“{shown}”却要求至少 "
                           f"{values.format_number(v.number)}{v.unit}，方向反了：请改为上限，如“0{v.unit}”（零发生）"
                           f"或“≤1{v.unit}”。", INDICATOR, "operator", i.pk)
        elif way == "higher" and v.is_rate and v.operator in ("≤", "<") and v.number < 100:
            yield flag(f"“{i.name}”越高越好，指标值“{shown}”却只设了上限，方向反了：请改为下限，"
                       f"如“≥{values.format_number(v.number)}%”。", INDICATOR, "operator", i.pk)


# A deadline in running text: 2025年底前, 2025年12月31日前完成.
_DEADLINE = re.compile(r"(20\d{2})\s*年(?:\s*\d{1,2}\s*月(?:份)?)?(?:\s*\d{1,2}\s*日)?\s*(?:底|末)?\s*(?:前|之前|以前)")


@rule("VALUE_PAST_YEAR", HINT, FEASIBILITY, "时间节点早于本表年度（像是复制上年的表时没有改）",
      applies_to="both", example_bad="2026年的表：项目完成时间：2025年12月底前",
      example_fix="项目完成时间：2026年12月底前")
def past_year(obj):
    year = getattr(obj, "year", None)
    if not year:
        return
    for i in indicators(obj):
        v = i.value
        text = _shown(v)
        named = values.date_year(text) if v.kind == values.QUALITATIVE else None
        if named is not None and named < year:
            yield flag(f"“{i.name}”的指标值“{short(text, 20)}”是 {named} 年的时间，早于本表的 {year} 年度："
                       f"像是复制上年的表时没有改，请改为 {year} 年的时间节点。", INDICATOR, "value", i.pk)
    if is_plan(obj):
        return
    for g in goals(obj):
        late = [int(y) for y in _DEADLINE.findall(g.text or "")]
        if late and max(late) < year:
            yield flag(f"绩效目标“{short(g.text, 20)}”写的完成时间在 {max(late)} 年，早于本表的 {year} 年度："
                       f"请改为 {year} 年的时间。", GOAL, "text", g.pk)
