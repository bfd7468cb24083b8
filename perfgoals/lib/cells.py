"""Spreadsheet cells the app writes: text that looks like a formula stays text.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a
formula by Excel, WPS and LibreOffice when the file is opened (`=HYPERLINK(…)` in a
project name would become a link; a DDE formula could start a program). Every .xlsx and
.csv the app writes goes through here:

- `neutralise(value)` for text formats (CSV, TSV) and the admin's exports: such text gets
  a leading apostrophe, which spreadsheet programs read as "this is text" (`'=1+1`);
  `restore(text)` takes it off again when the file is imported back.
- `write(cell, value)` for workbooks we lay out with openpyxl: the cell is stored as a
  string marked quote-prefixed, so Excel shows the text exactly as written and never
  evaluates it (openpyxl would otherwise store `=…` as a formula).

Numbers are not text: a negative amount stored as a number stays a number.
"""

from __future__ import annotations

import functools

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """`=HYPERLINK("x")` → `'=HYPERLINK("x")`; anything else (numbers included) unchanged."""
    return "'" + value if is_formula_like(value) else value


def restore(value):
    """The text `neutralise` was given: `'=1+1` → `=1+1`; anything else unchanged."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def write(cell, value) -> None:
    """Put `value` in an openpyxl cell; formula-like text is stored as quote-prefixed text."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True


@functools.cache
def _sheet_row_result():
    from import_export.results import Result

    class SheetRowResult(Result):
        """An import's rows numbered as the spreadsheet numbers them: the headings are row 1, so
        the first row of data is row 2 (django-import-export counts it as 1)."""

        def append_invalid_row(self, number, row, validation_error):
            super().append_invalid_row(number + 1, row, validation_error)

        def append_error_row(self, number, row, errors):
            super().append_error_row(number + 1, row, errors)

        def row_errors(self):
            return [(number + 1, errors) for number, errors in super().row_errors()]

    return SheetRowResult


class NeutralisedResource:
    """A django-import-export resource mixin (the admin's spreadsheets): text cells are
    neutralised on export, numbers left alone; the apostrophe is taken off again on import.
    The import's preview names each row by its number in the spreadsheet (Excel's row)."""

    @classmethod
    def get_result_class(cls):
        return _sheet_row_result()

    def export_field(self, field, instance, **kwargs):
        from import_export.widgets import NumberWidget

        value = super().export_field(field, instance, **kwargs)
        return value if isinstance(field.widget, NumberWidget) else neutralise(value)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for key, value in list(row.items()):
            row[key] = restore(value)
