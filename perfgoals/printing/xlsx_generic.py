"""导出Excel of a table whose framework prints with the generic layout (printing/layout.py):
the same title, unit line, header fields, money block, goals and indicator columns (headings
and widths from the framework), one Excel column per printed column; 中期 and 年度 side by
side, or 长期 and 年度 as two grids, as the PDF prints them."""

from __future__ import annotations

from perfgoals.goals.models import ProjectTable
from perfgoals.printing import layout
from perfgoals.printing.sheet import Sheet

WIDTH_PER_PERCENT = 1.1  # Excel character units per percent of the printed width


def write_generic_table(ws, table: ProjectTable, number: int | None = None) -> None:
    ctx = layout.generic_context(table, number)
    columns = ctx["columns"]
    if "side_by_side" in ctx:
        widths = [ctx["width1"], *([ctx["half_w2"], *ctx["half_scale"]] * 2)]
    else:
        widths = [ctx["width1"], ctx["width2"], *(c.width for c in columns)]
    n = len(widths)
    sheet = Sheet(ws, [max(4.0, w * WIDTH_PER_PERCENT) for w in widths], landscape=ctx["landscape"])
    prefix = f"{ctx['number']}." if ctx["number"] else ""
    sheet.line(f"{prefix}{ctx['title']}", size=16, bold=True)
    unit = table.unit
    sheet.put(1, max(1, n - 2), f"{unit.printed_code}{unit.name}", box=False, align="left")
    sheet.put(n - 1, n, ctx["unit_line"], box=False, align="right")
    sheet.next()
    label_last, value_first = 2, 3

    def field(label: str, value, **kw) -> None:
        sheet.put(1, label_last, label)
        sheet.put(value_first, n, value, align=kw.get("align", "left"), number_format=kw.get("number_format", ""))
        sheet.next()

    field("项目名称", table.project_name)
    for label, value in ctx["headers"]:
        field(label, value)
    field(f"预算数（{table.framework.amount_unit}）", ctx["total"], align="center")
    for name, value in ctx["sources"]:
        field(f"其中：{name}", value, align="center")
    if table.fund_use:
        field("资金用途", table.fund_use)
    goals = "\n".join(f"{k}.{g}" if len(ctx["goals"]) > 1 else g for k, g in enumerate(ctx["goals"], start=1))
    if ctx["horizons"] != "annual" or table.long_term_goal:
        field(f"{ctx['long_term_label']}目标", table.long_term_goal)
        field("年度目标", goals)
    else:
        field("绩效目标", goals)
    if "side_by_side" in ctx:
        _side_by_side(sheet, ctx, columns)
    else:
        for caption, blocks in ctx["grids"]:
            if caption:
                sheet.line(caption, size=12, bold=True)
            _grid(sheet, blocks, columns)
    for line in ctx["footers"]:
        sheet.line(line, align="left")


def _grid(sheet: Sheet, blocks, columns) -> None:
    top = sheet.row
    for c, text in enumerate(["一级指标", "二级指标", *(col.printed_heading for col in columns)], start=1):
        sheet.put(c, c, text, bold=True)
    sheet.next()
    sheet.ws.print_title_rows = f"{top}:{top}"
    for block in blocks:
        for row in block:
            if row["level1"]:
                sheet.put(1, 1, row["level1"].strip(), rows=row["level1_span"])
            if row["level2"]:
                sheet.put(2, 2, row["level2"].strip(), rows=row["level2_span"])
            for c, text in enumerate(row["cells"], start=3):
                sheet.put(c, c, text, align="left" if c == 3 else "center")
            sheet.next()


def _side_by_side(sheet: Sheet, ctx, columns) -> None:
    label = ctx["long_term_label"]
    half = ["二级指标", *(col.printed_heading for col in columns)]
    headings = ["一级指标", *(f"{h}（{label}）" for h in half), *(f"{h}（年度）" for h in half)]
    top = sheet.row
    for c, text in enumerate(headings, start=1):
        sheet.put(c, c, text, bold=True)
    sheet.next()
    sheet.ws.print_title_rows = f"{top}:{top}"
    for block in ctx["side_by_side"]:
        for row in block:
            if row["level1"]:
                sheet.put(1, 1, row["level1"], rows=row["level1_span"])
            c = 2
            for half_row in row["halves"]:
                for text in [half_row["level2"], *half_row["cells"]]:
                    sheet.put(c, c, text)
                    c += 1
            sheet.next()
