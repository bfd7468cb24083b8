"""Copying a table or plan: from a template, from last year (复制上年), or as a revision.

A copy into a later year carries the indicators over and moves last year's value
into the prior-year column (上年 → prior_value_2, the old 上年 → 前年 prior_value_1).
A copy from a template, or a revision in the same year, keeps the values as they are.
Everything happens in one transaction: a copy is either complete or absent.

A table copied into another framework (the province changed its form) takes each
indicator's category by meaning (`frameworks.matching`: 效果指标/经济效益指标 → 效益指标/经济效益指标);
`carry_over` says where each indicator goes and which found no category, for the clerk to
pick one or leave the indicator out (`placed`) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from perfgoals.frameworks import matching
from perfgoals.frameworks.models import Framework, Level2

from perfgoals.goals.models import (
    DepartmentIndicator,
    DepartmentPlan,
    FundingLine,
    Goal,
    Indicator,
    IndicatorFields,
    PlanItem,
    ProjectTable,
    Status,
    ValueFields,
)

_DOCUMENT_RESET = dict(
    status=Status.DRAFT, submitted_at=None, submitted_by=None, approved_at=None, approved_by=None,
    is_template=False,
)  # fmt: skip


def _shifts_years(source, year: int) -> bool:
    return not source.is_template and year > source.year


def _source_label(source) -> str:
    return f"模板：{source}" if source.is_template else f"复制自 {source}"


def _shift_prior(copy, original) -> None:
    copy.prior_value_1 = original.prior_value_2
    copy.prior_value_2 = original.value_display


# What every indicator has (IndicatorFields) apart from its value, which _with_value copies.
WRITTEN = sorted({f.name for f in IndicatorFields._meta.fields} - {f.name for f in ValueFields._meta.fields})


def _written(original) -> dict:
    return {name: getattr(original, name) for name in WRITTEN}


def _with_value(copy, original, shift: bool):
    """The copied indicator with the original's value (and prior-year values moved on a year)."""
    copy.value = original.value
    if shift:
        _shift_prior(copy, original)
    return copy


def _new_document(source, *, unit, year: int, revision: int | None):
    """An unsaved copy of a table's or plan's own fields: a fresh draft for `unit` and `year`
    (with `revision`, that revision of the same document, pointing back to it)."""
    document = type(source).objects.get(pk=source.pk)
    document.pk = document.id = None
    document._state.adding = True
    for name, value in _DOCUMENT_RESET.items():
        setattr(document, name, value)
    document.unit = unit
    document.year = year
    document.revision = revision or 1
    document.previous = source if revision else None
    document.copied_from = source
    document.source = _source_label(source)
    return document


@dataclass
class Carried:
    """Where one indicator of the source goes in the new framework."""

    indicator: Indicator
    level2: Level2 | None  # found by meaning; None: the clerk picks (or leaves it out)
    fuzzy: bool = False  # found by meaning, not under the same names
    problem: str = ""
    options: list[Level2] = field(default_factory=list)  # when not found: every category, closest first


def carry_over(source: ProjectTable, framework: Framework) -> list[Carried]:
    """Each indicator of `source` with its category in `framework`, matched by meaning."""
    matcher = matching.Matcher()  # the indicators of one category ask the same question
    carried = []
    for indicator in source.indicators.select_related("level2__level1"):
        l1, l2 = indicator.level2.level1.name, indicator.level2.name
        m = matcher(framework, l1, l2)
        options = [] if m.level2 else matching.ranked(framework, l1, l2)
        carried.append(Carried(indicator, m.level2, m.fuzzy, m.problem, options))
    return carried


def placed(carried: list[Carried], picks: dict[int, Level2 | None]) -> dict[int, Level2 | None]:
    """Each indicator id → its category in the new framework, the clerk's `picks` (None: 不复制)
    for those found by no name. An indicator without a category and without a pick is an error."""
    result = {}
    for c in carried:
        if c.level2 is None and c.indicator.pk not in picks:
            raise ValueError(f"indicator {c.indicator.pk} has no category in the new framework and no pick")
        result[c.indicator.pk] = c.level2 if c.level2 is not None else picks[c.indicator.pk]
    return result


@transaction.atomic
def copy_table(
    source: ProjectTable, *, unit, year: int, user=None, revision: int | None = None,
    framework: Framework | None = None, categories: dict[int, Level2 | None] | None = None,
) -> ProjectTable:  # fmt: skip
    """A new draft table for `unit` and `year`, with the goals and indicators of `source`.

    With `revision`, the copy is that revision of the same table (调整) and points back
    to its source through `previous`. With another `framework`, `categories` (from `placed`)
    gives each indicator's level-2 category there; an indicator placed on None is left out.
    """
    shift = _shifts_years(source, year)
    goals = list(source.goals.all())
    indicators = list(source.indicators.all())
    table = _new_document(source, unit=unit, year=year, revision=revision)
    if source.is_template:
        table.project_code = ""  # another unit's code means nothing here
    moving = framework is not None and framework.pk != source.framework_id
    if moving:
        table.framework = framework
    table.save()
    bulk_create_with_history([Goal(table=table, text=g.text, order=g.order) for g in goals], Goal, default_user=user)
    copies = []
    for original in indicators:
        level2_id = original.level2_id
        if moving:
            if categories[original.pk] is None:
                continue  # 不复制: the clerk left it out
            level2_id = categories[original.pk].pk
        copy = Indicator(table=table, level2_id=level2_id, horizon=original.horizon, **_written(original))
        copies.append(_with_value(copy, original, shift))
    bulk_create_with_history(copies, Indicator, default_user=user)
    return table


@transaction.atomic
def copy_plan(source: DepartmentPlan, *, unit, year: int, user=None, revision: int | None = None) -> DepartmentPlan:
    """A new draft plan for `unit` and `year`, with the items, indicators and funding of `source`."""
    shift = _shifts_years(source, year)
    items = list(source.items.all())
    indicators = list(source.indicators.all())
    lines = list(source.funding_lines.all())
    plan = _new_document(source, unit=unit, year=year, revision=revision)
    plan.save()
    bulk_create_with_history(
        [PlanItem(plan=plan, kind=i.kind, text=i.text, order=i.order) for i in items], PlanItem, default_user=user
    )
    copies = []
    for original in indicators:
        copy = DepartmentIndicator(
            plan=plan, horizon=original.horizon, level1_id=original.level1_id, level2_id=original.level2_id,
            **_written(original),
        )
        copies.append(_with_value(copy, original, shift))
    bulk_create_with_history(copies, DepartmentIndicator, default_user=user)
    bulk_create_with_history(
        [FundingLine(
            plan=plan, kind=line.kind, name=line.name, amount=line.amount, order=line.order,
            prior_amount_1=line.prior_amount_2 if shift else line.prior_amount_1,
            prior_amount_2=line.amount if shift else line.prior_amount_2,
        )
        for line in lines],
        FundingLine,
        default_user=user,
    )
    return plan
