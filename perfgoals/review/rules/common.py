"""Small helpers the rules share: loading a document once, normalizing text, money units."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import prefetch_related_objects

from perfgoals.goals.models import DepartmentPlan, ProjectTable

TABLE_PREFETCH = ("goals", "indicators__level2__level1", "framework__levels1__levels2")
PLAN_PREFETCH = ("items", "indicators__level2__level1", "indicators__level1", "funding_lines")


def prepare(obj):
    """Load the document's rows once, unless the caller has already prefetched them."""
    if obj.pk is None:
        return obj
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if isinstance(obj, ProjectTable) and "indicators" not in cache:
        prefetch_related_objects([obj], *TABLE_PREFETCH)
    elif isinstance(obj, DepartmentPlan) and "indicators" not in cache:
        prefetch_related_objects([obj], *PLAN_PREFETCH)
    return obj


def is_plan(obj) -> bool:
    return isinstance(obj, DepartmentPlan)


def indicators(obj) -> list:
    return list(obj.indicators.all()) if obj.pk else []


def goals(table) -> list:
    return list(table.goals.all()) if table.pk else []


def level2_of(indicator):
    """The level-2 category, or None (department indicators may have none)."""
    return indicator.level2 if indicator.level2_id else None


def category_key(name: str) -> str:
    """经济效益指标 → 经济效益: a level-2 name without the optional suffix 指标."""
    name = re.sub(r"\s+", "", name or "")
    return name.removesuffix("指标") or name


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


# Money: tables are kept in 万元.
WAN_FACTOR = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万": Decimal(1), "万元": Decimal(1),
              "亿": Decimal(10000), "亿元": Decimal(10000)}  # fmt: skip


def to_wan(number: Decimal | None, unit: str) -> Decimal | None:
    """An amount in 万元, or None when the unit is not money."""
    if number is None:
        return None
    factor = WAN_FACTOR.get((unit or "").strip())
    return None if factor is None else number * factor


def fmt_money(amount: Decimal | None) -> str:
    if amount is None:
        return "（空）"
    text = f"{Decimal(str(amount)).normalize():f}"
    return f"{text}万元"
