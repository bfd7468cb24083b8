"""导出Excel: a table, or a unit's year, as the printed form laid out in a workbook (openpyxl).

Each sheet mirrors the PDF of its layout (render.table_template / plan_template): the
title, the unit line with 单位：万元, the money block, the spending plan, the goals and the
一级 → 二级 → 三级指标 grid from `goals.grid` with its merged category cells; thin borders,
column widths in the printed proportions, wrapped text, A4 in the printed orientation,
fitted to the page width, the grid's heading repeated on every printed page, and the
paper state in the page header and footer (草稿 · 未审核 until approved, the approval line).

What the form prints, the import reads back (exchange.files → exchange.paste): the sheet
also names the year (2021年度) and the unit's code beside its name (预算单位：[321001]…),
which the printed page carries on the book's cover instead. Amounts and percentages are
numbers (formatted 0.00; an amount shows any further non-zero decimal, to the 分), everything
else text; text that looks like a formula is kept as text (`lib.cells.write`).
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from perfgoals.goals import grid, values
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.printing.render import (
    approval_line, explanation_parts, is_department_form, is_split, paragraphs, plan_title, table_template, watermark,
)
from perfgoals.printing.xlsx_generic import write_generic_table
from perfgoals.printing.sheet import MONEY_FORMAT, Sheet, money

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Column widths (Excel character units) in the proportions of the printed <colgroup>s.
HEBEI_COLUMNS = [17] + [7.5] * 12  # 16 % + 12 × 7 %
SPLIT_COLUMNS = [18, 12] + [7] * 10  # 18 %, 12 %, 10 × 7 %
# Where each grid column sits on those columns (first, last), 1-based.
HEBEI_GRID = {"level1": (1, 1), "level2": (2, 3), "name": (4, 6), "description": (7, 9), "value": (10, 11), "basis": (12, 13)}
SPLIT_GRID = {"level1": (1, 1), "level2": (2, 2), "name": (3, 4), "description": (5, 7),
              "symbol": (8, 8), "number": (9, 9), "unit": (10, 10), "basis": (11, 12)}  # fmt: skip


def _unit_text(unit) -> str:
    return f"预算单位：[{unit.printed_code}]{unit.name}" if unit.printed_code else f"预算单位：{unit.name}"


# ---- project tables ----------------------------------------------------------------


def write_table(ws, table: ProjectTable, number: int | None = None) -> None:
    """One project table on `ws`, laid out as its printed form."""
    if table_template(table) == "print/table_generic.html":
        return write_generic_table(ws, table, number)
    split = is_split(table.framework)
    sheet = Sheet(ws, SPLIT_COLUMNS if split else HEBEI_COLUMNS)
    prefix = f"{number}." if number else ""
    explanation = explanation_parts(table.explanation) if split else []
    if explanation:
        sheet.line(f"{prefix}{table.project_name}", size=16, bold=True)
        for kind, text in explanation:
            sheet.line(text, size=12, bold=kind != "p", align="center" if kind == "title" else "left")
        sheet.line("预算项目绩效表", size=14)
    else:
        sheet.line(f"{prefix}{table.project_name}{'预算项目绩效表' if split else '绩效目标表'}", size=16, bold=True)
    sheet.above(_unit_text(table.unit), f"{table.year}年度")
    (_split_head if split else _hebei_head)(sheet, table)
    _grid(sheet, grid.printed_rows(grid.table_groups(table)), split)


def _hebei_head(sheet: Sheet, table: ProjectTable) -> None:
    sheet.put(1, 1, "项目编码"), sheet.put(2, 6, table.project_code), sheet.put(7, 8, "项目名称")
    sheet.put(9, 13, table.project_name)
    sheet.next()
    sheet.put(1, 1, "预算规模及资金用途", rows=2)
    for first, label, amount in ((2, "预算数", table.budget_total), (6, "其中：财政资金", table.budget_fiscal),
                                 (10, "其他资金", table.budget_other)):
        sheet.put(first, first + 1, label)
        sheet.put(first + 2, first + 3, money(amount), number_format=MONEY_FORMAT)
    sheet.next()
    sheet.put(2, 13, table.fund_use, align="left")
    sheet.next()
    sheet.put(1, 1, "资金支出计划（%）", rows=2)
    for k, label in enumerate(("3月底", "6月底", "10月底", "12月底")):
        sheet.put(2 + 3 * k, 4 + 3 * k, label)
    sheet.next()
    for k, share in enumerate(table.spending_plan):
        sheet.put(2 + 3 * k, 4 + 3 * k, money(share), number_format='0.00"%"')
    sheet.next()
    goals = [g.text for g in table.goals.all()]
    sheet.put(1, 1, "绩效目标")
    sheet.put(2, 13, "\n".join(f"{n}.{text}" for n, text in enumerate(goals, start=1)), align="left")
    sheet.next()


def _split_head(sheet: Sheet, table: ProjectTable) -> None:
    sheet.put(1, 1, "项目编码"), sheet.put(2, 6, table.project_code), sheet.put(7, 8, "项目名称")
    sheet.put(9, 12, table.project_name)
    sheet.next()
    sheet.put(1, 1, "项目绩效模板"), sheet.put(2, 12, "")
    sheet.next()
    sheet.put(1, 1, "预算数"), sheet.put(2, 4, money(table.budget_total), number_format=MONEY_FORMAT)
    sheet.put(5, 6, "其中：财政资金"), sheet.put(7, 8, money(table.budget_fiscal), number_format=MONEY_FORMAT)
    sheet.put(9, 10, "其他资金"), sheet.put(11, 12, money(table.budget_other), number_format=MONEY_FORMAT)
    sheet.next()
    sheet.put(1, 1, "资金用途"), sheet.put(2, 12, table.fund_use, align="left")
    sheet.next()
    spans = ((3, 5), (6, 7), (8, 10), (11, 12))
    sheet.put(1, 1, "资金支出计划（累计进度%）", rows=2), sheet.put(2, 2, "")
    for (first, last), label in zip(spans, ("3月底", "6月底", "10月底", "12月底")):
        sheet.put(first, last, label)
    sheet.next()
    sheet.put(2, 2, "")
    for (first, last), share in zip(spans, table.spending_plan):
        sheet.put(first, last, money(share), number_format="0.00")
    sheet.next()
    goals = [g.text for g in table.goals.all()] or [""]
    sheet.put(1, 1, "绩效目标", rows=len(goals))
    for n, text in enumerate(goals, start=1):
        if len(goals) > 1 or text:
            sheet.put(2, 2, f"目标{n}")
        else:
            sheet.put(2, 2, "")
        sheet.put(3, 12, text, align="left")
        sheet.next()


def _grid(sheet: Sheet, blocks: list[list[grid.Row]], split: bool) -> None:
    """The indicator grid: its heading (repeated on every printed page), then the rows."""
    cols = SPLIT_GRID if split else HEBEI_GRID
    heading_top = sheet.row
    if split:
        for key, text in (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"),
                          ("description", "绩效指标描述"), ("basis", "指标值确定依据")):
            sheet.put(*cols[key], text, rows=2, bold=True)
        sheet.put(cols["symbol"][0], cols["unit"][1], "指标值", bold=True)
        sheet.next()
        for key, text in (("symbol", "符号"), ("number", "值"), ("unit", "单位（文字描述）")):
            sheet.put(*cols[key], text, bold=True)
        sheet.next()
    else:
        for key, text in (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"),
                          ("description", "绩效指标描述"), ("value", "指标值"), ("basis", "指标值确定依据")):
            sheet.put(*cols[key], text, bold=True)
        sheet.next()
    sheet.ws.print_title_rows = f"{heading_top}:{sheet.row - 1}"
    for block in blocks:
        for row in block:
            if row.level1:
                sheet.put(*cols["level1"], row.level1.strip(), rows=row.level1_span)
            if row.level2:
                sheet.put(*cols["level2"], row.level2.strip(), rows=row.level2_span)
            indicator = row.indicator
            sheet.put(*cols["name"], indicator.name, align="left")
            sheet.put(*cols["description"], indicator.description, align="left")
            if split:
                for key, text in zip(("symbol", "number", "unit"), _value_cells(indicator)):
                    sheet.put(*cols[key], text)
            else:
                sheet.put(*cols["value"], indicator.value_display)
            sheet.put(*cols["basis"], indicator.basis, align="left")
            sheet.next()


def _value_cells(indicator) -> tuple[str, str, str]:
    """符号 | 值 | 单位 as printed; a value kept verbatim because it did not read cleanly
    (`>= 90.00 服务对象满意度90%以上`, read from these three cells) gives back its own cells."""
    value = getattr(indicator, "value", None)
    if value is not None and value.raw and value.kind == values.QUANTITATIVE:
        parts = value.raw.split(None, 2)
        if len(parts) == 3 and values.parse_number(parts[1]) is not None:
            return parts[0], parts[1], parts[2]
    return indicator.value_cells


# ---- the department plan (the plain layout: prose, then the indicator grid) -------------


def write_plan(ws, plan: DepartmentPlan) -> None:
    split = plan.framework is not None and is_split(plan.framework)
    sheet = Sheet(ws, SPLIT_COLUMNS if split else HEBEI_COLUMNS)
    sheet.line(plan_title(plan), size=16, bold=True)
    sections = (
        ("一、总体绩效目标", [paragraphs(plan.overall_goal)]),
        ("二、分项绩效目标", [paragraphs(i.text) for i in plan.items.all() if i.kind == i.SUB_GOAL]),
        ("三、工作保障措施", [paragraphs(i.text) for i in plan.items.all() if i.kind == i.SAFEGUARD]),
    )
    for heading, items in sections:
        sheet.line(heading, size=14, bold=True, align="left")
        texts = [p for item in items for p in item] or ["（未填写）"]
        for text in texts:
            sheet.line(text, size=14, align="left")
    indicators = list(plan.indicators.all())
    if indicators:
        sheet.line("部门整体支出绩效指标情况", size=14)
        _grid(sheet, grid.printed_rows(grid.plan_groups(indicators)), split)


HUBEI_COLUMNS = [11, 14, 19, 11, 11, 12, 30, 11]  # the annual grid's eight columns (9/12/16/9/9/10/26/9 %)


def write_hubei_plan(ws, plan: DepartmentPlan) -> None:
    """The Hubei 部门整体绩效目标表 (print/plan_hubei.html), landscape, on the annual grid's columns."""
    sheet = Sheet(ws, HUBEI_COLUMNS, landscape=True)
    sheet.line("部门整体绩效目标表", size=16, bold=True)
    sheet.put(1, 3, f"{plan.year}年度", box=False, align="left"), sheet.put(7, 8, "单位：万元", box=False, align="right")
    sheet.next()
    sheet.put(1, 1, "部门（单位）名称"), sheet.put(2, 8, plan.unit.name, align="left")
    sheet.next()
    sheet.put(1, 1, "填报人"), sheet.put(2, 3, plan.contact_person), sheet.put(4, 4, "联系电话")
    sheet.put(5, 8, plan.contact_phone)
    sheet.next()
    income, expense = plan.funding("income"), plan.funding("expense")
    sheet.put(1, 1, "部门总体资金情况", rows=2 + len(income) + len(expense) + bool(income) + bool(expense))
    sheet.put(2, 3, "总体资金情况", rows=2), sheet.put(4, 4, "当年金额", rows=2), sheet.put(5, 5, "占比", rows=2)
    sheet.put(6, 8, "近两年收支金额")
    sheet.next()
    sheet.put(6, 6, f"{plan.year - 2}年"), sheet.put(7, 8, f"{plan.year - 1}年")
    sheet.next()
    for label, lines, kind in (("收入构成", income, "income"), ("支出构成", expense, "expense")):
        if not lines:
            continue
        sheet.put(2, 2, label, rows=len(lines) + 1)
        total = plan.funding_total(kind)
        rows = [(line.name, line.amount, f"{line.share}%" if line.share is not None else "", line.prior_amount_1,
                 line.prior_amount_2) for line in lines]
        rows.append(("合计", total, "100%", plan.funding_total(kind, "prior_amount_1"),
                     plan.funding_total(kind, "prior_amount_2")))
        for name, amount, share, prior_1, prior_2 in rows:
            sheet.put(3, 3, name), sheet.put(4, 4, money(amount), number_format=MONEY_FORMAT), sheet.put(5, 5, share)
            sheet.put(6, 6, money(prior_1), number_format=MONEY_FORMAT), sheet.put(7, 8, money(prior_2), number_format=MONEY_FORMAT)
            sheet.next()
    for label, text in (("部门职能概述", plan.functions), ("年度工作任务", plan.annual_tasks), ("长期目标", plan.long_term_goal)):
        sheet.put(1, 1, label), sheet.put(2, 8, text, align="left")
        sheet.next()
    indicators = list(plan.indicators.all())
    long_term = [i for i in indicators if i.horizon == i.LONG_TERM]
    if long_term:
        sheet.put(1, 8, "长期绩效指标", bold=True)
        sheet.next()
        columns = ((1, 1, "一级指标"), (2, 2, "二级指标"), (3, 3, "三级指标"), (4, 5, "指标值"), (6, 7, "指标值确定依据"), (8, 8, "指标分类"))
        for first, last, text in columns:
            sheet.put(first, last, text, bold=True)
        sheet.next()
        _plan_rows(sheet, long_term, lambda i: [(4, 5, i.value_display, "center"), (6, 7, i.basis or i.description, "left"),
                                                (8, 8, i.get_basis_category_display(), "center")])
    sheet.put(1, 1, "年度目标"), sheet.put(2, 8, plan.annual_goal, align="left")
    sheet.next()
    annual = [i for i in indicators if i.horizon == i.ANNUAL]
    if annual:
        sheet.put(1, 8, "年度绩效指标", bold=True)
        sheet.next()
        for first, text in ((1, "一级指标"), (2, "二级指标"), (3, "三级指标"), (7, "指标值确定依据"), (8, "指标分类")):
            sheet.put(first, first, text, rows=3, bold=True)
        sheet.put(4, 6, "指标值", bold=True)
        sheet.next()
        sheet.put(4, 5, "近两年指标值", bold=True), sheet.put(6, 6, "预期当年实现值", rows=2, bold=True)
        sheet.next()
        sheet.put(4, 4, f"{plan.year - 2}年", bold=True), sheet.put(5, 5, f"{plan.year - 1}年", bold=True)
        sheet.next()
        _plan_rows(sheet, annual, lambda i: [
            (4, 4, i.prior_value_1, "center"), (5, 5, i.prior_value_2, "center"), (6, 6, i.value_display, "center"),
            (7, 7, i.basis or i.description, "left"), (8, 8, i.get_basis_category_display(), "center")])


def _plan_rows(sheet: Sheet, indicators: list, cells) -> None:
    for block in grid.printed_rows(grid.plan_groups(indicators)):
        for row in block:
            if row.level1:
                sheet.put(1, 1, row.level1.strip(), rows=row.level1_span)
            if row.level2:
                sheet.put(2, 2, row.level2.strip(), rows=row.level2_span)
            sheet.put(3, 3, row.indicator.name, align="left")
            for first, last, text, align in cells(row.indicator):
                sheet.put(first, last, text, align=align)
            sheet.next()


def has_plain_layout(plan: DepartmentPlan) -> bool:
    """A plan not in the Hubei form prints as prose and a grid (print/plan.html)."""
    return not is_department_form(plan)


# ---- workbooks -------------------------------------------------------------------------


_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def _title(book: Workbook, text: str) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _BAD_TITLE.sub("", text).strip("'")[:31] or "表"
    title, n = base, 1
    while title in book.sheetnames:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}-{n}"
    return title


def _paper(ws, document) -> None:
    """The paper state as the PDF prints it: 草稿 / 未审核 at the top of every page of anything
    not approved, the approval line and the page number at the foot."""
    if mark := watermark(document):
        ws.oddHeader.center.text, ws.oddHeader.center.color, ws.oddHeader.center.size = mark, "C80000", 12
    ws.oddFooter.left.text = approval_line(document)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_workbook(table: ProjectTable) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = _title(book, table.project_name)
    write_table(ws, table, table.position or None)  # numbered as the PDF prints it
    _paper(ws, table)
    return _save(book)


def book_workbook(plan: DepartmentPlan | None, tables: list[ProjectTable]) -> bytes:
    """A unit's year: the plan's sheet first, then one sheet per table, numbered as in the book."""
    book = Workbook()
    book.remove(book.active)
    if plan is not None:
        ws = book.create_sheet(_title(book, "部门整体绩效目标"))
        (write_plan if has_plain_layout(plan) else write_hubei_plan)(ws, plan)
        _paper(ws, plan)
    for number, table in enumerate(tables, start=1):
        ws = book.create_sheet(_title(book, f"{number}.{table.project_name}"))
        write_table(ws, table, number)
        _paper(ws, table)
    if not book.worksheets:
        book.create_sheet("空")
    return _save(book)
