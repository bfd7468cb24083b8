"""Indicators pasted into an open table (the editor's 粘贴指标): read, preview, add.

    found = read(text, html)                       # the clipboard's text/plain and text/html
    preview = make_preview(table, found.indicators, picks)  # category, value, problems of each row
    added = add(table, preview)                    # inside the edit's transaction

`read` is `paste.parse_paste` (headings by meaning, the printed form with fields above the
grid, merged cells); a paste without a heading row is read as the editor's own columns in
order (一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据). Categories are
matched to the table's framework by meaning (`categories.match`); a row whose category
cannot be matched names the closest valid ones and waits for the clerk to pick one.
Each row goes through the editor's own `IndicatorForm` (as 添加指标 does), and the review's
problems of each row are those of the table with the rows added, in a savepoint that is
rolled back: the preview writes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from perfgoals.exchange import categories, paste
from perfgoals.exchange.paste import PastedIndicator, PastedTable, PasteError, column_values
from perfgoals.exchange.seedtext import Row
from perfgoals.frameworks.models import Level2
from perfgoals.goals import values
from perfgoals.goals.forms import IndicatorForm
from perfgoals.goals.models import BasisCategory, Indicator, ProjectTable
from perfgoals.review.outcome import review_document
from perfgoals.review.rules import INDICATOR

GRID_HEADINGS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
MAX_TEXT = 50_000  # characters of text/plain: some 300 rows of a grid
MAX_HTML = 2_000_000  # characters of text/html (Word writes ten times the text in styles)
MAX_ROWS = 300


class PasteRefused(Exception):
    """The paste cannot be read as indicator rows; the message (Chinese) says why. Nothing is written."""


def normalized(text: str) -> str:
    """Text as a form sends it back: line ends as LF (a browser posts CRLF, and its HTML parser
    reads an attribute's CRLF as LF), without a textarea's leading line end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")


def digest(text: str, html: str) -> str:
    """What a preview was made of, so that a confirmation adds only what was previewed."""
    return hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]


def read(text: str, html: str) -> PastedTable:
    """The table a paste holds (its `indicators` are the rows), or PasteRefused."""
    if len(text) > MAX_TEXT or len(html) > MAX_HTML:
        raise PasteRefused(f"粘贴的内容过大（最多 {MAX_TEXT // 1000} 千字），请分几次粘贴。")
    if not text.strip() and not html.strip():
        raise PasteRefused("粘贴框是空的：请在 Word、Excel、WPS 或网页中选中指标表格，复制后粘贴在这里。")
    try:
        doc = paste.parse_paste(text, html)
    except PasteError as e:
        doc = _without_headings(text, html)
        if doc is None:
            raise PasteRefused(str(e)) from None
    if len(doc.tables) > 1:
        raise PasteRefused(f"粘贴的内容包含 {len(doc.tables)} 张项目表，请一次只复制一张表的指标。")
    table = doc.tables[0]
    if len(table.indicators) > MAX_ROWS:
        raise PasteRefused(f"粘贴的内容有 {len(table.indicators)} 行指标，一次最多 {MAX_ROWS} 行，请分几次粘贴。")
    return table


def rows_for(pasted: PastedTable, framework) -> list[PastedIndicator]:
    """The rows to add: the 年度 ones, and the 中期/长期 half of a side-by-side grid where the
    framework has such a horizon."""
    return pasted.indicators + (pasted.long_term if framework.horizons != "annual" else [])


def notes(pasted: PastedTable, framework=None) -> list[str]:
    """What the paste holds besides indicator rows, which is not added here."""
    keeps_long_term = framework is not None and framework.horizons != "annual" and pasted.long_term
    said = [n for n in pasted.notes if not (keeps_long_term and n.startswith("表中并列的"))]
    if pasted.project_name or pasted.goals or pasted.budget_total is not None:
        said.append("粘贴的内容还包含项目名称、资金或绩效目标：这里只添加指标，其余请在本页上方填写。")
    if any(pasted.weights) and not (framework is not None and any(c.key == "weight" for c in framework.columns.all())):
        said.append("权重未添加（本指标体系没有权重列）。")
    return said


def _without_headings(text: str, html: str):
    """Rows without a heading row, read as the editor's columns in order; None when they are not.

    A first column that only labels the grid — the cell merged down its left side, 绩效指标 or
    本年度绩效指标, copied with the rows, or left empty by the copy — is not the 一级指标 column:
    it is dropped (no category's name says 绩效指标)."""
    rows = paste.rows_from_html(html) if html and "<table" in html.lower() else []
    rows = rows or paste.rows_from_text(text)

    def labels_only(row: Row) -> bool:
        return not row.cells or not row.cells[0].strip() or "绩效指标" in row.cells[0]

    while any(len(r.cells) > 1 for r in rows) and all(labels_only(r) for r in rows):
        rows = [Row(r.cells[1:], r.line) for r in rows]
    width = max((len(r.cells) for r in rows), default=0)
    if width < GRID_HEADINGS.index("指标值") + 1 or paste.find_header(rows) is not None:
        return None
    headings = Row(GRID_HEADINGS[:width] + [""] * (width - len(GRID_HEADINGS)), 0)
    try:
        return paste.parse_rows([headings, *rows])
    except PasteError:
        return None


@dataclass
class RowPreview:
    number: int  # 1, 2, … in the order pasted; the key of the clerk's pick (level2_<number>)
    parsed: PastedIndicator
    form: IndicatorForm
    level2: Level2 | None
    written_as: str = ""  # the categories as pasted, when they were matched by meaning
    category_problem: str = ""
    suggestions: list[str] = field(default_factory=list)
    picked: int | None = None
    problems: list[str] = field(default_factory=list)  # the review's: 错误/提示：message

    @property
    def errors(self) -> list[str]:
        """What keeps this row from being added (the form's messages)."""
        return [e for errors in self.form.errors.values() for e in errors] if self.level2 else []

    @property
    def addable(self) -> bool:
        return self.level2 is not None and not self.form.errors

    @property
    def value_display(self) -> str:
        return values.format_value(self.form.to_value(self.parsed.name)) if self.addable else self._value_text()

    def _value_text(self) -> str:
        if self.parsed.split is not None:
            return values.format_value(values.parse_split(*self.parsed.split, name=self.parsed.name))
        return self.parsed.value


@dataclass
class Preview:
    rows: list[RowPreview]

    @property
    def unmatched(self) -> list[RowPreview]:
        return [r for r in self.rows if r.level2 is None]

    @property
    def invalid(self) -> list[RowPreview]:
        return [r for r in self.rows if r.level2 is not None and r.form.errors]

    @property
    def can_add(self) -> bool:
        return all(r.addable for r in self.rows)


def make_preview(table: ProjectTable, rows: list[PastedIndicator], picks: dict[int, int] | None = None,
                 *, review: bool = True) -> Preview:  # fmt: skip
    """Each pasted row in `table`'s framework; `picks`: the level-2 category the clerk chose for a
    row (by its number) whose category could not be matched."""
    picks = picks or {}
    framework = table.framework
    level2s = {l2.pk: l2 for l2 in Level2.objects.filter(level1__framework=framework).select_related("level1")}
    choices = [(l1.name, [(l2.pk, l2.name) for l2 in l1.levels2.all()]) for l1 in framework.levels1.all()]
    preview = Preview([])
    for number, item in enumerate(rows, start=1):
        m = categories.match(framework, item.level1, item.level2, item.level1_written)
        level2 = m.level2 and level2s.get(m.level2.pk)
        picked = picks.get(number) if picks.get(number) in level2s else None
        if level2 is None and picked:
            level2 = level2s[picked]
        form = IndicatorForm({**_form_data(item, level2), **column_values(item, framework)}, level2_choices=choices)
        form.is_valid()
        row = RowPreview(number, item, form, level2, picked=picked)
        if m.level2 is None:
            row.category_problem, row.suggestions = m.problem, m.suggestions
        elif m.fuzzy:
            row.written_as = " / ".join(t for t in (item.level1, item.level2) if t)
        preview.rows.append(row)
    if review and preview.can_add:
        _review(table, preview)
    return preview


def _form_data(item: PastedIndicator, level2: Level2 | None) -> dict:
    if item.split is not None:
        value = values.format_value(values.parse_split(*item.split, name=item.name))
    else:
        value = item.value
    return {"level2": level2.pk if level2 else "", "name": item.name, "description": item.description,
            "value": value, "basis": item.basis, "horizon": getattr(item, "horizon", "annual")}  # fmt: skip


def add(table: ProjectTable, preview: Preview) -> list[Indicator]:
    """Add the previewed rows at the end of their categories (inside the caller's edit transaction),
    each saved as 添加指标 saves a row: its version and history (the request's user)."""
    order = table.indicators.aggregate(m=Max("order"))["m"] or 0
    added = []
    for row in preview.rows:
        order += 1
        indicator = Indicator(table=table, order=order)
        row.form.apply(indicator)
        indicator.basis_category = BasisCategory.from_label(row.parsed.basis_category)
        indicator.save()
        added.append(indicator)
    return added


class _Rollback(Exception):
    pass


def _review(table: ProjectTable, preview: Preview) -> None:
    """The review's problems of each row, with the rows added to the table; nothing stays written."""
    try:
        with transaction.atomic():
            by_pk = {i.pk: row for i, row in zip(add(table, preview), preview.rows)}
            for problem in review_document(ProjectTable.objects.get(pk=table.pk)).problems:
                if problem.target == INDICATOR and problem.object_id in by_pk:
                    by_pk[problem.object_id].problems.append(f"{problem.severity_label}：{problem.message}")
            raise _Rollback
    except _Rollback:
        pass
