"""Values as written and as printed: indicator values, numbers, money, percentages, labels.

Longer than 400 lines: it is the one place where every value a user types or reads is parsed
and printed (README, "one rule in one place"); split up, the parsers would share their tables.

Every number, amount, percentage and category label the app reads or shows goes through
this module, so each has one parser and one printed form:

- `format_number` 85.27, 80, 11000 (as a clerk writes it: the editor, the history, prose);
- `format_money` 5.00 (万元), 123,456.78 (元) and `format_percent` 25.00% (as the printed table
  shows them);
- `format_wan` 40万元, 123,456.78元 (an amount named in a sentence: the review's messages);
- `parse_money` and `parse_percent`: an amount or a percentage as a clerk types it
  (`50万`, `500000元`, `五十万`, `1,000.5`; `10%`), in 万元 (to the 分) and in %, with what
  was converted;
- `normalize_label`, `category_key`, `find_level1` / `find_level2` (a category label as
  typed or dumped from Word, matched to a framework's categories).

An indicator value (指标值) is either quantitative (定量: comparison + number + unit, printed `≥20项`,
`100%`) or qualitative (定性: a phrase, printed as written, `作用明显`). A string
that does not parse cleanly — `≥80数量`, where the "unit" is the indicator's own
name — is kept verbatim in `raw` and flagged with a problem code; it is never
silently altered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from perfgoals.frameworks.matching import category_key, normalize_label  # noqa: F401  (the label parsers live below goals)

QUANTITATIVE = "quantitative"
QUALITATIVE = "qualitative"

OPERATORS = ["≥", "≤", "=", ">", "<"]
OPERATOR_CHOICES = [("≥", "≥"), ("≤", "≤"), ("=", "="), (">", ">"), ("<", "<")]

# Problem codes the parser can give; the review rules report them.
UNIT_IS_NAME = "VALUE_UNIT_IS_NAME"
UNIT_NOT_UNIT = "VALUE_UNIT_NOT_UNIT"

_OPERATOR_SPELLINGS = [
    (">=", "≥"), ("=>", "≥"), ("≧", "≥"), ("＞＝", "≥"), ("大于或等于", "≥"), ("大于等于", "≥"), ("不低于", "≥"),
    ("不少于", "≥"), ("不小于", "≥"), ("至少", "≥"),
    ("<=", "≤"), ("=<", "≤"), ("≦", "≤"), ("＜＝", "≤"), ("小于或等于", "≤"), ("小于等于", "≤"), ("不高于", "≤"),
    ("不超过", "≤"), ("不大于", "≤"), ("不多于", "≤"), ("最多", "≤"),
    ("＞", ">"), ("＜", "<"), ("＝", "="), ("大于", ">"), ("小于", "<"), ("等于", "="),
]  # fmt: skip  (a longer spelling before the shorter one it starts with: 大于或等于 before 大于)
# Words that compare only before a number (高于95%): 高于全省平均水平 is a clerk's wording, kept.
_NUMBER_COMPARISONS = [("高于或等于", "≥"), ("低于或等于", "≤"), ("高于", ">"), ("低于", "<"), ("超过", ">")]
_STARTS_WITH_NUMBER = re.compile(r"^\s*[+-]?\d")

UNIT_ALIASES = {"％": "%", "百分比": "%", "百分率": "%"}

KNOWN_UNITS = set(
    """% ‰ 个 项 次 人 人次 家 户 元 万元 亿元 千元 年 月 天 日 小时 分钟 周 季度 篇 份 场 期 批
    件 条 名 位 所 座 处 台 套 辆 本 册 间 栋 幢 亩 公顷 平方米 ㎡ 平米 米 千米 公里 km m 吨 千克 公斤
    立方米 万人 万人次 万户 个百分点 百分点 倍 分 万 亿 千 课时 学时 工作日 个工作日 班次 床 张 块 株 棵
    头 只 盏 根 段 宗 单 笔 例 种 类 款 组 队 支 层 kW MW 千瓦 兆瓦 度 千瓦时 GB TB 户次 家次 人日
    人天 元/人 元/天 万元/年 次/年 次/月 人/次 字 页 部 集 门 科 校 园 村 镇 乡 街道 社区 个月""".split()
)  # fmt: skip

_NUMBER = re.compile(r"^(?P<op>[≥≤=><])?\s*(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>.*)$", re.S)
# A comparison written after the value: 1000人次以上, 5%以下, 3%以内 (以上/以下 include the number).
_SUFFIX_OPERATORS = [("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"), ("之内", "≤"),
                     ("内", "≤")]  # fmt: skip  (15天内, 3个工作日内)
# A date or a period, a 时效 value as clerks write it (2026年12月底前, 6月30日之前, 2021年1月-12月,
# 2023.07-2024.01): a phrase, printed as written, not a number followed by a wrong unit.
_DATE_CHARACTERS = re.compile(r"^[\d\s年月日号底末初旬上中下季度份.\-—–～~至到/前之以后内完成]+$")
_CALENDAR = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|(?:19|20)\d{2}\s*[.\-/]\s*(?:0?[1-9]|1[0-2])(?!\d)")
# A tolerance: ±3%以内 keeps its wording in print and reads as ≤3% for the checks.
_TOLERANCE = re.compile(r"^[±＋－+-]{1,2}\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s]*?)\s*(?:以内|之内)?$")
_OP_ONLY = re.compile(r"^(?P<op>[≥≤=><])\s*(?P<text>\S.*)$", re.S)


@dataclass(frozen=True)
class Value:
    kind: str = ""  # QUANTITATIVE, QUALITATIVE or "" when empty
    operator: str = ""
    number: Decimal | None = None
    unit: str = ""
    text: str = ""
    raw: str = ""  # the verbatim string, kept only when it did not parse cleanly
    problem: str = ""  # UNIT_IS_NAME / UNIT_NOT_UNIT, "" when clean

    @property
    def is_empty(self) -> bool:
        return not self.kind

    @property
    def is_rate(self) -> bool:
        return self.kind == QUANTITATIVE and self.unit == "%"

    def display(self) -> str:
        return format_value(self)


def normalize_operators(text: str) -> str:
    text = text.strip()
    for spelling, op in _OPERATOR_SPELLINGS:
        if text.startswith(spelling):
            return op + text[len(spelling) :]
    for spelling, op in _NUMBER_COMPARISONS:
        if text.startswith(spelling) and _STARTS_WITH_NUMBER.match(text[len(spelling) :]):
            return op + text[len(spelling) :]
    return text


def format_number(number: Decimal | int | None) -> str:
    """85.27 → '85.27', 80.00 → '80', 11000.00 → '11000' (never scientific); blank stays blank."""
    if number is None:
        return ""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_money(amount: Decimal | int | None, unit: str = "万元") -> str:
    """An amount (stored in 万元, to the 分) as the printed table shows it, in the table's unit.

    In 万元 two decimals and every further non-zero one: 5 → '5.00', 85.27 → '85.27',
    12.345678 → '12.345678', 12.3400 → '12.34'. In 元 exactly, to the 分, with thousands
    separators: 12.345678 → '123,456.78', 330.984 → '3,309,840.00'."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    if unit == "元":
        return _at_least_two_decimals(amount / WAN_FACTOR["元"], grouped=True)
    return _at_least_two_decimals(amount)


def _at_least_two_decimals(number: Decimal, grouped: bool = False) -> str:
    """Two decimals, more only where a digit beyond them is not zero (never rounded)."""
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    if grouped:
        whole = f"{int(whole):,}"
    return f"{sign}{whole}.{fraction}"


def format_percent(share: Decimal | None, sign: str = "%") -> str:
    """A percentage as printed: 25 → '25.00%' (sign="" where the column heading says %)."""
    return "" if share is None else f"{share:.2f}{sign}"


def format_wan(amount: Decimal | int | None, unit: str = "万元") -> str:
    """An amount (stored in 万元) as a sentence names it: 40 → '40万元', 85.27 → '85.27万元';
    in a table in 元 to the 分, 12.345678 → '123,456.78元'; blank is '（空）'."""
    if amount is None:
        return "（空）"
    return f"{format_money(amount, '元')}元" if unit == "元" else f"{format_number(amount)}万元"


def format_value(value: Value) -> str:
    """The printed form: `≥20项`, `100%`, `作用明显`; a flagged value prints verbatim."""
    if value.raw:
        return value.raw
    if value.kind == QUANTITATIVE:
        op = "" if value.operator == "=" else value.operator
        return f"{op}{format_number(value.number)}{value.unit}"
    if value.kind == QUALITATIVE:
        return f"{value.operator}{value.text}"
    return ""


def is_unit(unit: str) -> bool:
    """Whether the text after the number is a unit of measure (项, 万元, 人次, %)."""
    if unit in KNOWN_UNITS:
        return True
    if len(unit) >= 2 and unit[0] in "万亿千百" and unit[1:] in KNOWN_UNITS:
        return True
    if "/" in unit:
        return all(part and is_unit(part) for part in unit.split("/"))
    if len(unit) == 2 and unit.endswith("次") and _is_cjk(unit[0]):
        return True  # 架次, 车次, 航次 …
    return len(unit) == 1 and _is_cjk(unit)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def unit_problem(unit: str, name: str = "", other_names: tuple[str, ...] = ()) -> str:
    """Why a unit is not a unit: it repeats an indicator's name, or it is a phrase."""
    if not unit or unit == "%":
        return ""
    names = [n for n in (name, *other_names) if n and len(n) >= 2]
    for n in names:
        if unit == n or n in unit or (len(unit) >= 2 and unit in n and not is_unit(unit)):
            return UNIT_IS_NAME
    if not is_unit(unit):
        return UNIT_NOT_UNIT
    return ""


def parse_number(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# Money: tables are kept in 万元.
WAN_FACTOR = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万": Decimal(1), "万元": Decimal(1),
              "亿": Decimal(10000), "亿元": Decimal(10000)}  # fmt: skip


def to_wan(number: Decimal | None, unit: str) -> Decimal | None:
    """An amount in 万元 (800000元 → 80), or None when the unit is not money."""
    if number is None:
        return None
    factor = WAN_FACTOR.get((unit or "").strip())
    return None if factor is None else number * factor


# What a clerk types in a money box (the box is in its framework's unit, 万元 or 元): digits or
# Chinese numerals, a unit or none.
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 10**4, "亿": 10**8}
_MONEY = re.compile(r"^(?P<num>\d+(?:\.\d+)?)(?P<unit>元|千元|万|万元|亿|亿元)?$")
_CN_MONEY = re.compile(r"^(?P<num>[零〇一二两三四五六七八九十百千万亿]+?)(?P<unit>元|千元|万元|亿元)?$")
CENT = Decimal("0.01")
FEN = Decimal("0.000001")  # one 分 in 万元: what an amount is kept to (goals.models.MONEY_DECIMALS)
MONEY_WHOLE_DIGITS = 12  # the models keep 18 digits, 6 of them decimals
MONEY_UNITS = ("万元", "元")  # what a framework's amounts are printed (and typed) in


def parse_chinese_integer(text: str) -> int | None:
    """一百二十 → 120, 五千 → 5000, 一万五千 → 15000, 十 → 10; None when it is not one."""
    if not text or any(c not in _CN_DIGITS and c not in _CN_SMALL and c not in _CN_LARGE for c in text):
        return None
    total = section = 0
    digit = None
    for char in text:
        if char in _CN_DIGITS:
            if _CN_DIGITS[char] == 0:
                continue  # 一百零五: 零 only marks a skipped place
            if digit is not None:
                return None  # 二三: two digits without a place between them
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[char]
            digit = None
        else:
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * _CN_LARGE[char] if char == "亿" else total + section * _CN_LARGE[char]
            section, digit = 0, None
    if digit and len(text) >= 2 and text[-2] in "百千万亿":
        # 三百五 is 350, 五万五 is 55000: a last digit right after a place counts one place lower.
        digit *= ({**_CN_SMALL, **_CN_LARGE}[text[-2]]) // 10
    return total + section + (digit or 0)


def parse_money(text: str, unit: str = "万元") -> tuple[Decimal | None, str]:
    """An amount as typed in a box in `unit` (万元, or 元 in a framework printed in 元), in 万元,
    and what was converted to get it ("" when nothing was).

    A bare number is in the box's unit: `50`, `1,000.5` are 万元 in a 万元 box, `123456.78` is
    123456.78 元 (12.345678 万元) in a 元 box. `50万`, `50万元` are 万元 and `500000元`, `1.5亿`,
    `三千元` 元 and 亿 in either box, saying so in the box's unit (`已按 500000元 = 50.00万元
    换算`); `五十万`, `一百二十万元` read the Chinese numerals. Blank is (None, ""). Raises
    ValueError with a Chinese message naming what was typed when it is not an amount, negative,
    or finer than the 分 (more than six decimals in 万元, two in 元)."""
    typed = (text or "").strip()
    box = unit if unit in MONEY_UNITS else "万元"
    compact = re.sub(r"(?<=\d)[,，](?=\d{3})", "", re.sub(r"\s+", "", typed)).replace("．", ".")
    compact = compact.translate(_FULL_WIDTH_DIGITS)
    if not compact:
        return None, ""
    if compact.startswith(("-", "－", "负")):
        raise ValueError(f"金额不能为负数（填写的是“{typed}”）。")
    if m := _MONEY.match(compact):
        number, written, chinese = Decimal(m["num"]), m["unit"] or box, False
    elif m := _CN_MONEY.match(compact):
        integer = parse_chinese_integer(m["num"])
        if integer is None:
            raise ValueError(f"没有读懂“{typed}”中的中文数字，请改用阿拉伯数字，如 50万元。")
        # 五十万 is said of 元 (500000元); 五十 alone is the box's unit, as 50 is.
        number, chinese = Decimal(integer), True
        written = m["unit"] or ("元" if any(c in m["num"] for c in _CN_LARGE) else box)
    elif re.search(r"[零〇一二两三四五六七八九十百千万亿点]", compact):
        raise ValueError(f"没有读懂“{typed}”中的中文数字，请改用阿拉伯数字，如 50万元。")
    else:
        example = "如 123456.78、50万元" if box == "元" else "如 50、50万元、500000元"
        raise ValueError(f"“{typed}”不是金额。请填写以{box}为单位的数字，{example}。")
    converted = number * WAN_FACTOR[written]
    if converted != converted.quantize(FEN):
        if written == "元":
            raise ValueError(f"金额最多精确到分（元以下两位小数），填写的是“{typed}”。")
        if written in ("万", "万元"):
            raise ValueError(f"金额以万元计，最多保留六位小数（精确到分），填写的是“{typed}”。")
        raise ValueError(f"金额最多精确到分，填写的是“{typed}”。")
    if abs(converted) >= Decimal(10) ** MONEY_WHOLE_DIGITS:
        raise ValueError(f"金额“{typed}”位数过多，请核对单位（本栏以{box}计）。")
    note = ""
    if WAN_FACTOR[written] != WAN_FACTOR[box] or chinese:
        note = f"已按 {typed} = {format_money(converted, box)}{box} 换算"
    return converted, note


def parse_percent(text: str) -> Decimal | None:
    """A percentage as typed: `10`, `10%`, `10％`, `12.5 %` → Decimal; blank → None.
    Raises ValueError with a Chinese message naming what was typed when it is not one,
    or not between 0 and 100."""
    typed = (text or "").strip()
    compact = re.sub(r"\s+", "", typed).translate(_FULL_WIDTH_DIGITS).replace("％", "%").replace("．", ".")
    if not compact:
        return None
    number = parse_number(compact.removesuffix("%"))
    if number is None or not number.is_finite():
        raise ValueError(f"“{typed}”不是百分比，请填写 0 到 100 之间的数字，如 50 或 50%。")
    if not 0 <= number <= 100:
        raise ValueError(f"百分比应在 0 到 100 之间（填写的是“{typed}”）。")
    if number != number.quantize(CENT):
        raise ValueError(f"百分比最多保留两位小数（填写的是“{typed}”）。")
    return number


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def quantitative(operator: str, number: Decimal, unit: str, name: str = "", raw: str = "") -> Value:
    """Build a quantitative value; a unit that is not a unit keeps the raw text, flagged."""
    unit = UNIT_ALIASES.get(unit.strip(), unit.strip())
    value = Value(QUANTITATIVE, operator, number, unit)
    problem = unit_problem(unit, name)
    if problem:
        value = replace(value, raw=raw or format_value(value), problem=problem)
    return value


def parse_value(text: str, name: str = "") -> Value:
    """Parse a value as written in a one-cell layout (`≥20项`, `100%`, `作用明显`)."""
    original = (text or "").strip()
    if not original:
        return Value()
    normalized = normalize_operators(original.replace("％", "%"))
    if original.startswith(("±", "+-", "＋－")) and (m := _TOLERANCE.match(normalized)):
        value = quantitative("≤", Decimal(m["num"]), m["unit"], name=name, raw=original)
        return value if value.problem else replace(value, raw=original)
    if m := _NUMBER.match(normalized):
        if not m["op"] and is_date(original):
            return Value(QUALITATIVE, "", None, "", original)
        number = Decimal(m["num"])
        operator, unit = m["op"] or "", m["unit"].strip()
        for suffix, implied in _SUFFIX_OPERATORS:
            if unit.endswith(suffix) and operator in ("", implied):
                operator, unit = implied, unit.removesuffix(suffix).strip()
                break
        return quantitative(operator, number, unit, name=name, raw=original)
    if m := _OP_ONLY.match(normalized):
        return Value(QUALITATIVE, m["op"], None, "", m["text"].strip())
    return Value(QUALITATIVE, "", None, "", original)


def is_date(text: str) -> bool:
    """Whether a value is a date or a period (2026年12月底前, 2023.07-2024.01), not an amount."""
    return bool(_DATE_CHARACTERS.match(text) and _CALENDAR.search(text))


_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|[.\-/]\s*(?:0?[1-9]|1[0-2])(?!\d))")  # 2025年, 2025.12, 2025-06


def date_year(text: str) -> int | None:
    """The last year a date or period names (2023.07-2024.01 → 2024); None for anything else."""
    years = [int(y) for y in _YEAR.findall(text)] if is_date(text) else []
    return max(years, default=None)


NUMBER_WHOLE_DIGITS, NUMBER_DECIMALS = 16, 4  # what an indicator's number keeps


def unreadable(text: str) -> str:
    """Why a value typed in the one 指标值 field cannot be read, in Chinese naming it, or ""."""
    normalized = normalize_operators((text or "").replace("％", "%"))
    if normalized in OPERATORS:
        return f"“{text.strip()}”只有比较符，请在后面写数值和单位，如 {normalized}95%。"
    value = parse_value(text)
    if value.number is not None:
        sign, digits, exponent = value.number.as_tuple()
        decimals = max(0, -exponent)
        if len(digits) - decimals > NUMBER_WHOLE_DIGITS or decimals > NUMBER_DECIMALS:
            return f"“{text.strip()}”的数值位数过多（整数最多 {NUMBER_WHOLE_DIGITS} 位，小数最多 {NUMBER_DECIMALS} 位）。"
    return ""


TEXT_SYMBOLS = {"文字描述", "文字", "定性"}


def parse_split(symbol: str, number_text: str, unit: str, name: str = "") -> Value:
    """Parse a value printed in three cells: 符号 | 值 | 单位（文字描述）."""
    symbol, number_text, unit = (symbol or "").strip(), (number_text or "").strip(), (unit or "").strip()
    if not (symbol or number_text or unit):
        return Value()
    if symbol in TEXT_SYMBOLS or (not symbol and not number_text):
        return Value(QUALITATIVE, "", None, "", unit or number_text)
    op = normalize_operators(symbol)
    number = parse_number(number_text)
    if op in OPERATORS and number is not None:
        raw = " ".join(part for part in (symbol, number_text, unit) if part)
        return quantitative(op, number, unit, name=name, raw=raw)
    return parse_value(f"{symbol}{number_text}{unit}", name=name)


def split_cells(value: Value) -> tuple[str, str, str]:
    """The three cells of the split layout: 符号, 值, 单位（文字描述）."""
    if value.kind == QUANTITATIVE:
        return value.operator, format_number(value.number), value.unit
    if value.kind == QUALITATIVE:
        return "文字描述", "", f"{value.operator}{value.text}"
    return "", "", ""


# ---- category labels ---------------------------------------------------------------------


def find_level1(framework, label: str):
    """The framework's level-1 category that `label` names (效益 or 效益指标), or None."""
    wanted = category_key(label)
    return next((l1 for l1 in framework.levels1.all() if category_key(l1.name) == wanted), None)


def find_level2(framework, label: str, level1=None):
    """The level-2 category that `label` names, under `level1` if given, or None."""
    wanted = category_key(label)
    for l1 in [level1] if level1 else framework.levels1.all():
        for l2 in l1.levels2.all():
            if category_key(l2.name) == wanted:
                return l2
    return None
