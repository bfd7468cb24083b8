"""Read a table as a clerk has it — pasted, or out of a Word or Excel file — into plain data.

Every input ends up as rows of cells (`Row` with the line, Excel row or table row it came
from), read here into the same `ParsedDocument` the seed importer reads dumps into:

- `rows_from_text`: the clipboard's text/plain (Word, Excel, WPS, a web page): one row a
  line, cells separated by tabs, a cell merged down from the row above written empty.
- `rows_from_html`: the clipboard's text/html: the <table>s, with rowspan and colspan
  spread out so a merged cell reads as in text/plain (its first cell holds the text).
- `parse_rows`: the rows → project tables. Headings are recognised by meaning, not by
  exact text (三级指标 / 指标内容 / 指标名称, 指标值 / 指标值及单位 / 目标值 …); a printed
  form (label cells above an indicator grid, one project) and a flat list (one row per
  indicator, as the budget systems export it, several projects) are both read.

Category names stay as written; matching them to a framework is `exchange.categories`'
job, storing is `exchange.documents`'. Values stay as written too: `goals.values` parses
them. What cannot be read raises `PasteError` naming the row (and column) in Chinese.

Longer than 400 lines: it is one reader, top to bottom (rows from text or HTML, the
headings, the header fields above the grid, the grid); each part only makes sense
beside the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from perfgoals.exchange import plantable
from perfgoals.exchange.seedtext import ParsedDocument, ParsedIndicator, ParsedTable, Row, split_goals
from perfgoals.goals import values
from perfgoals.goals.models import Direction
from perfgoals.goals.values import normalize_label


class PasteError(Exception):
    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = ""
        if line is not None:
            where = f"第 {line} 行" + (f"第 {column} 列" if column is not None else "") + "："
        super().__init__(where + message)
        self.message, self.line, self.column = message, line, column


def column_letter(index: int) -> str:
    """0 → A, 27 → AB: how Excel names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- rows


def _cell(text: str) -> str:
    return (text or "").replace("\u3000", " ").replace("\xa0", " ").strip()


def rows_from_text(text: str) -> list[Row]:
    """text/plain from the clipboard: one row a line, cells separated by tabs."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [_cell(c) for c in line.split("\t")]
        if any(cells):
            rows.append(Row(cells, number))
    return rows


class _TableParser(HTMLParser):
    """The cells of every <table> in a page; a nested table's text joins its cell."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self.stack: list[list[list[tuple[str, int, int]]]] = []
        self.cell: list[str] | None = None
        self.span = (1, 1)
        self.depth_cells: list[tuple[list[str] | None, tuple[int, int]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.depth_cells.append((self.cell, self.span))
            self.cell = None
            self.stack.append([])
        elif tag == "tr" and self.stack:
            self.stack[-1].append([])
        elif tag in ("td", "th") and self.stack:
            if not self.stack[-1]:
                self.stack[-1].append([])
            self.cell = []
            self.span = (_span(attrs.get("rowspan")), _span(attrs.get("colspan")))
        elif tag in ("br", "p", "div", "li") and self.cell is not None and self.cell:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.stack:
            text = "".join(self.cell)
            text = "\n".join(_cell(part) for part in text.split("\n") if _cell(part))
            self.stack[-1][-1].append((text, *self.span))
            self.cell = None
        elif tag == "table" and self.stack:
            table = self.stack.pop()
            outer_cell, outer_span = self.depth_cells.pop() if self.depth_cells else (None, (1, 1))
            if outer_cell is not None:  # a nested table: its text becomes part of the outer cell
                outer_cell.append("\n".join("\t".join(c[0] for c in row) for row in table))
                self.cell, self.span = outer_cell, outer_span
            else:
                self.tables.append(table)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(re.sub(r"\s+", " ", data))


def _span(text) -> int:
    try:
        return max(1, min(int(text or 1), 1000))
    except ValueError:
        return 1


def rows_from_html(html: str, *, what: str = "粘贴的内容") -> list[Row]:
    """text/html from the clipboard: every table's rows, merged cells spread out.

    A cell spanning several rows or columns holds its text in its first position and is
    empty in the others, as text/plain writes a merged cell. A span reaches no further than
    its table's rows and MAX_COLUMNS columns, and more than MAX_ROWS rows are refused before
    they are spread, so `rowspan=1000 colspan=1000` in every cell costs nothing.
    """
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    if (count := sum(len(table) for table in parser.tables)) > MAX_ROWS:
        raise PasteError(f"{what}有 {count} 行，一次最多导入 {MAX_ROWS} 行，请拆分后分别导入。")
    rows: list[Row] = []
    number = 0
    for table in parser.tables:
        taken: dict[tuple[int, int], str] = {}
        for r, cells in enumerate(table):
            c = 0
            for text, rowspan, colspan in cells:
                while (r, c) in taken:
                    c += 1
                if c >= MAX_COLUMNS:
                    break
                for dr in range(min(rowspan, len(table) - r)):
                    for dc in range(min(colspan, MAX_COLUMNS - c)):
                        taken[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
                c += colspan
        widths = [0] * len(table)
        for r, c in taken:
            widths[r] = max(widths[r], c + 1)
        for r in range(len(table)):
            cells = [taken.get((r, c), "") for c in range(widths[r])]
            number += 1
            if any(cells):
                rows.append(Row(cells, number))
    return rows


# ---------------------------------------------------------------- headings

# Each column of an indicator grid, by the headings that name it (compared without spaces,
# brackets' contents and a trailing colon).
HEADINGS = {
    "level1": ["一级指标"],
    "level2": ["二级指标"],
    "name": ["三级指标", "三级指标内容", "指标内容", "指标名称", "绩效指标名称"],
    "value": ["指标值", "指标值及单位", "年度指标值", "指标目标值", "目标值", "计划指标值", "当年预期实现值",
              "预期当年实现值", "指标值（包含数字及文字描述）", "预期目标值"],
    "operator": ["指标性质", "指标值类型", "符号", "比较符"],
    "unit": ["度量单位", "计量单位", "单位"],
    "basis": ["指标值确定依据", "绩效标准", "指标分类", "评价标准", "确定依据"],
    "description": ["绩效指标描述", "指标解释", "指标值内容", "指标说明", "指标描述"],
    "weight": ["权重", "分值"],
    "scoring": ["评（扣）分标准", "评分标准", "评扣分标准"],
    "remark": ["备注"],
    "direction": ["指标方向", "指标方向性"],
    "unit_name": ["单位名称", "预算单位"],
    "project": ["项目名称"],
    "budget": ["预算数", "预算金额", "项目金额"],
    "goal": ["年度目标", "绩效目标", "年度绩效目标"],
}  # fmt: skip
_HEADING_ROLE = {normalize_label(h): role for role, names in HEADINGS.items() for h in names}
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
LONG_TERM, ANNUAL = "long_term", "annual"
MAX_ROWS = 5_000  # rows a paste or file may have: a department's projects, with room; more is refused unread
MAX_COLUMNS = 100  # columns read of a row (a sheet's, a pasted table's)


def heading_key(text: str) -> str:
    return _BRACKETS.sub("", normalize_label(text)).rstrip(":：").replace("（必填）", "")


def _horizon(text: str) -> str:
    """长期 / 中期 / 实施期 or 年度, from a heading's brackets: 三级指标(长期)."""
    inside = "".join(_BRACKETS.findall(normalize_label(text)))
    if re.search("长期|中期|实施期", inside):
        return LONG_TERM
    return ANNUAL if "年度" in inside else ""


def heading_role(text: str) -> str:
    key = heading_key(text)
    return _HEADING_ROLE.get(key) or _HEADING_ROLE.get(normalize_label(text), "")


@dataclass
class Columns:
    """Where each part of an indicator is, in the group (年度) that is read."""

    roles: dict[str, int]
    skipped: dict[str, int] = field(default_factory=dict)  # the other horizon's group (中期/长期)
    skipped_horizon: str = ""


def find_header(rows: list[Row]) -> tuple[int, Columns] | None:
    """The indicator grid's heading row and its columns, or None when there is none."""
    for index, row in enumerate(rows):
        found = [(c, heading_role(text), _horizon(text)) for c, text in enumerate(row.cells)]
        roles = [r for _, r, _ in found if r]
        if "name" in roles and "value" in roles and ("level1" in roles or "level2" in roles):
            return index, _columns(found)
        if "value" in roles and "level1" in roles and "level2" in roles:
            # A two-level grid (一级指标 | 二级指标 | … | 指标值, no 三级): the last level column
            # holds the indicators, the one before it their categories.
            columns = _columns(found)
            columns.roles["name"] = columns.roles.pop("level2")
            columns.roles["level2"] = columns.roles.pop("level1")
            return index, columns
    return None


_SUB_VALUE = {"值", "数值", "指标值", "值（数值）"}


def sub_heading(row: Row, columns: Columns) -> Columns | None:
    """A second heading row under a merged 指标值 (符号 | 值 | 单位（文字描述）): the columns it
    refines, or None when the row is not one (it has an indicator name, or no heading)."""
    if _get(row, columns.roles.get("name")):
        return None
    found = {}
    for c, text in enumerate(row.cells):
        role = "value" if normalize_label(text) in _SUB_VALUE else heading_role(text)
        if role in ("operator", "value", "unit"):
            found[role] = c
    if not found:
        return None
    return Columns({**columns.roles, **found}, columns.skipped, columns.skipped_horizon)


def _columns(found: list[tuple[int, str, str]]) -> Columns:
    """Split repeated headings into two horizons (中期 | 年度 side by side) and keep 年度."""
    groups: list[dict[str, int]] = [{}]
    horizons = [""]
    shared: dict[str, int] = {}
    for c, role, horizon in found:
        if not role:
            continue
        if role in groups[-1] or (role == "level2" and groups[-1].get("name") is not None):
            groups.append({})
            horizons.append("")
        if role == "level1" and len(groups) == 1 and not horizon:
            shared[role] = c
            continue
        groups[-1][role] = c
        horizons[-1] = horizons[-1] or horizon
    if len(groups) == 1:
        return Columns({**shared, **groups[0]})
    annual = next((i for i, h in enumerate(horizons) if h == ANNUAL), len(groups) - 1)
    other = 0 if annual else 1
    return Columns({**shared, **groups[annual]}, {**shared, **groups[other]}, horizons[other] or LONG_TERM)


# ---------------------------------------------------------------- the fields above the grid

PROJECT_LABELS = ["项目名称", "项目支出名称", "专项名称", "项目"]
PROJECT_CODE_LABELS = ["项目编码", "项目代码", "项目编号"]
FUND_USE_LABELS = ["资金用途", "预算规模及资金用途", "项目资金用途", "资金主要用途"]
_MONTH_END = re.compile(r"^(3|6|9|10|12)月(?:底|末)?$")
_GOAL_NUMBERED = re.compile(r"^目标\s*[0-9一二三四五六七八九十]+$")
UNIT_LABELS = [  # the unit that carries the project out first, then the one filing it
    ["实施单位", "项目执行单位", "执行单位"],
    ["预算单位", "单位名称", "申报单位", "填报单位", "部门名称", "部门（单位）名称", "预算部门", "单位"],
    ["主管部门", "主管部门及编码", "主管部门及代码", "项目主管部门"],
]
ANNUAL_GOAL_LABELS = ["年度目标", "本年度绩效目标", "年度绩效目标", "当年绩效目标", "本年度目标"]
PLAIN_GOAL_LABELS = ["绩效目标", "项目绩效目标", "整体绩效目标", "总体绩效目标", "项目目标"]
LONG_GOAL_LABELS = ["中期目标", "长期目标", "实施期绩效目标", "实施期目标", "中期绩效目标", "中期滚动目标"]
_GOAL_PRIORITY = {
    **{heading_key(k): 0 for k in ANNUAL_GOAL_LABELS},
    **{heading_key(k): 1 for k in PLAIN_GOAL_LABELS},
    **{heading_key(k): 2 for k in LONG_GOAL_LABELS},
}
_YEAR = re.compile(r"(20\d{2})\s*年")
_UNIT_CODE = re.compile(r"^\s*(?:\[(?P<a>[0-9A-Za-z]+)\]|(?P<b>\d{3,})\s*[-－—]+)\s*(?P<name>.+)$")
_MONEY = re.compile(r"^(?P<num>[+-]?[\d,，]+(?:\.\d+)?)\s*(?P<unit>万元|万|元|千元|亿元)?$")
_LABEL_AND_MONEY = re.compile(r"^(?P<label>.*?\D)\s*[:：]?\s*(?P<num>[\d,，]+(?:\.\d+)?)\s*(?P<unit>万元|万|元)?$")


def _money_unit(text: str) -> str:
    """单位：元 / 金额单位:元 / (万元) → '元' / '万元', or '' when the text names no money unit."""
    t = normalize_label(text)
    if m := re.search(r"(?:金额)?单位[:：](万元|元|千元)", t):
        return m[1]
    if m := re.search(r"[（(](万元|元|千元)[）)]", t):
        return m[1]
    return ""


@dataclass
class _Amount:
    kind: str  # total, fiscal, other
    amount: Decimal
    row: int
    column: int
    annual: bool


def _amount_kind(label: str) -> tuple[str, bool] | None:
    key = re.sub(r"^[（(][一二三四五六七八九十]+[）)]|^\d+[、.．]", "", heading_key(label)).removeprefix("其中")
    key = key.lstrip(":：")
    if not key or "中期" in key or "上年" in key or "前年" in key:
        return None
    annual = bool(re.search("年度|当年|本年", key))
    if re.search("资金总额|预算数|预算金额|预算申请|申请.*预算资金|^部门预算$|^项目金额$|预计投入", key):
        return "total", annual
    if re.search("财政拨款|财政资金|^预算资金|一般公共预算", key) or (label.replace(" ", "").startswith("其中") and "上级资金" in key):
        return "fiscal", annual
    if re.search("其他资金|自有资金|其他收入|^其他$", key):
        return "other", annual
    return None


def _parse_amount(text: str, unit: str) -> Decimal | None:
    m = _MONEY.match(normalize_label(text))
    if not m:
        return None
    number = values.parse_number(m["num"])
    return values.to_wan(number, m["unit"] or unit or "万元")


def _read_money(head: list[Row], default_unit: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    found: list[_Amount] = []
    for i, row in enumerate(head):
        row_unit = _money_unit(row.cells[0]) if row.cells else ""
        for c, text in enumerate(row.cells):
            unit = _money_unit(text) or row_unit or default_unit
            in_cell = _LABEL_AND_MONEY.match(normalize_label(text))
            if in_cell and (kind := _amount_kind(in_cell["label"])):
                amount = _parse_amount(in_cell["num"] + (in_cell["unit"] or ""), unit)
            elif kind := _amount_kind(text):
                amount = _parse_amount(_next_text(row, c), unit) if c + 1 < len(row.cells) else None
                if amount is None and not _get(row, c + 1):
                    amount = _amount_below(head[i + 1 : i + 4], row, c, unit)
            else:
                continue
            if amount is not None:
                found.append(_Amount(kind[0], amount, row.line, c, kind[1]))

    def pick(kind: str, column: int | None) -> list[_Amount]:
        of_kind = [a for a in found if a.kind == kind]
        if column is not None and any(a.column == column for a in of_kind):
            return [a for a in of_kind if a.column == column]
        annual = [a for a in of_kind if a.annual]
        return annual or of_kind

    if not found and (cost := _cost_buildup(head, default_unit)) is not None:
        found.append(_Amount("total", cost, 0, 0, True))
    totals = pick("total", None)
    column = totals[0].column if totals else None
    fiscal = pick("fiscal", column)
    other = pick("other", column)
    total_amount = totals[0].amount if totals else None
    fiscal_amount = fiscal[0].amount if fiscal else None
    other_amount = sum((a.amount for a in other), Decimal(0)) if other else None
    if total_amount is None and fiscal_amount is not None:
        total_amount = fiscal_amount + (other_amount or 0)  # only the parts are printed (资金总额 as a heading)
    return total_amount, fiscal_amount, other_amount


def _next_text(row: Row, c: int) -> str:
    """The next non-empty cell after column c: a label merged across columns leaves empty cells after it."""
    return next((later for later in row.cells[c + 1 :] if later), "")


def _amount_below(below: list[Row], row: Row, c: int, unit: str) -> Decimal | None:
    """A money heading with its amounts in a row below (专项资金情况: 财政资金 over 中央 | 省级 | 市级 | 本级):
    the numbers under the heading's columns, up to the next heading, added up; only in the rows
    of the same section (their first cell empty: the section's label is merged down)."""
    end = next((k for k in range(c + 1, len(row.cells)) if row.cells[k]), max(len(row.cells), c + 1))
    for lower in below:
        if _get(lower, 0):
            break  # a new section of the form (资金用途, the spending plan…), not this heading's rows
        amounts = [_parse_amount(_get(lower, k), unit) for k in range(c, end)]
        if any(a is not None for a in amounts):
            return sum((a for a in amounts if a is not None), Decimal(0))
    return None


def _cost_buildup(head: list[Row], unit: str) -> Decimal | None:
    """成本构成 | 金额 | 测算依据 …: the 合计 line's amount, or the lines added up."""
    for i, row in enumerate(head):
        keys = [heading_key(t) for t in row.cells]
        if "成本构成" not in keys or "金额" not in keys:
            continue
        name_at, amount_at = keys.index("成本构成"), keys.index("金额")
        lines = []
        for below in head[i + 1 :]:
            name = heading_key(_get(below, name_at))
            amount = _parse_amount(_get(below, amount_at), unit)
            if name == "合计" and amount is not None:
                return amount
            if not name or amount is None:
                break
            lines.append(amount)
        return sum(lines, Decimal(0)) if lines else None
    return None


def _label_value(row: Row, c: int) -> str:
    """The text a label cell names: after its colon, or in the next non-empty cell."""
    text = row.cells[c]
    if m := re.match(r"^[^:：]+[:：]\s*(.+)$", text):
        return m[1].strip()
    for later in row.cells[c + 1 :]:
        if later:
            is_label = heading_key(later) in _ALL_LABELS or re.match(r"^[^:：]{1,12}[:：]", later)
            return "" if is_label else later
    return ""


def _is_label(text: str, labels: list[str]) -> bool:
    key = heading_key(re.split(r"[:：]", text, maxsplit=1)[0]) if text else ""
    return bool(key) and key in {heading_key(lb) for lb in labels}


def _read_goals(head: list[Row]) -> list[str]:
    candidates: list[tuple[int, int, str]] = []  # (priority, order, text)
    for i, row in enumerate(head):
        labelled = [(c, _GOAL_PRIORITY[heading_key(t)]) for c, t in enumerate(row.cells) if heading_key(t) in _GOAL_PRIORITY]
        if not labelled:
            continue
        texts_after = [t for c, t in enumerate(row.cells) if t and heading_key(t) not in _GOAL_PRIORITY
                       and heading_key(t) != "总体目标"]
        if texts_after:  # 项目绩效目标 | the text
            c, priority = labelled[0]
            candidates.append((priority, i, _label_value(row, c)))
        elif i + 1 < len(head):  # 总体目标 | 中期目标 | 年度目标, the texts in the row below
            below = head[i + 1].cells
            for c, priority in labelled:
                if c < len(below) and below[c]:
                    candidates.append((priority, i, below[c]))
    if not candidates:
        return []
    return split_goals(min(candidates)[2])


def _split_unit(text: str) -> tuple[str, str]:
    """'[015001]武汉市青山区教育局' → ('015001', '武汉市青山区教育局'); '(盖章)' is not a name."""
    text = re.sub(r"[（(]\s*盖章\s*[）)]", "", text or "").strip(" :：")
    if m := _UNIT_CODE.match(text):
        return (m["a"] or m["b"]), m["name"].strip()
    return "", text


_YEAR_LINE = re.compile(r"^[（(]?(20\d{2})年度?[）)]?$")


def _read_head(head: list[Row], table: ParsedTable, doc: ParsedDocument, default_unit: str) -> None:
    units: dict[int, str] = {}
    if not doc.year:  # a cell that gives only the year (2021年度) says it better than a title naming one
        doc.year = next((int(m[1]) for row in head for t in row.cells if (m := _YEAR_LINE.match(normalize_label(t)))), None)
    for row in head:
        for c, text in enumerate(row.cells):
            if not table.project_name and _is_label(text, PROJECT_LABELS):
                table.project_name = _label_value(row, c)
            for rank, labels in enumerate(UNIT_LABELS):
                if _money_unit(text):
                    break  # 单位：万元 names the money's unit, not the budget unit
                if rank not in units and _is_label(text, labels) and _split_unit(_label_value(row, c))[1]:
                    units[rank] = _label_value(row, c)
            if not doc.year and (m := _YEAR.search(text)) and not _is_label(text, PROJECT_LABELS):
                doc.year = int(m[1])
    named = [_split_unit(units[rank]) for rank in sorted(units)]
    named = [(code, name) for code, name in named if name]
    if named:
        table.unit_name = named[0][1]
        # 主管部门及编码 [015001]某局 names the code of the same unit as 实施单位 某局
        table.unit_code = next((code for code, name in named if code and name == table.unit_name), "")
    table.budget_total, table.budget_fiscal, table.budget_other = _read_money(head, default_unit)
    table.goals = _numbered_goals(head) or _read_goals(head)
    _read_form_fields(head, table)


_ALL_LABELS = {heading_key(lb) for labels in (PROJECT_LABELS, *UNIT_LABELS, ANNUAL_GOAL_LABELS, PLAIN_GOAL_LABELS,
                                              LONG_GOAL_LABELS, PROJECT_CODE_LABELS, FUND_USE_LABELS) for lb in labels}


def _read_form_fields(head: list[Row], table: ParsedTable) -> None:
    """项目编码; 资金用途 (beside its label, or in the row below when the label also heads the
    money, as 预算规模及资金用途 does); the spending plan (3月底 | 6月底 | 10月底 | 12月底 with the
    percentages in the row below)."""
    for i, row in enumerate(head):
        for c, text in enumerate(row.cells):
            if not table.project_code and _is_label(text, PROJECT_CODE_LABELS):
                table.project_code = _label_value(row, c)
            if not table.fund_use and _is_label(text, FUND_USE_LABELS):
                heads_money = any(_amount_kind(t) for t in row.cells[c + 1 :] if t)
                below = head[i + 1] if i + 1 < len(head) else None
                if heads_money and below is not None and not below.cells[0]:
                    table.fund_use = _next_text(below, 0)
                elif not heads_money:
                    table.fund_use = _label_value(row, c)
        months = [c for c, text in enumerate(row.cells) if _MONTH_END.match(normalize_label(text))]
        if len(months) == 4 and i + 1 < len(head):
            below = head[i + 1].cells
            shares = [values.parse_number(below[c].rstrip("%％")) if c < len(below) else None for c in months]
            table.spending_plan = shares


def _numbered_goals(head: list[Row]) -> list[str]:
    """绩效目标 | 目标1 | text, then | 目标2 | text in the rows below (the label merged down)."""
    goals: list[str] = []
    for row in head:
        filled = [(c, t) for c, t in enumerate(row.cells) if t]
        starts = bool(filled) and heading_key(filled[0][1]) in _GOAL_PRIORITY
        numbered = [k for k, (_, t) in enumerate(filled) if _GOAL_NUMBERED.match(normalize_label(t))]
        if numbered and (starts or goals) and numbered[0] <= 1:
            goals.append(" ".join(t for _, t in filled[numbered[0] + 1 :]))
        elif goals:
            break
    return [g for g in goals if g]


def explanation_rows(head: list[Row]) -> tuple[str, list[Row]]:
    """The prose 说明 a Chengde-layout table prints between its title and its form, and the rest
    of the head: the one-cell rows after the title (the first row) and before the first row of
    the form, less a caption (…表) and lines giving only the year or the money unit. Taken
    only when it is prose (40 characters or more): a form's few title lines are not."""
    end = next((k for k, row in enumerate(head) if sum(1 for t in row.cells if t) > 1), len(head))
    lines = []
    for row in head[1:end]:
        text = next((t for t in row.cells if t), "")
        key = normalize_label(text)
        labelled = re.match(r"^([^:：]{1,12})[:：]", text)  # 预算单位：某局 is a field, not prose
        if _YEAR_LINE.match(key) or _money_unit(text) or (labelled and heading_key(labelled[1]) in _ALL_LABELS):
            continue
        lines.append(row)
    if lines and normalize_label(next(t for t in lines[-1].cells if t)).endswith("表"):
        lines.pop()  # the caption above the form: 预算项目绩效表
    text = "\n".join(next(t for t in row.cells if t) for row in lines)
    if len(normalize_label(text)) < 40:
        return "", head
    taken = {id(row) for row in lines}
    return text, [row for row in head if id(row) not in taken]


# ---------------------------------------------------------------- the grid


@dataclass
class PastedIndicator(ParsedIndicator):
    level1_written: bool = True  # False: carried down from the row above (a merged cell)
    horizon: str = ANNUAL  # LONG_TERM: from the 中期/长期 half of a side-by-side grid


@dataclass
class PastedTable(ParsedTable):
    """A table as read, with what the reader left out, for the preview to say."""

    notes: list[str] = field(default_factory=list)
    weights: list[str] = field(default_factory=list)
    long_term: list[PastedIndicator] = field(default_factory=list)  # the other half of a side-by-side grid


def _get(row: Row, column: int | None) -> str:
    return row.cells[column] if column is not None and column < len(row.cells) else ""


def _indicator(row: Row, cols: dict[str, int], level1: str, level2: str) -> PastedIndicator:
    name = _get(row, cols.get("name"))
    basis = _get(row, cols.get("basis"))
    category = basis if values_basis_category(basis) else ""
    indicator = PastedIndicator(
        row.line, level1, level2, name, description=_get(row, cols.get("description")),
        basis="" if category else basis, basis_category=category,
    )
    if "operator" in cols or "unit" in cols:
        indicator.split = (_get(row, cols.get("operator")), _get(row, cols.get("value")), _get(row, cols.get("unit")))
    else:
        indicator.value = _get(row, cols.get("value"))
    for role in ("weight", "direction", "scoring", "remark"):
        setattr(indicator, role, _get(row, cols.get(role)))
    return indicator


def column_values(item: ParsedIndicator, framework) -> dict:
    """The 权重 / 指标方向 / 评（扣）分标准 / 备注 read for an indicator, as the editor's form
    takes them, for the columns `framework` has (a form without them leaves them out)."""
    keys = {c.key for c in framework.columns.all()}
    out = {}
    if "weight" in keys and item.weight:
        out["weight"] = item.weight.replace("%", "").replace("分", "").strip()
    if "direction" in keys and item.direction:
        out["value_direction"] = Direction.from_label(item.direction)
    for key in ("scoring", "remark"):
        if key in keys and getattr(item, key):
            out[key] = getattr(item, key)
    return out


def values_basis_category(text: str) -> bool:
    return normalize_label(text) in {"计划标准", "行业标准", "历史标准", "其他标准"}


def _read_grid(rows: list[Row], columns: Columns, table: PastedTable) -> None:
    """The indicator rows: level-1 and level-2 cells carried down; a row without an indicator is none."""
    cols = columns.roles
    level1 = level2 = long_level2 = ""
    skipped = 0
    for row in rows:
        written1, written2 = _get(row, cols.get("level1")), _get(row, cols.get("level2"))
        if written1 and written1 != level1:
            level1, level2 = written1, ""
        if written2:
            level2 = written2
        if columns.skipped and _get(row, columns.skipped.get("name")):
            skipped += 1
            long_level2 = _get(row, columns.skipped.get("level2")) or long_level2
            other = _indicator(row, columns.skipped, level1, long_level2)
            other.horizon = LONG_TERM if columns.skipped_horizon != ANNUAL else ANNUAL
            table.long_term.append(other)
        elif columns.skipped:
            long_level2 = _get(row, columns.skipped.get("level2")) or long_level2
        if not _get(row, cols.get("name")):
            continue  # a level-2 row with no indicator, or the grid's footer
        indicator = _indicator(row, cols, level1, level2)
        indicator.level1_written = bool(written1)
        table.indicators.append(indicator)
        if "weight" in cols:
            table.weights.append(_get(row, cols["weight"]))
    if skipped:
        horizon = "中期/长期" if columns.skipped_horizon == LONG_TERM else "另一期"
        same = skipped == len(table.indicators)
        table.notes.append(
            f"表中并列的{horizon}指标 {skipped} 项未导入（项目绩效目标表只记录年度指标）"
            + ("，其内容与年度指标相同。" if same else "。")
        )


def _read_flat(rows: list[Row], columns: Columns, doc: ParsedDocument, default_unit: str) -> None:
    """One row per indicator (单位名称 | 项目名称 | 预算数 | 年度目标 | 一级 | 二级 | 三级 | …)."""
    cols = columns.roles
    unit_text = ""
    table: PastedTable | None = None
    for row in rows:
        unit_text = _get(row, cols.get("unit_name")) or unit_text
        project = _get(row, cols.get("project"))
        if project:
            code, name = _split_unit(unit_text)
            table = PastedTable(row.line, "one_cell", position=len(doc.tables) + 1, unit_code=code, unit_name=name,
                                project_name=project)
            table.budget_total = _parse_amount(_get(row, cols.get("budget")), default_unit)
            table.goals = split_goals(_get(row, cols.get("goal")))
            doc.tables.append(table)
        if table is None or not _get(row, cols.get("name")):
            continue  # a department's total line, or a project's row without an indicator
        table.indicators.append(_indicator(row, cols, _get(row, cols.get("level1")), _get(row, cols.get("level2"))))
        if "weight" in cols:
            table.weights.append(_get(row, cols["weight"]))


def _segments(rows: list[Row]) -> list[list[Row]]:
    """Several printed forms pasted one after another: a project-name label after a grid starts the next."""
    segments: list[list[Row]] = [[]]
    seen_grid = False
    for row in rows:
        first = next((t for t in row.cells if t), "")
        if seen_grid and (_is_label(first, PROJECT_LABELS) or _is_label(first, PROJECT_CODE_LABELS)):
            segments.append([])
            seen_grid = False
        segments[-1].append(row)
        if find_header([row]):
            seen_grid = True
    return segments


def parse_rows(rows: list[Row], *, what: str = "粘贴的内容") -> ParsedDocument:
    """Rows of cells → the project tables they hold; a PasteError when they hold none."""
    if not rows:
        raise PasteError(f"{what}是空的。")
    if all(len(r.cells) < 2 for r in rows):
        raise PasteError(f"{what}不是表格：没有用制表符分隔的单元格。请从 Word、Excel 或网页中选中整张表格后复制。")
    if len(rows) > MAX_ROWS:
        raise PasteError(f"{what}有 {len(rows)} 行，一次最多导入 {MAX_ROWS} 行，请拆分后分别导入。")
    if plantable.is_hubei_form(rows):
        return plantable.read_hubei_form(rows)
    doc = ParsedDocument()
    default_unit = next((u for r in rows for t in r.cells if (u := _money_unit(t)) and "单位" in t), "") or "万元"
    for segment in _segments(rows):
        header = find_header(segment)
        if header is None:
            continue
        index, columns = header
        head, body = segment[:index], segment[index + 1 :]
        if body and (refined := sub_heading(body[0], columns)):
            columns, body = refined, body[1:]
        if "project" in columns.roles:
            for row in head:
                for text in row.cells:
                    if not doc.year and (m := _YEAR.search(text)):
                        doc.year = int(m[1])
            _read_flat(body, columns, doc, default_unit)
            continue
        table = PastedTable(segment[index].line, "one_cell", position=len(doc.tables) + 1)
        table.explanation, head = explanation_rows(head)
        _read_head(head, table, doc, default_unit)
        _read_grid(body, columns, table)
        doc.tables.append(table)
    if not doc.tables:
        raise PasteError(
            f"{what}中没有找到绩效指标表：需要有“一级指标”或“二级指标”、“三级指标”（或“指标内容”“指标名称”）"
            "和“指标值”等表头的一行。"
        )
    for table in doc.tables:
        if not table.indicators:
            raise PasteError(f"项目“{table.project_name or '（未命名）'}”的指标表中没有三级指标。", table.line)
    first = doc.tables[0]
    doc.unit_code, doc.unit_name = first.unit_code, first.unit_name
    if plantable.is_department_table(rows):
        return plantable.as_plan(doc, rows, default_unit)
    return doc


def parse_paste(text: str = "", html: str = "", *, what: str = "粘贴的内容") -> ParsedDocument:
    """What the clipboard holds: text/html when there is a table in it, else text/plain."""
    if html and "<table" in html.lower():
        rows = rows_from_html(html, what=what)
        if rows:
            return parse_rows(rows, what=what)
    return parse_rows(rows_from_text(text), what=what)
