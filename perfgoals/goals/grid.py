"""The indicator grid (一级指标 → 二级指标 → 三级指标), built once for every page that shows it.

The editor, the HTML previews, the review page and the printed PDF all start here:

    groups = table_groups(table)                  # framework order, Level1/Level2 objects
    groups = table_groups(table, every_level2=True)   # the editor: every category, to add rows
    groups = plan_groups(plan.indicators.all())    # department indicators: consecutive runs
    blocks = printed_rows(groups)                  # one list of Rows per level-1 group, spans set
    blocks = chunk(blocks, 12)                     # cut long groups between level-2 runs

`cell(indicator, key)` is what a framework's column (frameworks.models.COLUMNS) prints for an
indicator; `columns_of(framework)` lists them (the generic print layout, the review page).

A `Row` carries the level-1 and level-2 labels only on the first row they span (with the
span), as a table with merged cells prints them; `l1`/`l2` always name the row's categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from perfgoals.goals.values import QUALITATIVE, QUANTITATIVE, format_number


@dataclass(frozen=True)
class Category:
    """A level-1 or level-2 category where there is no framework object (a department
    indicator written without one, or a name read from a document)."""

    name: str
    pk: int | None = None

    def __str__(self) -> str:
        return self.name


@dataclass
class Level2Group:
    level2: object  # Level2 or Category
    items: list = field(default_factory=list)  # indicators (or whatever the page puts in)

    @property
    def span(self) -> int:
        return max(1, len(self.items))


@dataclass
class Group:
    level1: object  # Level1 or Category
    level2s: list[Level2Group] = field(default_factory=list)

    @property
    def span(self) -> int:
        return sum(l2.span for l2 in self.level2s)


@dataclass(frozen=True)
class BlankIndicator:
    """A level-2 row the framework prints although nothing was written in it."""

    name: str = ""
    description: str = ""
    basis: str = ""
    value_display: str = ""
    value_cells: tuple[str, str, str] = ("", "", "")


@dataclass(frozen=True)
class Row:
    indicator: object
    l1: str  # the row's level-1 name
    l2: str  # the row's level-2 name
    level1: str = ""  # the level-1 label, on the first row of its run only
    level1_span: int = 1
    level2: str = ""  # the level-2 label, on the first row of its run only
    level2_span: int = 1


def table_groups(table, every_level2: bool | None = None) -> list[Group]:
    """A project table's indicators under its framework's categories, in framework order.

    Empty level-2 categories are kept when `every_level2` (default: when the framework
    prints every level-2 row); a level 1 with nothing under it is left out then too.
    """
    if every_level2 is None:
        every_level2 = table.framework.prints_every_level2
    by_level2: dict[int, list] = {}
    for indicator in table.indicators.all():
        by_level2.setdefault(indicator.level2_id, []).append(indicator)
    groups = []
    for level1 in table.framework.levels1.all():
        level2s = [
            Level2Group(level2, by_level2.get(level2.pk, []))
            for level2 in level1.levels2.all()
            if every_level2 or level2.pk in by_level2
        ]
        if level2s:
            groups.append(Group(level1, level2s))
    return groups


def plan_groups(indicators) -> list[Group]:
    """Department indicators in their order, consecutive rows of one level 1 / level 2 merged."""
    groups: list[Group] = []
    for indicator in indicators:
        l1 = indicator.level1.name if indicator.level1_id else ""
        l2 = indicator.level2.name if indicator.level2_id else ""
        if not groups or groups[-1].level1.name != l1:
            groups.append(Group(indicator.level1 if indicator.level1_id else Category(l1)))
        level2s = groups[-1].level2s
        if not level2s or level2s[-1].level2.name != l2:
            level2s.append(Level2Group(indicator.level2 if indicator.level2_id else Category(l2)))
        level2s[-1].items.append(indicator)
    return groups


def printed_rows(groups: list[Group]) -> list[list[Row]]:
    """The grid as printed table rows: one list per level-1 group (one <tbody> each).

    An empty level-2 category prints one blank row; an unnamed category prints a space so
    its merged cell is still drawn."""
    blocks = []
    for group in groups:
        l1 = group.level1.name
        rows: list[Row] = []
        for l2_group in group.level2s:
            l2 = l2_group.level2.name
            items = l2_group.items or [BlankIndicator()]
            for k, indicator in enumerate(items):
                rows.append(Row(
                    indicator, l1, l2,
                    level1="" if rows else (l1 or " "), level1_span=group.span,
                    level2=(l2 or " ") if k == 0 else "", level2_span=len(items),
                ))  # fmt: skip
        blocks.append(rows)
    return blocks


def chunk(blocks: list[list[Row]], max_rows: int) -> list[list[Row]]:
    """Cut level-1 blocks longer than `max_rows` between level-2 runs.

    Each piece repeats the level-1 label (and a level-2 label cut in two), so a group that
    cannot fit on one page is never cut through a merged cell."""
    pieces_out = []
    for block in blocks:
        label = block[0].level1
        pieces: list[list[Row]] = [[]]
        for row in block:
            run = row.level2_span if row.level2 else 0
            starts_run_that_does_not_fit = run and pieces[-1] and len(pieces[-1]) + run > max_rows
            if starts_run_that_does_not_fit or len(pieces[-1]) >= max_rows:
                pieces.append([])
            pieces[-1].append(replace(row, level1=""))
        for piece in pieces:
            piece[0] = replace(piece[0], level1=label, level1_span=len(piece), level2=piece[0].level2 or piece[0].l2 or " ")
            for k, row in enumerate(piece):
                if row.level2:
                    span = 1
                    while k + span < len(piece) and not piece[k + span].level2:
                        span += 1
                    piece[k] = replace(row, level2_span=span)
        pieces_out.extend(pieces)
    return pieces_out


# ---- what a framework's column prints (frameworks.models.COLUMNS) ----------------------------


def cell(indicator, key: str) -> str:
    """What one column prints for one indicator (a blank row prints nothing)."""
    if isinstance(indicator, BlankIndicator):
        return {"name": indicator.name, "description": indicator.description, "basis": indicator.basis}.get(key, "")
    value = indicator.value
    if key == "value":
        return indicator.value_display
    if key == "operator":
        if value.kind == QUALITATIVE:
            return "定性"
        return value.operator or ("=" if value.kind == QUANTITATIVE else "")
    if key == "number":
        if value.raw and value.problem:
            return value.raw
        return format_number(value.number) if value.kind == QUANTITATIVE else value.text
    if key == "unit":
        return value.unit if value.kind == QUANTITATIVE else ""
    if key == "basis_category":
        return indicator.get_basis_category_display()
    if key == "direction":
        return indicator.get_direction_display()
    if key == "weight":
        return format_number(indicator.weight)
    return str(getattr(indicator, key, "") or "")


DEFAULT_COLUMNS = [("name", "三级指标"), ("description", "绩效指标描述"), ("value", "指标值"), ("basis", "指标值确定依据")]


def columns_of(framework) -> list[tuple[str, str]]:
    """(key, printed heading) of a framework's indicator columns besides its categories; the
    classic four where it defines none."""
    found = [(c.key, c.printed_heading) for c in framework.columns.all() if c.key not in ("level1", "level2")]
    return found or DEFAULT_COLUMNS
