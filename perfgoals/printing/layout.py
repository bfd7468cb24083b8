"""The generic print layout: a project table laid out from its framework's definition.

Used for a framework whose PrintLayout's template is "generic" (an administrator's new
framework, the 101号 table, the shipped Wuhan / Xiangtan / Jingyan forms). The columns,
their headings and widths, the horizons (one grid; 长期 and 年度 in two grids; 中期 and 年度
side by side), the money block, the header fields, the title, the unit line, the
orientation and the footer lines all come from frameworks.models (Framework, Column,
PrintLayout). The Hebei, Chengde and Hubei forms keep their own templates.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from perfgoals.frameworks.models import HEADER_FIELDS, Framework, PrintLayout
from perfgoals.goals import grid
from perfgoals.goals.models import Indicator, ProjectTable
from perfgoals.goals.values import format_money, format_percent

DEFAULT_SOURCES = ["财政资金", "其他资金"]


def layout_of(framework: Framework) -> PrintLayout:
    return framework.layout or PrintLayout(code="", name="")


def fill(pattern: str, **values) -> str:
    """A title or unit-line pattern with its {placeholders} filled (PrintLayout.clean checks them;
    one that still does not format prints as written)."""
    try:
        return (pattern or "").format_map(defaultdict(str, values))
    except (IndexError, ValueError):
        return pattern


def source_amounts(table: ProjectTable) -> list[tuple[str, str]]:
    """The money block's sources with their amounts: 财政资金 / 其他资金 are the table's own
    fields; other sources come from the table's `source_amounts` (万元)."""
    framework = table.framework
    sources = framework.sources()
    unit = framework.amount_unit
    if sources == DEFAULT_SOURCES or (len(sources) == 2 and not table.source_amounts):
        return [(sources[0], format_money(table.budget_fiscal, unit)), (sources[1], format_money(table.budget_other, unit))]
    stored = table.source_amounts or {}
    out = []
    for name in sources:
        raw = stored.get(name)
        out.append((name, format_money(Decimal(str(raw)), unit) if raw not in (None, "") else ""))
    return out


def indicator_columns(framework: Framework) -> list:
    """The printed columns other than the two category columns, in order."""
    return [c for c in framework.columns.all() if c.key not in ("level1", "level2")]


cell = grid.cell


def category_widths(framework: Framework) -> tuple[int, int]:
    widths = {c.key: c.width for c in framework.columns.all()}
    return widths.get("level1", 10), widths.get("level2", 12)


def grid_rows(groups, columns, merge: bool) -> list[list[dict]]:
    """One list of rows per level-1 group: each row its category labels (with spans, or on
    every row when the layout does not merge) and its cells."""
    blocks = []
    for block in grid.chunk(grid.printed_rows(groups), 12):
        rows = []
        for row in block:
            if merge:
                labels = (row.level1, row.level1_span, row.level2, row.level2_span)
            else:
                labels = (row.l1 or " ", 1, row.l2 or " ", 1)
            rows.append({"level1": labels[0], "level1_span": labels[1], "level2": labels[2], "level2_span": labels[3],
                         "cells": [cell(row.indicator, c.key) for c in columns]})
        blocks.append(rows)
    return blocks


def horizon_groups(table: ProjectTable, horizon: str) -> list[grid.Group]:
    groups = []
    for group in grid.table_groups(table):
        level2s = [grid.Level2Group(l2.level2, [i for i in l2.items if i.horizon == horizon]) for l2 in group.level2s]
        keep = [l2 for l2 in level2s if l2.items or table.framework.prints_every_level2]
        if keep:
            groups.append(grid.Group(group.level1, keep))
    return groups


def side_by_side_rows(table: ProjectTable, columns, merge: bool) -> list[list[dict]]:
    """中期 and 年度 in one grid: per level-2 category, the n-th long-term indicator beside the
    n-th annual one; the level-1 label merged down its rows (or repeated)."""
    blocks = []
    for group in grid.table_groups(table):
        rows = []
        for l2 in group.level2s:
            long_term = [i for i in l2.items if i.horizon == Indicator.LONG_TERM]
            annual = [i for i in l2.items if i.horizon == Indicator.ANNUAL]
            count = max(len(long_term), len(annual), 1 if table.framework.prints_every_level2 or l2.items else 0)
            for k in range(count):
                halves = []
                for items in (long_term, annual):
                    indicator = items[k] if k < len(items) else grid.BlankIndicator()
                    halves.append({"level2": l2.level2.name, "cells": [cell(indicator, c.key) for c in columns]})
                rows.append({"level1": group.level1.name, "halves": halves})
        if rows:
            for k, row in enumerate(rows):
                row["level1_span"] = len(rows) if merge else 1
                if merge and k:
                    row["level1"] = ""
            blocks.append(rows)
    return blocks


def placeholders(table: ProjectTable) -> dict:
    return {"project_name": table.project_name, "year": table.year, "unit": table.unit.name,
            "amount_unit": table.framework.amount_unit}


def title(table: ProjectTable) -> str:
    return fill(layout_of(table.framework).title_pattern or "{project_name}绩效目标表", **placeholders(table))


def generic_context(table: ProjectTable, number: int | None = None) -> dict:
    framework = table.framework
    layout = layout_of(framework)
    columns = indicator_columns(framework)
    values = placeholders(table)
    headers = [(HEADER_FIELDS[k], getattr(table, k, "")) for k in framework.header_keys() if k in HEADER_FIELDS]
    w1, w2 = category_widths(framework)
    merge = layout.merge_categories
    context = {
        "table": table,
        "framework": framework,
        "layout": layout,
        "title": title(table),
        "number": number if number is not None else (table.position or None),
        "unit_line": fill(layout.unit_line, **values),
        "headers": headers,
        "total": format_money(table.budget_total, framework.amount_unit),
        "sources": source_amounts(table),
        "spending": [format_percent(p) for p in table.spending_plan],
        "goals": [goal.text for goal in table.goals.all()],
        "long_term_label": framework.long_term_label or "中期",
        "horizons": framework.horizons,
        "columns": columns,
        "width1": w1,
        "width2": w2,
        "footers": layout.footers(),
        "landscape": layout.orientation == PrintLayout.LANDSCAPE,
    }
    if framework.horizons == Framework.SIDE_BY_SIDE:
        context["side_by_side"] = side_by_side_rows(table, columns, merge)
        half = sum(c.width for c in columns) + w2
        context["half_scale"] = [round(c.width * (100 - w1) / 2 / half, 2) for c in columns]
        context["half_w2"] = round(w2 * (100 - w1) / 2 / half, 2)
    elif framework.horizons == Framework.TWO_GRIDS:
        context["grids"] = [
            (f"{context['long_term_label']}绩效指标", grid_rows(horizon_groups(table, Indicator.LONG_TERM), columns, merge)),
            ("年度绩效指标", grid_rows(horizon_groups(table, Indicator.ANNUAL), columns, merge)),
        ]
    else:
        context["grids"] = [("", grid_rows(grid.table_groups(table), columns, merge))]
    return context
