"""A clerk's file → rows of cells: .tsv/.txt (as pasted), .html, .xlsx (openpyxl), .docx (python-docx, `wordfile`).

A file must be what its name says before it is opened: an .xlsx or .docx is a zip
whose directory is read first (the sum of the uncompressed sizes, and the members a
workbook or a document must have), so a renamed PDF, a corrupt zip or a zip bomb is
refused with a message instead of being unpacked; so is one whose main part (the
document's text, the workbook's shared strings: read whole) unpacks past MAX_PART. A sheet
is read row by row (openpyxl read-only) and reading stops at the first long run of empty
rows, so a sheet whose used range is a million rows costs nothing; a sheet of more than
MAX_SHEET_ROWS (paste.MAX_ROWS) rows with content is refused when its reading gets there. Formula cells give the value
Excel saved with the file (data_only); formulas are never evaluated here.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from perfgoals.exchange import seedtext, wordfile
from perfgoals.exchange.paste import MAX_COLUMNS, MAX_ROWS, PasteError, column_letter, parse_rows, rows_from_html, rows_from_text
from perfgoals.exchange.seedtext import ParsedDocument, Row
from perfgoals.goals.values import format_number, normalize_label

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip that unpacks to more than this is refused
MAX_RATIO = 200  # nor one that unpacks to more than 200 times its size (a zip bomb)
MAX_PART = 50 * 1024 * 1024  # a document's text or a workbook's strings, read whole, unpack to at most this
EMPTY_ROWS_END = 200  # this many empty rows in a row end a sheet
MAX_SHEET_ROWS = MAX_ROWS  # a sheet with more rows than this is refused before the rest is read
SUFFIXES = (".tsv", ".txt", ".html", ".htm", ".xlsx", ".docx")


class FileRefused(Exception):
    """The file cannot be read; the message (Chinese) names it and, where it applies, the row and column."""


def read_file(name: str, data: bytes) -> ParsedDocument:
    """The project tables in a file, by its suffix; FileRefused when it is not what it claims."""
    suffix = PurePath(name).suffix.lower()
    label = f"文件“{PurePath(name).name}”"
    try:
        if suffix in (".tsv", ".txt"):
            return parse_rows(rows_from_text(_text(data, label)), what=label)
        if suffix in (".html", ".htm"):
            return parse_rows(rows_from_html(_text(data, label), what=label), what=label)
        if suffix == ".xlsx":
            _check_zip(data, label, "xl/workbook.xml", "Excel 工作簿（.xlsx）", "xl/sharedStrings.xml")
            return _read_xlsx(data, label)
        if suffix == ".docx":
            _check_zip(data, label, "word/document.xml", "Word 文档（.docx）", "word/document.xml")
            return _read_docx(data, label)
    except PasteError as e:  # the message names the file already (`what`), or is about a row of it
        raise FileRefused(str(e) if label in e.message else f"{label}{e}") from None
    raise FileRefused(f"{label}的类型不能导入：请上传 {'、'.join(SUFFIXES)} 文件，或直接粘贴表格。")


def _text(data: bytes, label: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(f"{label}不是文本文件（既不是 UTF-8 也不是 GBK 编码）。")


def _check_zip(data: bytes, label: str, member: str, kind: str, whole: str = "xl/sharedStrings.xml") -> None:
    """Refuse, from the zip directory alone, what is not a workbook/document or unpacks too large."""
    if data[:4] == b"%PDF":
        raise FileRefused(f"{label}实际上是 PDF 文件，不是{kind}：请上传原始的 Word 或 Excel 文件，或从 PDF 中复制表格粘贴。")
    if data[:4] != b"PK\x03\x04":
        raise FileRefused(f"{label}不是{kind}：文件内容不是 Office 文档的格式（可能是改了扩展名的其他文件）。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(f"{label}已损坏，无法打开：请在 Office 或 WPS 中重新保存后再导入。") from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNCOMPRESSED or unpacked > MAX_RATIO * max(len(data), 1):
        raise FileRefused(f"{label}解压后有 {unpacked // (1024 * 1024)} MB，超出允许的大小，未打开。")
    if member not in {i.filename for i in infos}:
        raise FileRefused(f"{label}不是{kind}：缺少 {member}。")
    if (size := next((i.file_size for i in infos if i.filename == whole), 0)) > MAX_PART:
        raise FileRefused(f"{label}的 {whole} 解压后有 {size // (1024 * 1024)} MB，"
                          f"超过 {MAX_PART // (1024 * 1024)} MB，未打开：请拆分后分别导入。")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return format_number(Decimal(str(value)))
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _read_xlsx(data: bytes, label: str) -> ParsedDocument:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(f"{label}已损坏，无法作为 Excel 工作簿打开。") from None
    try:
        errors, docs = [], []
        for sheet in book.worksheets:
            rows = _sheet_rows(sheet, label)
            if not rows:
                continue
            what = f"工作表“{sheet.title}”"
            try:
                docs.append(parse_rows(rows, what=what))
            except PasteError as e:
                errors.append(str(e) if what in e.message else f"{what}{e}")
        if docs:
            return _combined(docs)
        if not errors:
            raise FileRefused(f"{label}中没有内容。")
        raise FileRefused(f"{label}中没有可以导入的绩效指标表：" + "；".join(errors))
    finally:
        book.close()


def _combined(docs: list[ParsedDocument]) -> ParsedDocument:
    """The tables of every sheet that holds some (a workbook of a unit's year: a sheet per table).
    A sheet whose grid names no project (the department plan's sheet) is left out when others do."""
    named = [d for d in docs if any(t.project_name for t in d.tables)] or docs
    doc = named[0]
    for other in named[1:]:
        doc.tables.extend(t for t in other.tables if t.project_name)
        doc.year = doc.year or other.year
    for position, table in enumerate(doc.tables, start=1):
        table.position = position
    return doc


def _sheet_rows(sheet, label: str) -> list[Row]:
    rows: list[Row] = []
    empty = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        cells = [_cell_text(v) for v in values]
        for c, text in enumerate(cells):
            if text.startswith("#") and text.upper() in ("#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/A", "#NUM!"):
                raise FileRefused(f"{label}工作表“{sheet.title}”第 {number} 行第 {column_letter(c)} 列的公式结果是错误值 {text}。")
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            empty += 1
            if empty >= EMPTY_ROWS_END and rows:
                break
            if empty >= EMPTY_ROWS_END * 5:
                break
            continue
        empty = 0
        rows.append(Row(cells, number))
        if len(rows) > MAX_SHEET_ROWS:
            raise FileRefused(f"{label}工作表“{sheet.title}”有内容的行超过 {MAX_SHEET_ROWS} 行（读到第 {number} 行），"
                              "未导入：请拆分后分别导入。")
    return rows


def _read_docx(data: bytes, label: str) -> ParsedDocument:
    """A department document (第一部分 …, the Hubei 部门整体 form, tables with 项目编码) is read as the
    seed documents are, from Word's own cells; any other table as a pasted one, by its headings."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds for a damaged document
        raise FileRefused(f"{label}已损坏，无法作为 Word 文档打开。") from None
    blocks = wordfile.read_blocks(document)
    tokens = seedtext.drop_row_numbers(wordfile.tokens(blocks))
    if seedtext.is_goal_document(tokens):
        try:
            doc = _parse_goal_document(blocks, tokens)
            _add_other_tables(doc, blocks, label)
            return doc
        except seedtext.SeedFormatError as e:
            # Laid out otherwise: the department part as the seeds, every project table by its headings.
            doc = _department_part(blocks)
            _add_other_tables(doc, blocks, label, coded_too=True)
            if not doc.plan and not doc.tables:
                raise FileRefused(f"{label}第 {e.line} 段：{e.message}") from None
            return doc
    return parse_rows(wordfile.grid_rows(blocks), what=label)


def _department_part(blocks) -> ParsedDocument:
    """What comes before the first table that names a project, read as the seeds' department part."""
    rows_of: dict[int, list[Row]] = {}
    for b in blocks:
        if isinstance(b, wordfile.WordRow):
            rows_of.setdefault(b.table, []).append(Row([c.text for c in b.cells], b.line))
    projects = {table for table, rows in rows_of.items() if seedtext.names_project(rows)}
    first = next((i for i, b in enumerate(blocks) if isinstance(b, wordfile.WordRow) and b.table in projects),
                 len(blocks))
    try:
        return seedtext.parse_tokens(seedtext.drop_row_numbers(wordfile.tokens(blocks[:first])))
    except seedtext.SeedFormatError:
        return ParsedDocument()


def _parse_goal_document(blocks, tokens) -> ParsedDocument:
    """The Hubei 部门整体 form is one table, read alone; what follows it is read for project tables."""
    def tokens_of(part):
        return seedtext.drop_row_numbers(wordfile.tokens(part))

    form = next((b.table for b in blocks if isinstance(b, wordfile.WordRow) and b.cells
                 and seedtext.is_department_form(b.cells[0].text)), 0)
    if not form:
        return seedtext.parse_tokens(tokens)
    cut = max(i for i, b in enumerate(blocks) if isinstance(b, wordfile.WordRow) and b.table == form) + 1
    doc = seedtext.parse_tokens(tokens_of(blocks[:cut]))
    rest = tokens_of(blocks[cut:])
    if any(isinstance(t, Row) and t.cells and normalize_label(t.cells[0]) == "项目编码" for t in rest):
        projects = seedtext.parse_tokens(rest)
        doc.tables = projects.tables
        doc.year = doc.year or projects.year
    return doc


def _add_other_tables(doc: ParsedDocument, blocks, label: str, coded_too: bool = False) -> None:
    """A department document's project tables in another layout (no 项目编码 row, or any when
    `coded_too`): read by their headings."""
    for blocks_of_table in wordfile.tables_with_preludes(blocks):
        rows = seedtext.drop_row_numbers(wordfile.tokens([b for b in blocks_of_table if isinstance(b, wordfile.WordRow)]))
        coded = any(normalize_label(r.cells[0]) == "项目编码" for r in rows if r.cells)
        if not seedtext.names_project(rows) or (coded and not coded_too):
            continue
        try:
            found = parse_rows(wordfile.grid_rows(blocks_of_table), what=label)
        except PasteError as e:
            name = next((c for r in rows for c in r.cells[1:2] if normalize_label(r.cells[0]) == "项目名称"), "")
            doc.notes.append(f"表格“{name or '（未命名）'}”未导入：{e.message}")
            continue
        for table in found.tables:
            table.position = len(doc.tables) + 1
            doc.tables.append(table)
        doc.year = doc.year or found.year
        if not doc.unit_name and not doc.unit_code:
            doc.unit_code, doc.unit_name = found.unit_code, found.unit_name
