"""Read the text dumps of published 部门预算绩效目标文本 (Word tables, one cell per line).

The dump format: a table cell is a line starting with a tab; a line without a tab
right after a cell continues that cell; a blank line ends a table row; any other
line is a paragraph. Word field codes (` TC "…" \\f A \\l 1`, `[bookmark: _Toc…]`)
and Excel row numbers (`2.00`, `3.00`… in the first cell) are noise.

This module only reads text into plain data (`ParsedDocument`); matching labels to
a framework and writing to the database is `perfgoals.exchange.importer`'s job.
Every parsed piece carries the line it came from, so errors name file and line.

Longer than 400 lines: it is one reader of one format, top to bottom (tokens, the
department part, the project tables of each layout), and each layout's quirks sit next
to the code that reads it; split, each part would only make sense beside the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from perfgoals.goals.values import normalize_label as label, parse_number


class SeedFormatError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(f"第 {line} 行：{message}")
        self.line = line
        self.message = message


# ---------------------------------------------------------------- tokens


@dataclass
class Paragraph:
    text: str
    line: int


@dataclass
class Row:
    cells: list[str]
    line: int


_FIELD_CODE = re.compile(r"\s+TC\s+.*$")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_ROW_NUMBER = re.compile(r"^\d+\.00$")


def clean(text: str) -> str:
    return _BOOKMARK.sub("", _FIELD_CODE.sub("", text)).replace("\u3000", " ").strip()


def tokenize(text: str) -> list[Paragraph | Row]:
    """Turn the dump into paragraphs and table rows, each with its first line number."""
    return drop_row_numbers(dump_tokens(text))


def dump_tokens(text: str) -> list[Paragraph | Row]:
    """The dump's paragraphs and rows as written (Excel row numbers kept)."""
    tokens: list[Paragraph | Row] = []
    row: Row | None = None
    last_was_cell = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.startswith("\t") and not line.strip():
            row, last_was_cell = None, False
            continue
        if line.startswith("\t"):
            if row is None:
                row = Row([], number)
                tokens.append(row)
            row.cells.append(clean(line[1:]))
            last_was_cell = True
        elif last_was_cell and row is not None:
            row.cells[-1] = (row.cells[-1] + "\n" + clean(line)).strip()
        else:
            text_ = clean(line)
            if text_:
                tokens.append(Paragraph(text_, number))
    return tokens


def drop_row_numbers(tokens: list[Paragraph | Row]) -> list[Paragraph | Row]:
    """An Excel export's row numbers (`2.00` in a table's first cell) are not data (seed 001)."""
    for token in tokens:
        if isinstance(token, Row) and len(token.cells) > 1 and _ROW_NUMBER.match(token.cells[0]):
            token.cells.pop(0)
    return tokens


# ---------------------------------------------------------------- parsed data


@dataclass
class ParsedIndicator:
    line: int
    level1: str
    level2: str
    name: str
    description: str = ""
    value: str = ""  # one-cell layout
    split: tuple[str, str, str] | None = None  # 符号, 值, 单位 for the split layout
    basis: str = ""
    basis_category: str = ""
    prior_values: tuple[str, str] = ("", "")
    table: str = ""  # department indicators: long_term / annual
    # Columns only some forms have, as written (paste.py reads them; kept where the framework has the column).
    weight: str = ""
    direction: str = ""
    scoring: str = ""
    remark: str = ""


@dataclass
class ParsedTable:
    line: int
    layout: str  # "one_cell" (Hebei) or "split" (Chengde)
    position: int = 0
    unit_code: str = ""
    unit_name: str = ""
    project_code: str = ""
    project_name: str = ""
    budget_total: Decimal | None = None
    budget_fiscal: Decimal | None = None
    budget_other: Decimal | None = None
    fund_use: str = ""
    spending_plan: list[Decimal | None] = field(default_factory=lambda: [None] * 4)
    goals: list[str] = field(default_factory=list)
    explanation: str = ""
    indicators: list[ParsedIndicator] = field(default_factory=list)


@dataclass
class ParsedFunding:
    kind: str  # income / expense
    name: str
    amount: Decimal | None
    prior_amounts: tuple[Decimal | None, Decimal | None]


@dataclass
class ParsedPlan:
    line: int
    overall_goal: str = ""
    sub_goals: list[str] = field(default_factory=list)
    safeguards: list[str] = field(default_factory=list)
    functions: str = ""
    annual_tasks: str = ""
    long_term_goal: str = ""
    annual_goal: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    funding: list[ParsedFunding] = field(default_factory=list)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    indicator_layout: str = "one_cell"


@dataclass
class ParsedDocument:
    unit_code: str = ""
    unit_name: str = ""
    year: int | None = None
    plan: ParsedPlan | None = None
    tables: list[ParsedTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader left out, for the preview to say


# ---------------------------------------------------------------- small readers


def number(text: str) -> Decimal | None:
    """'85.27' → 85.27, '100.00%' → 100.00, '' / '　' → None."""
    return parse_number(label(text).rstrip("%％"))


def strict_number(text: str, line: int, what: str) -> Decimal | None:
    value = number(text)
    if value is None and label(text):
        raise SeedFormatError(line, f"{what}“{text}”不是数字。")
    return value


_GOAL_NUMBER = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)[\.．、]\s*(?=\D)")


def split_goals(text: str) -> list[str]:
    """'1.拨付企业预交款\\n2.拨付企业预交款' → ['拨付企业预交款', '拨付企业预交款']."""
    goals = []
    for part in text.splitlines():
        part = _GOAL_NUMBER.sub("", part).strip()
        if part:
            goals.append(part)
    return goals


_HEBEI_CODE = re.compile(r"^(?P<region>\d{6})(?P<year>\d{2})")


def year_from_code(code: str) -> int | None:
    """Hebei project codes carry the region and two year digits: 130682**21**… is 2021."""
    if m := _HEBEI_CODE.match(code or ""):
        year = 2000 + int(m["year"])
        if 2010 <= year <= 2099:
            return year
    return None


def region_from_code(code: str) -> str:
    m = _HEBEI_CODE.match(code or "")
    return m["region"] if m else ""


_UNIT_LINE = re.compile(r"^(?P<code>\d{6})\s*(?P<name>\S.*)$")
_SECTION = re.compile(r"^第[一二三四五六七八九十]+部分")
_HEADINGS = {
    "overall": re.compile(r"^[一1][、.．]\s*(?:总体绩效目标|总体目标)"),
    "sub_goals": re.compile(r"^[二2][、.．]\s*分项绩效目标"),
    "safeguards": re.compile(r"^[三3][、.．]\s*(?:工作保障措施|保障措施)"),
}
_TABLE_INTRO = re.compile(r"(?:情况表|绩效表|目标表).*如下[：:]?$")
_PLAN_YEAR = re.compile(r"(20\d\d)年.*(?:部门|单位)整体绩效目标")
_ISSUER = re.compile(r"^(?P<name>\S{2,30}?(?:局|中心|委员会|管委会|办公室|政府|院|所|站|处|队|馆|会))(?:关于|工作活动)?$")


# ---------------------------------------------------------------- the document


def parse_document(text: str) -> ParsedDocument:
    return parse_tokens(tokenize(text))


def parse_tokens(tokens: list[Paragraph | Row]) -> ParsedDocument:
    """A document's paragraphs and table rows (from a text dump or a Word file) → its plan and tables."""
    doc = ParsedDocument()
    if any(is_department_form(t.cells[0]) for t in [t for t in tokens if isinstance(t, Row)][:5]):
        _parse_hubei(tokens, doc)
    else:
        _parse_classic(tokens, doc)
    if doc.year is None:
        years = [y for t in doc.tables if (y := year_from_code(t.project_code))]
        if years:
            doc.year = max(set(years), key=years.count)
    if doc.plan is None and not doc.tables:
        raise SeedFormatError(1, "未识别的格式：没有找到部门整体绩效目标，也没有找到项目绩效目标表（应含“项目编码”一行）。")
    return doc


def is_goal_document(tokens: list[Paragraph | Row]) -> bool:
    """A 部门预算绩效目标文本 as the seeds are: the department part's headings, the Hubei
    部门整体 form, or project tables with a 项目编码 row."""
    for t in tokens:
        if isinstance(t, Paragraph) and (_SECTION.match(t.text) or any(p.match(t.text) for p in _HEADINGS.values())):
            return True
        if isinstance(t, Row) and t.cells and (label(t.cells[0]) == "项目编码" or is_department_form(t.cells[0])):
            return True
    return False


def is_department_form(first_cell: str) -> bool:
    """部门（单位）名称 (or 部门(单位)名称) opens the Hubei 部门整体绩效目标表."""
    return label(first_cell).replace("(", "（").replace(")", "）").startswith("部门（单位）")


def names_project(rows: list[Row]) -> bool:
    """A table with a 项目名称 label is a project's, in whatever layout."""
    return any(label(c).rstrip("：:") == "项目名称" for r in rows for c in r.cells)


def _runs(tokens: list[Paragraph | Row]) -> list[tuple[list[Paragraph], list[Row]]]:
    """Split into (paragraphs before, consecutive rows) pairs; trailing paragraphs get no rows."""
    runs: list[tuple[list[Paragraph], list[Row]]] = []
    paragraphs: list[Paragraph] = []
    rows: list[Row] = []
    for token in tokens:
        if isinstance(token, Row):
            rows.append(token)
            continue
        if rows:
            runs.append((paragraphs, rows))
            paragraphs, rows = [], []
        paragraphs.append(token)
    runs.append((paragraphs, rows))
    return runs


def _parse_classic(tokens: list[Paragraph | Row], doc: ParsedDocument) -> None:
    """Part one (the plan, in paragraphs, perhaps with a department-wide table), then
    the project tables, each preceded by its title (Hebei) or its prose 说明 (Chengde)."""
    plan_paragraphs: list[Paragraph] = []
    plan_rows: list[Row] = []
    in_plan = True
    position = 0
    for paragraphs, rows in _runs(tokens):
        is_project = any(label(r.cells[0]) == "项目编码" for r in rows)
        if in_plan:
            cut = next((i for i, p in enumerate(paragraphs)
                        if _SECTION.match(p.text) and not p.text.startswith("第一部分")), None)
            if cut is None and not is_project:
                plan_paragraphs.extend(paragraphs)
                if not names_project(rows):  # another layout's project table is not the department's
                    plan_rows = rows or plan_rows  # a department-wide indicator table (seed 001)
                continue
            if cut is None:  # no section heading: only a table title stays with the table
                titled = paragraphs and re.search(r"(?:绩效目标表|^\d+[\.．、].*表)$", paragraphs[-1].text)
                cut = len(paragraphs) - 1 if titled else len(paragraphs)
            plan_paragraphs.extend(paragraphs[:cut])
            paragraphs = paragraphs[cut:]
            in_plan = False
        if is_project:
            position += 1
            doc.tables.append(_parse_project_table(rows, paragraphs, position))
    _parse_plan_paragraphs(plan_paragraphs, doc)
    if doc.plan and plan_rows:
        _fill_plan_indicators(doc.plan, plan_rows)
    # The unit: from the unit line above Hebei tables, else the first issuer line.
    for table in doc.tables:
        if table.unit_name:
            doc.unit_code, doc.unit_name = table.unit_code, table.unit_name
            break
    else:
        issuers = [m["name"] for t in doc.tables for line in t.explanation.splitlines()[:3]
                   if (m := _ISSUER.match(line.strip()))]
        if issuers:
            doc.unit_name = issuers[0]
    for p in plan_paragraphs:
        if m := _PLAN_YEAR.search(p.text):
            doc.year = int(m[1])
            break


def _parse_plan_paragraphs(paragraphs: list[Paragraph], doc: ParsedDocument) -> None:
    sections: dict[str, list[Paragraph]] = {}
    current: str | None = None
    for p in paragraphs:
        for name, pattern in _HEADINGS.items():
            if pattern.match(p.text):
                current = name
                sections[name] = []
                break
        else:
            if current and not _TABLE_INTRO.search(p.text) and not _SECTION.match(p.text):
                sections[current].append(p)
    if not sections:
        return
    first_line = min(p.line for ps in sections.values() for p in ps) if any(sections.values()) else 1
    plan = ParsedPlan(line=first_line)
    plan.overall_goal = "\n".join(p.text for p in sections.get("overall", []))
    plan.sub_goals = _items(sections.get("sub_goals", []), merge_indicators=True)
    plan.safeguards = _items(sections.get("safeguards", []))
    doc.plan = plan


def _items(paragraphs: list[Paragraph], merge_indicators: bool = False) -> list[str]:
    """Paragraphs as items; a short heading ending in '：' joins the next paragraph, and
    '绩效指标：…' / '绩效目标：…' lines join the item they describe."""
    items: list[str] = []
    heading = ""
    for p in paragraphs:
        text = p.text
        if len(text) <= 20 and text.endswith(("：", ":")):
            heading = f"{heading}{text}\n"
            continue
        if merge_indicators and items and not heading and re.match(r"^绩效(?:指标|目标)[：:]", text):
            items[-1] = f"{items[-1]}\n{text}"
            continue
        items.append(f"{heading}{text}")
        heading = ""
    return items


def _prelude(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs that belong to the next table: not section headings or page numbers."""
    kept = []
    for p in paragraphs:
        if _SECTION.match(p.text) or p.text.isdigit() or p.text in ("预算项目绩效目标", "专项资金绩效目标"):
            kept = []  # whatever came before a section heading belongs to that section
            continue
        kept.append(p)
    return kept


def _parse_project_table(rows: list[Row], paragraphs: list[Paragraph], position: int) -> ParsedTable:
    split = any("符号" in r.cells for r in rows)
    table = ParsedTable(line=rows[0].line, layout="split" if split else "one_cell", position=position)
    prelude = _prelude(paragraphs)
    if split:
        table.explanation = "\n".join(p.text for p in prelude)
    elif prelude and (m := re.match(r"^(\d+)[\.．、]", prelude[-1].text)):
        table.position = int(m[1])
    i = 0
    while i < len(rows):
        row = rows[i]
        cells = row.cells
        first = label(cells[0])
        if m := _UNIT_LINE.match(cells[0].strip()):
            table.unit_code, table.unit_name = m["code"], m["name"].strip()
        elif first == "项目编码":
            table.project_code = cells[1].strip() if len(cells) > 1 else ""
            if len(cells) >= 4 and label(cells[2]) == "项目名称":
                table.project_name = cells[3].strip()
            elif len(cells) >= 3:
                table.project_name = cells[-1].strip()  # the 项目名称 label is missing (seed 001)
        elif first == "项目名称" and len(cells) > 1:
            table.project_name = cells[1].strip()
        elif first == "资金用途" and len(cells) > 1:
            table.fund_use = cells[1].strip()
        elif first == "预算规模及资金用途":
            _read_budget(table, row)
            if i + 1 < len(rows) and not label(rows[i + 1].cells[0]) and len(rows[i + 1].cells) >= 2:
                i += 1
                table.fund_use = rows[i].cells[-1].strip()
        elif first.startswith("资金支出计划"):
            if i + 1 < len(rows):
                i += 1
                values = rows[i].cells[-4:]
                table.spending_plan = [strict_number(v, rows[i].line, "资金支出计划") for v in values]
        elif first == "绩效目标":
            _read_goals(table, rows, i)
        elif first == "一级指标":
            table.indicators = _read_grid(rows[i + 1 :], split)
            break
        i += 1
    if not table.project_name:
        raise SeedFormatError(table.line, "项目绩效目标表缺少项目名称。")
    return table


def _read_budget(table: ParsedTable, row: Row) -> None:
    cells = row.cells[1:]
    for name, value in zip(cells[::2], cells[1::2]):
        key = label(name)
        if key == "预算数":
            table.budget_total = strict_number(value, row.line, "预算数")
        elif key.endswith("财政资金"):
            table.budget_fiscal = strict_number(value, row.line, "财政资金")
        elif key == "其他资金":
            table.budget_other = strict_number(value, row.line, "其他资金")


def _read_goals(table: ParsedTable, rows: list[Row], i: int) -> None:
    cells = rows[i].cells
    if len(cells) >= 3 and re.match(r"^目标\d+$", label(cells[1])):
        # Chengde: 目标1 / 目标2 on consecutive rows.
        table.goals.append(cells[2].strip())
        for row in rows[i + 1 :]:
            if len(row.cells) >= 3 and re.match(r"^目标\d+$", label(row.cells[1])):
                if row.cells[2].strip():
                    table.goals.append(row.cells[2].strip())
            else:
                break
    elif len(cells) >= 2:
        table.goals = split_goals(cells[1])


def _merge_broken_rows(rows: list[Row], width: int) -> list[Row]:
    """A row cut short by a nested table in Word continues in the next row (seed 003)."""
    merged: list[Row] = []
    pending: Row | None = None
    for row in rows:
        if pending is not None:
            cells = list(pending.cells)
            while cells and not cells[-1]:
                cells.pop()
            row = Row(cells + row.cells, pending.line)
            pending = None
        if len(row.cells) < width and any(row.cells):
            pending = row
            continue
        merged.append(row)
    if pending is not None:  # the document ended inside the row: its last cells are empty
        merged.append(Row(pending.cells + [""] * (width - len(pending.cells)), pending.line))
    return merged


def _read_grid(rows: list[Row], split: bool) -> list[ParsedIndicator]:
    width = 8 if split else 6
    indicators: list[ParsedIndicator] = []
    level1 = level2 = ""
    for row in _merge_broken_rows(rows, width):
        cells = [c.strip() for c in row.cells]
        if "符号" in cells or not any(cells):
            continue
        if len(cells) != width:
            raise SeedFormatError(row.line, f"指标行应有 {width} 栏，实有 {len(cells)} 栏。")
        if cells[0]:
            level1 = cells[0]
        if cells[1]:
            level2 = cells[1]
        if not (cells[2] or cells[3]):
            continue  # an empty row of the printed grid
        indicator = ParsedIndicator(row.line, level1, level2, cells[2], cells[3])
        if split:
            indicator.split = (cells[4], cells[5], cells[6])
            indicator.basis = cells[7]
        else:
            indicator.value, indicator.basis = cells[4], cells[5]
        indicators.append(indicator)
    return indicators


def _fill_plan_indicators(plan: ParsedPlan, rows: list[Row]) -> None:
    start = next((i for i, r in enumerate(rows) if label(r.cells[0]) == "一级指标"), None)
    if start is None:
        return
    split = any("符号" in r.cells for r in rows)
    plan.indicator_layout = "split" if split else "one_cell"
    for indicator in _read_grid(rows[start + 1 :], split):
        indicator.table = "annual"
        plan.indicators.append(indicator)


# ---------------------------------------------------------------- Hubei 部门整体绩效目标表


def _parse_hubei(tokens: list[Paragraph | Row], doc: ParsedDocument) -> None:
    rows = [t for t in tokens if isinstance(t, Row)]
    plan = ParsedPlan(line=rows[0].line)
    doc.plan = plan
    prior_years: list[int] = []
    funding_kind = ""
    table = ""
    level1 = level2 = ""
    for row in rows:
        cells = [c.strip() for c in row.cells]
        first = label(cells[0])
        if is_department_form(first):
            doc.unit_name = cells[1].strip()
        elif first == "填报人":
            plan.contact_person = cells[1].strip()
            if len(cells) >= 4 and label(cells[2]) == "联系电话":
                plan.contact_phone = cells[3].strip()
        elif first == "部门职能概述":
            plan.functions = cells[1]
        elif first == "年度工作任务":
            plan.annual_tasks = cells[1]
        elif first.startswith("长期目标"):
            plan.long_term_goal = cells[1]
            if m := re.search(r"截止(20\d\d)年", cells[0]):
                doc.year = int(m[1])
        elif first.startswith("年度目标"):
            plan.annual_goal = cells[1]
        elif first.startswith("长期绩效指标"):
            table, level1, level2 = "long_term", "", ""
        elif first.startswith("年度绩效指标"):
            table, level1, level2 = "annual", "", ""
        elif first.startswith("部门总体"):
            funding_kind = "header"
        elif (funding_kind and not table and len(cells) in (6, 7) and not any(cells[:-2])
              and all(re.match(r"^20\d\d\s*年$", c) for c in cells[-2:])):
            prior_years = [int(c[:4]) for c in cells[-2:]]
        elif funding_kind and not table and len(cells) == 7:
            if label(cells[1]):
                funding_kind = "income" if label(cells[1]).startswith("收入") else "expense"
            name = label(cells[2])
            if name and name != "合计":
                plan.funding.append(ParsedFunding(
                    funding_kind, name, strict_number(cells[3], row.line, "当年金额"),
                    (strict_number(cells[5], row.line, "近两年收支金额"),
                     strict_number(cells[6], row.line, "近两年收支金额")),
                ))
        elif table and len(cells) in (7, 9):
            if label(cells[1]):
                level1 = label(cells[1])
            if label(cells[2]):
                level2 = label(cells[2])
            name = cells[3]
            if not name or name in ("近两年指标值",) or re.match(r"^20\d\d\s*年$", name):
                continue
            indicator = ParsedIndicator(row.line, level1, level2, name, table=table)
            if len(cells) == 7:
                indicator.value, indicator.basis, category = cells[4], cells[5], cells[6]
            else:
                indicator.prior_values = (cells[4], cells[5])
                indicator.value, indicator.basis, category = cells[6], cells[7], cells[8]
            indicator.basis_category = category
            plan.indicators.append(indicator)
        elif table and any(cells[1:]) and not re.match(r"^(近两年|20\d\d)", label(cells[4] if len(cells) > 4 else "")):
            if len(cells) not in (7, 8, 9):
                raise SeedFormatError(row.line, f"部门整体绩效指标行的栏数（{len(cells)}）不符合湖北格式。")
    if prior_years and not doc.year:
        doc.year = max(prior_years) + 1
    plan.indicator_layout = "one_cell"
