"""The words the review knows: level-2 categories and the template library's indicator names.

Two uses, both explainable to a clerk:
- likely typos: a name one character away from a known word that is not itself known
  (经济效意 → 经济效益);
- which level-2 category an indicator's words belong to: a small hand-written lexicon per
  category, widened by the character pairs the template library uses in that category in
  at least two different units (a pair one unit alone uses proves nothing: the library has
  its own mistakes).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection

from perfgoals.frameworks.models import Level2
from perfgoals.goals.models import Indicator
from perfgoals.goals.values import category_key
from perfgoals.lib import scope
from perfgoals.review.rules.common import clean_text

# Seed lexicon: level-2 category (without 指标) → words that mark an indicator as belonging to it.
# 数量 words only count at the end of a name (签约项目数, 培训人次), anywhere else they are common.
LEXICON: dict[str, tuple[str, ...]] = {
    "数量": ("数量", "个数", "次数", "人数", "户数", "人次", "家数", "项数", "场次", "件数", "篇数", "数"),
    "质量": ("合格", "质量", "达标", "准确", "验收", "优良", "规范", "合规", "完好", "正确", "通过率", "质效"),
    "时效": ("及时", "按时", "按期", "期限", "时间", "进度", "时效", "时限", "周期", "限时", "如期"),
    "成本": ("成本", "费用", "经费", "预算", "单价", "造价", "租金", "费"),
    "经济效益": ("经济", "收入", "税收", "产值", "投资", "增加值", "利润", "营业", "出口", "销售"),
    "社会效益": ("社会", "就业", "群众", "民生", "公众", "知名度", "影响力", "稳定", "安全"),
    "生态效益": ("生态", "环境", "绿化", "污染", "能耗", "节能", "节约", "排放", "环保", "绿色", "水资源",
             "大气", "减排", "空气", "低碳"),
    "可持续影响": ("可持续", "持续", "长效", "长期", "机制", "延续"),
    "服务对象满意度": ("满意",),
}
COUNT_SUFFIX = LEXICON["数量"]
# Benefits are often measured by counting (就业人数, 技改项目数量): a count there fits.
COUNTS_FIT_ANYWHERE_IN = ("经济效益", "社会效益", "生态效益", "可持续影响")


@dataclass
class Vocabulary:
    words: set[str] = field(default_factory=set)  # level-2 keys + library names used in ≥2 tables
    by_length: dict[int, list[str]] = field(default_factory=dict)
    pairs: dict[str, dict[str, int]] = field(default_factory=dict)  # category → pair → units using it


_cache: dict[tuple, Vocabulary] = {}


def vocabulary() -> Vocabulary:
    """Built from the database once per change of the template library (checked once per
    review or request: lib.scope)."""
    return scope.once("vocabulary", _current)


def _current() -> Vocabulary:
    stamp = _stamp()
    if stamp not in _cache:
        _cache.clear()
        _cache[stamp] = _build(Indicator.objects.filter(table__is_template=True))
    return _cache[stamp]


def _stamp() -> tuple:
    """The library's indicator count and newest id, and the number of level-2 categories: one
    plain query (it runs on every review; the ORM would spend more building it than the
    database answering it)."""
    indicator, table = Indicator._meta.db_table, Indicator._meta.get_field("table").related_model._meta.db_table
    sql = (
        f'SELECT COUNT(i."id"), MAX(i."id"), (SELECT COUNT(*) FROM "{Level2._meta.db_table}") '
        f'FROM "{indicator}" i INNER JOIN "{table}" t ON i."table_id" = t."id" WHERE t."is_template"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _build(library) -> Vocabulary:
    vocab = Vocabulary()
    for name in Level2.objects.values_list("name", flat=True):
        vocab.words.update({clean_text(name), category_key(name)})
    tables_by_name: dict[str, set[int]] = defaultdict(set)
    units_by_pair: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for name, level2, table_id, unit_id in library.values_list("name", "level2__name", "table_id", "table__unit_id"):
        cleaned = clean_text(name)
        tables_by_name[cleaned].add(table_id)
        for pair in char_pairs(cleaned):
            units_by_pair[category_key(level2)][pair].add(unit_id)
    vocab.words.update(n for n, tables in tables_by_name.items() if len(tables) >= 2)
    for word in vocab.words:
        vocab.by_length.setdefault(len(word), []).append(word)
    # A pair marks a category when at least two units use it there and mostly there.
    totals: Counter = Counter()
    for pairs in units_by_pair.values():
        for pair, units in pairs.items():
            totals[pair] += len(units)
    for category, pairs in units_by_pair.items():
        vocab.pairs[category] = {
            pair: len(units) for pair, units in pairs.items() if len(units) >= 2 and len(units) >= 0.75 * totals[pair]
        }
    return vocab


def char_pairs(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {text[k : k + 2] for k in range(len(text) - 1)}


def likely_typo(name: str, vocab: Vocabulary | None = None) -> str:
    """The known word a name seems to misspell, or ""."""
    cleaned = clean_text(name)
    vocab = vocab or vocabulary()
    if len(cleaned) < 4 or cleaned in vocab.words:
        return ""
    for word in vocab.by_length.get(len(cleaned), ()):
        differences = [k for k, (a, b) in enumerate(zip(cleaned, word)) if a != b]
        if len(differences) == 1 and differences[0] >= 2:
            return word
    return ""


def signals(name: str) -> dict[str, list[str]]:
    """Which categories the words of a name belong to, with the words that say so."""
    cleaned = clean_text(re.sub(r"[（(][%％][)）]", "", name))
    found: dict[str, list[str]] = {}
    for category, lexicon in LEXICON.items():
        if category == "数量":
            hits = [w for w in lexicon if cleaned.endswith(w)][:1]
        else:
            hits = [w for w in lexicon if w in cleaned]
            hits = [w for w in hits if not any(w != o and w in o for o in hits)]  # 费用, not 费用 and 费
        if hits:
            found[category] = hits
    return found


def fits_by_library(name: str, category: str, vocab: Vocabulary | None = None) -> bool:
    """The library's units use this name's character pairs in this category."""
    pairs = (vocab or vocabulary()).pairs.get(category, {})
    return any(p in pairs for p in char_pairs(clean_text(name)))


def misfit(name: str, level2_name: str, vocab: Vocabulary | None = None) -> tuple[str, list[str]] | None:
    """(the category the name's words belong to, those words) when it is not its own category."""
    own = category_key(level2_name)
    if own not in LEXICON:
        return None
    found = signals(name)
    if own in found or not found:
        return None
    if own in COUNTS_FIT_ANYWHERE_IN:
        found.pop("数量", None)
    if not found or fits_by_library(name, own, vocab):
        return None
    category = next(iter(found))
    return category, found[category]
