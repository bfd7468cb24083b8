"""A Word document (.docx) → its paragraphs and table rows, in document order.

Read from the document's XML (python-docx opens it; the body is walked with lxml), not
from python-docx's cell grid, which repeats a merged cell in every position it covers:

- a cell merged across (`gridSpan`) is one cell that keeps its span;
- a cell merged down (`vMerge` continuing) is empty, so its text stays in the first row
  and the readers carry it down as the category of the rows below;
- a label split over lines (several paragraphs, or a line break) is one cell with line
  breaks; readers compare labels without them;
- a nested table's text joins the cell it sits in, one line a row;
- field codes (a table of contents' `TC` entries), bookmarks and deleted text are not text.

Two views of a table: `tokens` gives each row's cells as Word holds them, one per cell
(as the seed text dumps were written, for `seedtext`); `grid_rows` puts every cell at
its grid column with the merged positions empty (as a pasted table, for `paste`).
"""

from __future__ import annotations

from dataclasses import dataclass

from perfgoals.exchange.seedtext import Paragraph, Row

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class WordCell:
    text: str
    span: int = 1  # grid columns covered
    continued: bool = False  # merged down from the cell above: written empty


@dataclass
class WordRow:
    cells: list[WordCell]
    line: int
    before: int = 0  # grid columns left empty before the first cell (w:gridBefore)
    table: int = 0  # which of the body's tables, counted from 1


def _val(element, path: str, default: str | None = None) -> str | None:
    found = element.find(path)
    return default if found is None else found.get(f"{W}val", default)


def paragraph_text(p) -> str:
    parts = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    """A cell's paragraphs, one a line; a nested table's rows after them, cells separated by spaces."""
    lines = []
    for child in _content(tc):
        if child.tag == f"{W}p":
            lines.extend(paragraph_text(child).split("\n"))
        elif child.tag == f"{W}tbl":
            for row in _rows(child, line=0):
                lines.append(" ".join(c.text.replace("\n", " ") for c in row.cells if c.text))
    lines = [line.replace("\u3000", " ").replace("\xa0", " ").strip() for line in lines]
    return "\n".join(line for line in lines if line)


def _content(element):
    """The paragraphs and tables of a body or cell, looking inside content controls (w:sdt)."""
    for child in element:
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _content(content)
        elif child.tag in (f"{W}p", f"{W}tbl"):
            yield child


def _rows(tbl, line: int, table: int = 0) -> list[WordRow]:
    rows = []
    for tr in tbl.iter(f"{W}tr"):
        if next(tr.iterancestors(f"{W}tbl")) is not tbl:
            continue  # a nested table's row (a row inside a content control is this table's)
        cells = []
        for tc in tr:
            if tc.tag == f"{W}sdt":  # a row's cells inside a content control
                tcs = [t for t in tc.iter(f"{W}tc")]
            elif tc.tag == f"{W}tc":
                tcs = [tc]
            else:
                continue
            for cell in tcs:
                props = cell.find(f"{W}tcPr")
                span = int(_val(props, f"{W}gridSpan", "1") or 1) if props is not None else 1
                vmerge = props.find(f"{W}vMerge") if props is not None else None
                continued = vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue"
                if props is not None and _val(props, f"{W}hMerge") == "continue" and cells:
                    cells[-1].span += span  # the old way of merging across
                    continue
                cells.append(WordCell("" if continued else _cell_text(cell), max(1, span), continued))
        line += 1
        before = tr.find(f"{W}trPr/{W}gridBefore")
        rows.append(WordRow(cells, line, int(before.get(f"{W}val", "0")) if before is not None else 0, table))
    return rows


def read_blocks(document) -> list[Paragraph | WordRow]:
    """The body's paragraphs (non-empty, text only) and tables' rows, numbered in order."""
    blocks: list[Paragraph | WordRow] = []
    line = tables = 0
    for child in _content(document.element.body):
        if child.tag == f"{W}p":
            line += 1
            text = paragraph_text(child).replace("\u3000", " ").strip()
            if text:
                blocks.append(Paragraph(text, line))
        else:
            tables += 1
            rows = _rows(child, line, tables)
            line += len(rows)
            blocks.extend(rows)
    return blocks


def tokens(blocks: list[Paragraph | WordRow]) -> list[Paragraph | Row]:
    """One cell per Word cell (merged-down cells empty), as the seed dumps hold tables."""
    result: list[Paragraph | Row] = []
    for block in blocks:
        if isinstance(block, WordRow):
            result.append(Row([c.text for c in block.cells], block.line))
        elif block.text:
            result.append(block)
    return result


def grid_rows(blocks: list[Paragraph | WordRow]) -> list[Row]:
    """Every cell at its grid column, merged positions empty; a paragraph is a one-cell row."""
    rows = []
    for block in blocks:
        if isinstance(block, WordRow):
            cells = [""] * block.before
            for cell in block.cells:
                cells += [cell.text] + [""] * (cell.span - 1)
            if any(cells):
                rows.append(Row(cells, block.line))
        elif block.text:
            rows.append(Row([block.text], block.line))
    return rows


def tables_with_preludes(blocks: list[Paragraph | WordRow]) -> list[list[Paragraph | WordRow]]:
    """Each table's rows, after the last paragraphs before it (its title, 单位：元)."""
    result: list[list[Paragraph | WordRow]] = []
    prelude: list[Paragraph | WordRow] = []
    current = 0
    for block in blocks:
        if isinstance(block, WordRow):
            if block.table != current:
                result.append(prelude[-3:])
                current = block.table
            result[-1].append(block)
            prelude = []
        elif block.text:
            current = 0
            prelude.append(block)
    return result
