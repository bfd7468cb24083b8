"""Small helpers the rules share: loading a document once, comparing and shortening text.

Numbers, money and labels are read and printed by perfgoals.goals.values.
"""

from __future__ import annotations

import re

from django.db.models import prefetch_related_objects

from perfgoals.frameworks import structure
from perfgoals.goals.models import DepartmentPlan, ProjectTable

TABLE_PREFETCH = ("goals", "indicators__level2__level1")
PLAN_PREFETCH = ("items", "indicators__level2__level1", "indicators__level1", "funding_lines")


def prepare(obj):
    """Load the document's rows once, unless the caller has already prefetched them."""
    if obj.pk is None:
        return obj
    if "indicators" not in getattr(obj, "_prefetched_objects_cache", {}):
        prepare_all([obj])
    return obj


def prepare_all(objs) -> list:
    """`prepare` for many documents at once: each relation read in one query for all of them
    (a desk of 40 tables waiting: 6 queries, not 320); the frameworks' categories, columns and
    rule switches from what the process keeps (frameworks.structure)."""
    objs = [o for o in objs if o.pk is not None and "indicators" not in getattr(o, "_prefetched_objects_cache", {})]
    prefetch_related_objects(objs, "framework")
    structure.attach(o.framework for o in objs)  # each document's own framework object (several may share a pk)
    prefetch_related_objects([o for o in objs if isinstance(o, ProjectTable)], *TABLE_PREFETCH)
    prefetch_related_objects([o for o in objs if isinstance(o, DepartmentPlan)], *PLAN_PREFETCH)
    return objs


def is_plan(obj) -> bool:
    return isinstance(obj, DepartmentPlan)


def indicators(obj) -> list:
    return list(obj.indicators.all()) if obj.pk else []


def goals(table) -> list:
    return list(table.goals.all()) if table.pk else []


def level2_of(indicator):
    """The level-2 category, or None (department indicators may have none)."""
    return indicator.level2 if indicator.level2_id else None


_NUMBERING = re.compile(r"^\s*(?:\d+\s*[.、．,，)）]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|目标\s*\d+\s*[:：]?)\s*")
_PUNCT = "。，、；;：:,.!！?？“”\"'（）() \t\r\n　"


def clean_text(text: str) -> str:
    """For comparing: no numbering in front, no spaces, no punctuation at the ends."""
    text = _NUMBERING.sub("", text or "")
    text = re.sub(r"\s+", "", text)
    return text.strip(_PUNCT)


def words(text: str) -> str:
    """Only the letters and digits of a text: what length checks count."""
    return re.sub(r"[\W_]+", "", text or "")


def short(text: str, limit: int = 30) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


NOT_APPLICABLE = ("不涉及", "不适用")


def is_not_applicable(indicator) -> bool:
    """A row that says its category does not apply to this project (生态环境成本：不涉及)."""
    value = indicator.value
    text = f"{indicator.name} {value.text if value.kind == 'qualitative' else ''}"
    return any(w in text for w in NOT_APPLICABLE)
