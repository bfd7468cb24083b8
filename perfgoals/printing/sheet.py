"""A worksheet written like a printed form (printing.xlsx lays the forms out with it).

Cells are merged, bordered and wrapped; text goes in through `lib.cells.write`, so text that
looks like a formula stays text. Excel does not size the rows of merged cells by itself, so
each row's height is estimated from its text: a Chinese character takes two character units
of a column's width (宋体 10.5 pt beside the default font), a Latin one.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from functools import lru_cache

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from perfgoals.lib.cells import write

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MM = 1 / 25.4  # inches
LINE_POINTS = 15  # one line of 10.5 pt text, with its leading


@lru_cache(maxsize=None)
def _font(size: float, bold: bool) -> Font:
    """One Font object per size and weight (openpyxl builds and validates each new one)."""
    return Font(name=FONT, size=size, bold=bold)


@lru_cache(maxsize=None)
def _alignment(align: str) -> Alignment:
    return Alignment(horizontal=align, vertical="center", wrap_text=True)


def _width(text: str) -> int:
    """How many character units a text takes: a Chinese character two, a Latin one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Sheet:
    """A worksheet written row by row, with merged, bordered, wrapped cells and row heights
    estimated from the text (Excel does not size rows of merged cells by itself)."""

    def __init__(self, ws, widths: list[float], landscape: bool = False):
        self.ws, self.widths, self.row = ws, widths, 1
        self.lines: dict[int, int] = {}
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        setup = ws.page_setup
        setup.paperSize = ws.PAPERSIZE_A4
        setup.orientation = "landscape" if landscape else "portrait"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        margins = ws.page_margins  # GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm
        margins.top, margins.bottom, margins.left, margins.right = 37 * MM, 35 * MM, 28 * MM, 26 * MM
        margins.header, margins.footer = 15 * MM, 15 * MM
        ws.sheet_view.showGridLines = False

    def put(self, first: int, last: int, value, *, rows: int = 1, box: bool = True, bold: bool = False,
            size: float = 10.5, align: str = "center", number_format: str = "") -> None:
        """Write `value` into columns first..last of the current row (and `rows` rows down), merged."""
        top, bottom = self.row, self.row + rows - 1
        cell = self.ws.cell(top, first)
        write(cell, value)
        cell.font = _font(size, bold)
        cell.alignment = _alignment(align)
        if number_format:
            cell.number_format = number_format
        if first != last or rows > 1:
            self.ws.merge_cells(start_row=top, start_column=first, end_row=bottom, end_column=last)
        if box:
            for r in range(top, bottom + 1):
                for c in range(first, last + 1):
                    self.ws.cell(r, c).border = BOX
        if isinstance(value, str) and value:
            room = max(sum(self.widths[first - 1 : last]) - 1.5, 2) * (10.5 / size)
            lines = sum(max(1, math.ceil(_width(part) / room)) for part in value.split("\n"))
            self.lines[top] = max(self.lines.get(top, 1), math.ceil(lines / rows), 1)

    def next(self, points: float | None = None) -> None:
        lines = self.lines.get(self.row, 1)
        self.ws.row_dimensions[self.row].height = points or max(lines * LINE_POINTS + 4, 20)
        self.row += 1

    def line(self, value: str, *, size: float = 10.5, bold: bool = False, align: str = "center") -> None:
        """A line of text above or between the form's tables, across the whole width."""
        self.put(1, len(self.widths), value, box=False, size=size, bold=bold, align=align)
        self.next(max(self.lines.get(self.row, 1) * size * 1.45 + 6, 20))

    def above(self, unit_text: str, middle: str) -> None:
        """The line above a form: the unit on the left, the year, 单位：万元 on the right."""
        n = len(self.widths)
        self.put(1, n - 5, unit_text, box=False, align="left")
        self.put(n - 4, n - 2, middle, box=False)
        self.put(n - 1, n, "单位：万元", box=False, align="right")
        self.next()


# An amount's cell shows two decimals and any further non-zero ones, to the 分 (values.format_money).
MONEY_FORMAT = "0.00####"


def money(amount: Decimal | None) -> float | None:
    """An amount (万元) or a percentage as the number a cell holds; blank stays blank."""
    return None if amount is None else float(amount)
