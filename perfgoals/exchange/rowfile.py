"""A table's indicator rows as a spreadsheet (.xlsx / .csv): export, edit, import with a preview.

    data = export(table, "xlsx")                    # goals.resources.TableIndicatorResource
    sheet = read(name, data)                        # the headings checked; Excel row numbers kept
    preview = run(table, sheet)                     # what importing would do; nothing written
    run(table, sheet, commit=True)                  # inside the edit's transaction

`run` imports through django-import-export in a savepoint: rows with a 编号 of the table are
changed, rows without one added, the table's rows missing from the file deleted; then the
review (perfgoals.review, the same rules the editor shows) runs on the table as it would be,
and each problem is given to its row with the row's Excel row number. Unless committing, or
when any row cannot be imported, the savepoint is rolled back: nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import PurePath

import tablib
from django.db import transaction
from import_export.results import RowResult

from perfgoals.exchange import categories
from perfgoals.exchange.files import FileRefused, _check_zip, _sheet_rows, _text
from perfgoals.goals import versions
from perfgoals.goals.models import Indicator, ProjectTable
from perfgoals.goals.resources import TableIndicatorResource
from perfgoals.lib import cells
from perfgoals.review.outcome import review_document
from perfgoals.review.rules import INDICATOR

MAX_ROWS = 2000


class RowsRefused(Exception):
    """The file cannot be imported as this table's indicator rows; the message (Chinese) says why."""


WIDTHS = {"编号": 8, "一级指标": 12, "二级指标": 16, "三级指标": 24, "绩效指标描述": 36, "指标值": 14,
          "指标值确定依据": 24, "指标分类": 10, "版本": 6}  # fmt: skip


def export(table: ProjectTable, fmt: str) -> bytes:
    """The table's indicators in the grid's order, with Chinese headings. Text that a spreadsheet
    would run as a formula stays text: an .xlsx cell typed as text, a .csv cell after a `'`
    (which `read` takes off again), so an export imports back the same."""
    dataset = TableIndicatorResource(table).export()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(dataset.headers)
        writer.writerows([[cells.neutralise("" if v is None else str(v)) for v in row] for row in dataset])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    return _xlsx(dataset, table)


def _xlsx(dataset: tablib.Dataset, table: ProjectTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "绩效指标"
    sheet.append(dataset.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = WIDTHS.get(cell.value, 12)
    for values in dataset:
        sheet.append([None] * len(values))
        for cell, value in zip(sheet[sheet.max_row], values):
            cells.write(cell, "" if value is None else value)  # formula-like text stays text
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Sheet:
    name: str
    dataset: tablib.Dataset
    lines: list[int]  # the Excel row (or CSV line) of each of the dataset's rows


def read(name: str, data: bytes) -> Sheet:
    """The rows of an .xlsx or .csv file under the export's headings, or RowsRefused."""
    suffix = PurePath(name).suffix.lower()
    label = f"文件“{PurePath(name).name}”"
    try:
        if suffix == ".xlsx":
            rows = _xlsx_rows(data, label)
        elif suffix == ".csv":
            reader = csv.reader(io.StringIO(_text(data, label)))
            rows = [(reader.line_num, [cells.restore(c.strip()) for c in found])
                    for found in reader if any(c.strip() for c in found)]
        else:
            raise RowsRefused(f"{label}的类型不能导入：请上传“导出指标”得到的 .xlsx 或 .csv 文件。")
    except FileRefused as e:
        raise RowsRefused(str(e)) from None
    except csv.Error as e:
        raise RowsRefused(f"{label}不是有效的 CSV 文件（{e}）。") from None
    if not rows:
        raise RowsRefused(f"{label}中没有内容。")
    (_, headings), body = rows[0], rows[1:]
    known = TableIndicatorResource.headings()
    missing = [h for h in TableIndicatorResource.REQUIRED if h not in headings]
    if missing:
        raise RowsRefused(
            f"{label}的表头不对：缺少“{'”“'.join(missing)}”列（第 1 行应为 {'、'.join(known)}）。"
            "请先“导出指标”，在导出的文件中修改后再导入。"
        )
    if len(body) > MAX_ROWS:
        raise RowsRefused(f"{label}有 {len(body)} 行，一张表最多导入 {MAX_ROWS} 行指标。")
    columns = [(c, h) for c, h in enumerate(headings) if h in known]
    dataset = tablib.Dataset(headers=[h for _, h in columns])
    for _, found in body:
        dataset.append([found[c] if c < len(found) else "" for c, _ in columns])
    return Sheet(PurePath(name).name, dataset, [line for line, _ in body])


def _xlsx_rows(data: bytes, label: str) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    _check_zip(data, label, "xl/workbook.xml", "Excel 工作簿（.xlsx）")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise RowsRefused(f"{label}已损坏，无法作为 Excel 工作簿打开。") from None
    try:
        return [(row.line, row.cells) for row in _sheet_rows(book.worksheets[0], label)]
    finally:
        book.close()


ADDED, CHANGED, DELETED, UNCHANGED, REFUSED = "added", "changed", "deleted", "unchanged", "refused"
KIND_LABELS = {ADDED: "新增", CHANGED: "修改", DELETED: "删除", UNCHANGED: "未改动", REFUSED: "不能导入"}


@dataclass
class RowChange:
    kind: str
    line: int | None  # the Excel row; None for a row deleted (not in the file)
    name: str
    where: str  # 一级指标 / 二级指标
    value: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    errors: list[str] = field(default_factory=list)  # why it cannot be imported
    problems: list[str] = field(default_factory=list)  # the review's: 错误/提示：message

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class RowsPreview:
    source: str
    rows: list[RowChange]
    signature: str  # the table's rows (id, version) the preview was made from
    committed: bool = False

    def count(self, kind: str) -> int:
        return sum(r.kind == kind for r in self.rows)

    @property
    def errors(self) -> list[str]:
        return [f"第 {r.line} 行：{e}" for r in self.rows for e in r.errors]

    @property
    def summary(self) -> str:
        kinds = (ADDED, CHANGED, DELETED, UNCHANGED, REFUSED) if self.count(REFUSED) else (ADDED, CHANGED, DELETED, UNCHANGED)
        parts = [f"{KIND_LABELS[k]} {self.count(k)} 行" for k in kinds]
        return "，".join(parts)


def signature(table: ProjectTable) -> str:
    """The table's rows as they stand (id and version of each): a confirmation checks it is the
    state that was previewed."""
    rows = Indicator.objects.filter(table=table).order_by("pk").values_list("pk", "version")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:32]


class _Rollback(Exception):
    pass


def run(table: ProjectTable, sheet: Sheet, *, commit: bool = False) -> RowsPreview:
    """Import `sheet` into `table` (locked by the caller) and say what it did, row by row; written
    only when `commit` and no row is refused."""
    preview = RowsPreview(sheet.name, [], signature(table))
    resource = TableIndicatorResource(table)
    shown = {pk: versions.describe(i) for pk, i in resource.own.items()}
    try:
        with transaction.atomic():
            dataset = _by_meaning(sheet.dataset, table)
            result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=False)
            by_pk = {}
            kept = set()
            for line, row_result in zip(sheet.lines, result.rows):
                change = _change(row_result, line, shown, table)
                preview.rows.append(change)
                if row_result.object_id is not None:
                    kept.add(int(row_result.object_id))
                    by_pk[int(row_result.object_id)] = change
                elif (named := str((row_result.row_values or {}).get("编号") or "").strip()).isdigit():
                    kept.add(int(named))  # a row of the table that could not be read: not deleted
            for pk, indicator in resource.own.items():
                if pk not in kept:
                    preview.rows.append(_deleted(indicator))
                    indicator.delete()
            if not preview.errors:
                for problem in review_document(ProjectTable.objects.get(pk=table.pk)).problems:
                    if problem.target == INDICATOR and problem.object_id in by_pk:
                        by_pk[problem.object_id].problems.append(f"{problem.severity_label}：{problem.message}")
            if not commit or preview.errors:
                raise _Rollback
            preview.committed = True
    except _Rollback:
        pass
    return preview


def _by_meaning(dataset: tablib.Dataset, table: ProjectTable) -> tablib.Dataset:
    """The rows with their categories as the table's framework names them, where a name means
    one of them (效果指标 → 效益指标, 满意度指标（必填） → 满意度指标; exchange.categories)."""
    if "二级指标" not in dataset.headers:
        return dataset
    c1 = dataset.headers.index("一级指标") if "一级指标" in dataset.headers else None
    c2 = dataset.headers.index("二级指标")
    named = tablib.Dataset(headers=dataset.headers)
    found: dict = {}
    for values in dataset:
        values = list(values)
        key = (values[c1] if c1 is not None else "", values[c2])
        if key not in found:
            found[key] = categories.match(table.framework, str(key[0] or ""), str(key[1] or "")).level2
        if level2 := found[key]:
            values[c2] = level2.name
            if c1 is not None:
                values[c1] = level2.level1.name
        named.append(values)
    return named


def _change(row_result: RowResult, line: int, shown: dict, table: ProjectTable) -> RowChange:
    instance = row_result.instance
    if row_result.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR):
        values = row_result.row_values or {}
        where = " / ".join(str(values.get(h) or "") for h in ("一级指标", "二级指标") if values.get(h))
        change = RowChange(REFUSED, line, str(values.get("三级指标") or ""), where, str(values.get("指标值") or ""))
        error = row_result.validation_error
        if error is not None:
            change.errors = list(error.messages)
            if hasattr(error, "error_dict") and "level2" in error.error_dict:  # name the closest categories
                m = categories.match(table.framework, str(values.get("一级指标") or ""), str(values.get("二级指标") or ""))
                if m.suggestions:
                    change.errors.append(f"最接近的二级指标是：{'、'.join(m.suggestions)}。")
        change.errors += [str(e.error) for e in row_result.errors]
        return change
    kind = {RowResult.IMPORT_TYPE_NEW: ADDED, RowResult.IMPORT_TYPE_UPDATE: CHANGED}.get(row_result.import_type, UNCHANGED)
    change = RowChange(kind, line, instance.name, f"{instance.level2.level1.name} / {instance.level2.name}",
                       instance.value_display)  # fmt: skip
    if kind == CHANGED:
        before = dict(shown.get(instance.pk, []))
        change.changes = [(label, before.get(label, ""), after) for label, after in versions.describe(instance)
                          if versions.norm(before.get(label, "")) != versions.norm(after)]  # fmt: skip
    return change


def _deleted(indicator: Indicator) -> RowChange:
    return RowChange(DELETED, None, indicator.name, f"{indicator.level2.level1.name} / {indicator.level2.name}",
                     indicator.value_display)  # fmt: skip
