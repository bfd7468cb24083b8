"""A department-wide table (部门整体支出绩效目标表) pasted or in a file → the unit's plan.

Two shapes are read:

- the Hubei form (部门（单位）名称, 部门总体资金情况 with 收入构成 / 支出构成, 部门职能概述,
  长期 / 年度绩效指标), read as the seed documents are (`seedtext`);
- any other department-wide table with an indicator grid (a title with 部门整体, no
  项目名称): read as a project table by its headings (`paste`), then taken as the plan —
  整体绩效目标 the overall goal, 部门职能（职责）概述 the functions, the grid its annual
  indicators, and the amounts listed under 按收入性质分 / 按支出性质分 its funding lines.
"""

from __future__ import annotations

import re

from perfgoals.exchange.seedtext import (
    ParsedDocument, ParsedFunding, ParsedPlan, Row, SeedFormatError, is_department_form, names_project, parse_tokens,
)
from perfgoals.goals import values
from perfgoals.goals.values import normalize_label

FUNCTION_LABELS = ("部门职能概述", "部门职能职责概述", "部门职责概述", "单位职能概述", "部门职能")
_LABEL_AMOUNT = re.compile(r"^(?:其中[:：])?(?P<label>[^:：\d]+?)[:：]\s*(?P<num>[\d,，]+(?:\.\d+)?)?\s*(?:万元|元)?$")


def is_hubei_form(rows: list[Row]) -> bool:
    return any(r.cells and is_department_form(r.cells[0]) for r in rows[:6])


def read_hubei_form(rows: list[Row]) -> ParsedDocument:
    """The Hubei form, as pasted: one cell per Word cell, merged-down cells empty (as the seed dumps)."""
    from perfgoals.exchange.paste import PasteError

    try:
        return parse_tokens(rows)
    except SeedFormatError as e:
        raise PasteError(e.message, e.line) from None


def is_department_table(rows: list[Row]) -> bool:
    """A table titled 部门整体… with no 项目名称: the department's, not a project's."""
    titles = [normalize_label(c) for r in rows[:4] for c in r.cells if c]
    return any("部门整体" in t or "整体支出绩效目标" in t for t in titles) and not names_project(rows)


def as_plan(doc: ParsedDocument, rows: list[Row], money_unit: str = "万元") -> ParsedDocument:
    """The one table read from a department-wide table, taken as the department's plan."""
    (table,) = doc.tables[:1] or [None]
    plan = ParsedPlan(line=table.line if table else 1)
    if table is not None:
        plan.overall_goal = "\n".join(table.goals)
        for indicator in table.indicators:
            indicator.table = "annual"
        plan.indicators = list(table.indicators)
        plan.indicator_layout = "split" if any(i.split for i in table.indicators) else "one_cell"
    header_end = table.line if table else rows[-1].line + 1
    head = [r for r in rows if r.line < header_end]
    for row in head:
        for c, text in enumerate(row.cells):
            if normalize_label(text).rstrip(":：") in FUNCTION_LABELS:
                plan.functions = next((t for t in row.cells[c + 1 :] if t), "")
    plan.funding = _funding(head, money_unit)
    doc.plan = plan
    doc.tables = []
    return doc


def _funding(head: list[Row], money_unit: str) -> list[ParsedFunding]:
    """`label:amount` cells in the column headed 按收入性质分 (income) or 按支出性质分 (expense)."""
    columns: dict[int, str] = {}
    lines: list[ParsedFunding] = []
    for row in head:
        for c, text in enumerate(row.cells):
            key = normalize_label(text)
            if key.startswith("按收入性质分"):
                columns[c] = "income"
                continue
            if key.startswith("按支出性质分"):
                columns[c] = "expense"
                continue
            if c in columns and (m := _LABEL_AMOUNT.match(key)):
                amount = values.to_wan(values.parse_number(m["num"]), money_unit) if m["num"] else None
                lines.append(ParsedFunding(columns[c], m["label"], amount, (None, None)))
    return lines
