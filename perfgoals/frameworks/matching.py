"""Category names matched to a framework's categories by meaning: the one place for it.

产出值 → 产出指标, 项目完成指标 → 产出指标, 效果指标 → 效益指标, 满意度指标（必填） → 满意度指标,
数量指标(或建筑规模指标) → 数量指标, 社会公众或服务对象满意度指标 → 服务对象满意度指标.
A name that matches nothing is reported with the framework's closest names; nothing
is guessed silently. Used by the importers (`exchange.categories` re-exports this) and by
复制上年 into another framework (`goals.copying`). `category_key` is the comparison
underneath (`goals.values` re-exports it with the other label parsers).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no models at import: goals.values (imported early) takes its label parsers from here
    from perfgoals.frameworks.models import Framework, Level1, Level2


def normalize_label(text: str) -> str:
    """A label as typed or dumped from Word, without spaces or line breaks (运行\\n成本 → 运行成本)."""
    return re.sub(r"\s+", "", text or "")


def category_key(name: str) -> str:
    """经济效益指标 → 经济效益: a category label without spaces and without the optional suffix 指标."""
    name = normalize_label(name)
    return name.removesuffix("指标") or name


# Names meaning the same category, as keys (no spaces, no trailing 指标).
LEVEL1_SYNONYMS = {
    "项目完成": "产出", "预期产出": "产出", "项目产出": "产出", "产出目标": "产出",
    "项目效益": "效益", "效果": "效益", "预期效果": "效益", "效益目标": "效益",
    "社会公众或服务对象满意度": "满意度", "服务对象满意度": "满意度",
}  # fmt: skip
LEVEL2_SYNONYMS = {
    "预算控制": "成本", "投资规模控制": "成本", "预算执行": "成本", "工期": "时效", "进度": "时效",
    "建筑规模": "数量", "社会公众或服务对象满意度": "服务对象满意度", "满意度": "服务对象满意度",
    "可持续影响力": "可持续影响", "可持续": "可持续影响",
}  # fmt: skip
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def key(label: str) -> str:
    """数量指标(或建筑规模指标) → 数量; 产出值 → 产出; 满意度指标（必填） → 满意度."""
    k = category_key(_BRACKETS.sub("", label or ""))
    k = k.removesuffix("指标")
    if len(k) > 2 and k.endswith("值"):
        k = k[:-1]
    return k


def _find(wanted: str, named: list, synonyms: dict[str, str]) -> tuple[object | None, bool]:
    """The one category among `named` that `wanted` means, and whether that took more than equality."""
    by_key = {key(c.name): c for c in named}
    if re.search("[、/]", wanted):  # 社会、经济、生态效益指标: several categories in one merged cell
        return None, False
    if wanted in by_key:
        return by_key[wanted], False
    if synonyms.get(wanted) in by_key:
        return by_key[synonyms[wanted]], True
    containing = [c for k, c in by_key.items() if k and (k in wanted or wanted in k)]
    if wanted and len(containing) == 1:
        return containing[0], True
    # The other way round, when nothing else is near: a framework printing 效果指标 has 效益指标.
    variants = [c for k, c in by_key.items() if synonyms.get(k) == wanted]
    if wanted and not containing and len(variants) == 1:
        return variants[0], True
    return None, False


@dataclass
class Match:
    level2: Level2 | None
    fuzzy: bool = False  # matched by meaning, not by equal names
    problem: str = ""
    suggestions: list[str] = field(default_factory=list)


def closest(label: str, names: list[str], n: int = 3) -> list[str]:
    scored = sorted(names, key=lambda name: -difflib.SequenceMatcher(None, key(label), key(name)).ratio())
    return [name for name in scored if set(key(label)) & set(key(name))][:n] or scored[:n]


def match(framework: Framework, level1_label: str, level2_label: str, level1_written: bool = True) -> Match:
    """The framework's level-2 category for a row's level-1 and level-2 names.

    A level-1 cell carried down from a merged cell above may be wrong where the source
    left it out; then a level-2 name found under another level 1 wins.
    """
    levels1: list[Level1] = list(framework.levels1.all())
    all_levels2 = [l2 for l1 in levels1 for l2 in l1.levels2.all()]
    level1, fuzzy1 = _find(key(level1_label), levels1, LEVEL1_SYNONYMS)
    wanted2 = key(level2_label)
    if level1 is not None:
        own = list(level1.levels2.all())
        level2, fuzzy2 = _find(wanted2, own, LEVEL2_SYNONYMS)
        if level2 is None and not wanted2 and len(own) == 1:
            level2, fuzzy2 = own[0], True
        if level2 is not None:
            return Match(level2, fuzzy1 or fuzzy2)
    if level1 is None or not level1_written:
        level2, fuzzy2 = _find(wanted2, all_levels2, LEVEL2_SYNONYMS)
        if level2 is not None and (level1 is None or not level1_written):
            return Match(level2, True)
    if level1 is None:
        names = [l1.name for l1 in levels1]
        return Match(None, problem=f"一级指标“{level1_label or '（空）'}”在指标体系“{framework.name}”中没有对应项",
                     suggestions=closest(level1_label, names))
    names = [l2.name for l2 in level1.levels2.all()]
    return Match(None, problem=f"二级指标“{level2_label or '（空）'}”在“{level1.name}”下没有对应项",
                 suggestions=closest(level2_label, names))


class Matcher:
    """`match`, remembering each answer for the time of one import (one framework's rows repeat)."""

    def __init__(self):
        self.known: dict[tuple, Match] = {}

    def __call__(self, framework: Framework, level1_label: str, level2_label: str, level1_written: bool = True) -> Match:
        key = (framework.pk, level1_label, level2_label, level1_written)
        if key not in self.known:
            self.known[key] = match(framework, level1_label, level2_label, level1_written)
        return self.known[key]


def ranked(framework: Framework, level1_label: str, level2_label: str) -> list[Level2]:
    """Every level-2 category of the framework, the closest to the written names first (for the clerk to pick)."""
    every = [l2 for l1 in framework.levels1.all() for l2 in l1.levels2.all()]
    wanted1, wanted2 = key(level1_label), key(level2_label)

    def closeness(l2: Level2) -> float:
        near2 = difflib.SequenceMatcher(None, wanted2, key(l2.name)).ratio()
        near2 = max([near2] + [difflib.SequenceMatcher(None, part, key(l2.name)).ratio()
                               for part in re.split("[、/]", wanted2) if part])
        return near2 + 0.5 * difflib.SequenceMatcher(None, wanted1, key(l2.level1.name)).ratio()

    return sorted(every, key=lambda l2: -closeness(l2))


def pick(framework: Framework, wanted: int | str) -> Level2 | None:
    """The level-2 category a clerk picked: by id (the preview's select), or by name (二级 or 一级/二级)."""
    every = [l2 for l1 in framework.levels1.all() for l2 in l1.levels2.all()]
    text = str(wanted).strip()
    if text.isdigit():
        return next((l2 for l2 in every if l2.pk == int(text)), None)
    level1_name, _, level2_name = text.rpartition("/")
    found = [l2 for l2 in every if key(l2.name) == key(level2_name)
             and (not level1_name.strip() or key(l2.level1.name) == key(level1_name))]
    return found[0] if len(found) == 1 else None


def choose_framework(candidates: list[Framework], rows: list[tuple[str, str, bool]], match=match) -> Framework:
    """The framework in which most rows' categories are found, by equal names first."""

    counted = Counter(rows)  # each distinct row matched once

    def score(framework: Framework) -> tuple[int, int]:
        matches = [(match(framework, *row), n) for row, n in counted.items()]
        return sum(n for m, n in matches if m.level2 is None), sum(n for m, n in matches if m.fuzzy)

    return min(candidates, key=score)
