"""HTML → PDF for every printed document: one FontConfiguration, stylesheets parsed once.

The templates under templates/print/ produce the HTML; this module gives them their
context (the indicator grid with merged cells, the paper state) and turns the HTML into
PDF bytes. Each table or plan template renders a section; print/base.html makes a document
of one or more sections with the paper state (watermark, approval line). Documents that
belong to a book are rendered without page numbers, which book.py lays over the merged pages.
Which layout a document gets follows its `kind` ("table" or "plan") and its framework.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

from perfgoals.frameworks.models import Framework
from perfgoals.goals import grid
from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.goals.values import format_money, format_percent
from perfgoals.printing import cache as print_cache, layout, runner
from perfgoals.printing.fetcher import STATIC_DIR, StaticOnlyFetcher, base_url

logger = logging.getLogger("perfgoals.printing")


@cache
def engine() -> Engine:
    """Print templates get their own engine: autoescaped, only the built-in tags and l10n,
    and no dependence on other apps' template libraries."""
    return Engine(
        dirs=[str(Path(settings.BASE_DIR) / "templates")],
        libraries={"l10n": "django.templatetags.l10n"},
        autoescape=True,
        debug=False,
    )


def render_to_string(template: str, context: dict) -> str:
    return engine().get_template(template).render(Context(context))


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def stylesheets(furniture: bool) -> tuple[CSS, ...]:
    names = ["print.css", "furniture.css"] if furniture else ["print.css"]
    return tuple(
        CSS(filename=str(STATIC_DIR / "print" / name), font_config=font_config(), url_fetcher=StaticOnlyFetcher())
        for name in names
    )


@cache
def user_agent_sheet() -> CSS:
    return CSS(filename=str(STATIC_DIR / "print" / "ua.css"), font_config=font_config())


class PrintHTML(HTML):
    """An HTML document with static/print/ua.css as its user-agent stylesheet.

    WeasyPrint's own html5_ua.css (and its presentational hints: align=, bgcolor=, which
    the print templates never use) would be matched against every element; the small
    sheet makes a table's layout about 11 % faster. `_ua_stylesheets` is the hook
    WeasyPrint's own test suite overrides the same way; weasyprint is pinned."""

    def _ua_stylesheets(self, forms=False):
        return [user_agent_sheet()]

    def _ph_stylesheets(self):
        return []


def print_html(html: str, fetcher: StaticOnlyFetcher | None = None) -> PrintHTML:
    return PrintHTML(string=html, base_url=base_url(), url_fetcher=fetcher or StaticOnlyFetcher())


@cache
def relaxed() -> CSS:
    """Lets a level-1 group break across pages: used only when keeping it whole fails."""
    return CSS(string="tbody.group, tbody.lead { break-inside: auto; break-after: auto; }", font_config=font_config())


def html_to_document(
    html: str, furniture: bool = True, fetcher: StaticOnlyFetcher | None = None, relax: bool = True
) -> Document:
    """The laid-out pages of a print template's HTML. With `relax` false, a level-1 group
    taller than a page raises AssertionError instead of being printed across pages."""
    fetcher = fetcher or StaticOnlyFetcher()
    sheets = list(stylesheets(furniture))
    try:
        return print_html(html, fetcher).render(stylesheets=sheets, font_config=font_config())
    except AssertionError:
        if not relax:
            raise
        # WeasyPrint 70 fails an internal assertion when a group kept whole (break-inside:
        # avoid) is taller than a whole page after a kept-with-next header. Print it broken.
        logger.warning("a level-1 group is taller than a page; printing it across pages")
        return print_html(html, fetcher).render(stylesheets=[*sheets, relaxed()], font_config=font_config())


def html_to_pdf(html: str, furniture: bool = True, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    return html_to_document(html, furniture, fetcher).write_pdf()


def warm_up() -> None:
    """Load the fonts and parse the stylesheets: the first PDF of a process costs 0.1 s more."""
    html_to_pdf('<html lang="zh-CN"><body><h1>预热</h1>预热</body></html>')


def document_html(sections: list[str], title: str, watermark: str = "", approval: str = "") -> str:
    """One printed document: print/base.html around the content of one or more tables or plans
    (each in its own <section id="piece-N">), with one paper state for all its pages."""
    return render_to_string("print/base.html", {
        "sections": [mark_safe(section) for section in sections],  # rendered by our autoescaping engine
        "title": title, "watermark": watermark, "approval": approval,
    })


# ---- paper state ------------------------------------------------------------------


DRAFT_MARK = "草稿 · 未审核"  # drafts and returned documents
UNREVIEWED_MARK = "未审核"  # submitted, waiting for review


def watermark(document) -> str:
    """草稿 / 未审核 on every page of anything not approved; nothing on an approved one."""
    if document.status == Status.APPROVED:
        return ""
    if document.status == Status.SUBMITTED:
        return UNREVIEWED_MARK
    return DRAFT_MARK


def watermark_of_all(documents) -> str:
    """The watermark of pages that stand for several documents (a book's cover and
    contents): the least advanced document's, so a book is not clean unless every part of
    it is approved, and an empty one is a draft."""
    marks = {watermark(document) for document in documents}
    if not marks or DRAFT_MARK in marks:
        return DRAFT_MARK
    return UNREVIEWED_MARK if UNREVIEWED_MARK in marks else ""


def approval_line(document) -> str:
    """The footer of an approved document: its revision and approval date."""
    if document.status != Status.APPROVED:
        return ""
    when = timezone.localtime(document.approved_at).strftime("%Y年%m月%d日") if document.approved_at else ""
    return f"第{document.revision}版 · {when}审核通过" if when else f"第{document.revision}版 · 审核通过"


# ---- project tables ---------------------------------------------------------------


# A level-1 group longer than this is printed as several <tbody>, cut between level-2
# categories (goals.grid.chunk), each repeating the level-1 label.
GROUP_ROWS = 12
GROUP_ROWS_LANDSCAPE = 7


def table_queryset():
    return ProjectTable.objects.select_related("unit", "framework__layout").with_structure().prefetch_related(
        "indicators__level2", "goals"
    )


def is_split(framework: Framework) -> bool:
    return framework.value_layout == Framework.VALUE_SPLIT


TABLE_TEMPLATES = {"split": "print/table_split.html", "hebei": "print/table_hebei.html"}


def table_template(table: ProjectTable) -> str:
    """The framework's print layout: one of the fixed templates (Hebei: one value cell;
    Chengde: three), else the generic one laid out from the definition (printing/layout.py)."""
    return TABLE_TEMPLATES.get(table.framework.template_key(), "print/table_generic.html")


def table_context(table: ProjectTable, number: int | None = None) -> dict:
    if table_template(table) == "print/table_generic.html":
        return layout.generic_context(table, number)
    split = is_split(table.framework)
    goals = [goal.text for goal in table.goals.all()]
    return {
        "table": table,
        "title": table_title(table),
        "number": number if number is not None else (table.position or None),
        "budget": [format_money(table.budget_total), format_money(table.budget_fiscal), format_money(table.budget_other)],
        "spending": [format_percent(p, "" if split else "%") for p in table.spending_plan],
        "goals": goals,
        "grid": grid.chunk(grid.printed_rows(grid.table_groups(table)), GROUP_ROWS),
        "split": split,
        "twelve": range(12),
        "explanation": explanation_parts(table.explanation),
    }


def table_content(table: ProjectTable, number: int | None = None, heading: str = "") -> str:
    """The table as a section of a document; `heading` is the part heading above it in a book."""
    return render_to_string(table_template(table), {**table_context(table, number), "part_heading": heading})


def table_html(table: ProjectTable) -> str:
    """The table printed on its own."""
    return document_html([table_content(table)], table_title(table), watermark(table), approval_line(table))


def table_title(table: ProjectTable) -> str:
    if table_template(table) == "print/table_generic.html":
        return layout.title(table)
    return f"{table.project_name}绩效目标表"


HEADING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")


def explanation_parts(text: str) -> list[tuple[str, str]]:
    """The 说明 as (kind, line): its title lines (before 一、…) centred, 一、/（一） headings, prose."""
    parts, in_title = [], True
    for line in paragraphs(text):
        is_heading = bool(HEADING.match(line))
        in_title = in_title and not is_heading and len(line) <= 30
        parts.append(("title" if in_title else "heading" if is_heading else "p", line))
    return parts


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---- department plans ----------------------------------------------------------------


def plan_queryset():
    return DepartmentPlan.objects.select_related("unit", "framework__layout").with_structure().prefetch_related(
        "items", "indicators__level1", "indicators__level2", "funding_lines"
    )


def is_department_form(plan: DepartmentPlan) -> bool:
    """The Hubei 部门整体绩效目标表: a plan written against a department-wide framework whose print
    layout is that form (the default of a department-wide framework without a layout)."""
    return (plan.framework is not None and plan.framework.kind == Framework.DEPARTMENT
            and plan.framework.template_key() == "hubei-department")


def funding_rows(plan: DepartmentPlan, kind: str) -> list[dict]:
    lines = plan.funding(kind)
    rows = [{"name": line.name, "amount": format_money(line.amount), "share": f"{line.share}%" if line.share is not None else "",
             "prior_1": format_money(line.prior_amount_1), "prior_2": format_money(line.prior_amount_2)} for line in lines]
    if lines:
        rows.append({
            "name": "合计", "amount": format_money(plan.funding_total(kind)), "share": "100%",
            "prior_1": format_money(plan.funding_total(kind, "prior_amount_1")),
            "prior_2": format_money(plan.funding_total(kind, "prior_amount_2")),
        })
    return rows


def plan_context(plan: DepartmentPlan) -> dict:
    indicators = list(plan.indicators.all())
    income, expense = funding_rows(plan, "income"), funding_rows(plan, "expense")
    return {
        "plan": plan,
        "unit": plan.unit,
        "title": plan_title(plan),
        "overall": paragraphs(plan.overall_goal),
        "sub_goals": [paragraphs(item.text) for item in plan.items.all() if item.kind == item.SUB_GOAL],
        "safeguards": [paragraphs(item.text) for item in plan.items.all() if item.kind == item.SAFEGUARD],
        "indicator_groups": grid.chunk(grid.printed_rows(grid.plan_groups(indicators)), GROUP_ROWS),
        "long_term": grid.chunk(grid.printed_rows(grid.plan_groups([i for i in indicators if i.horizon == i.LONG_TERM])), GROUP_ROWS_LANDSCAPE),
        "annual": grid.chunk(grid.printed_rows(grid.plan_groups([i for i in indicators if i.horizon == i.ANNUAL])), GROUP_ROWS_LANDSCAPE),
        "split": plan.framework is not None and is_split(plan.framework),
        "income": income,
        "expense": expense,
        "funding_span": 2 + len(income) + len(expense),
        "prior_years": [plan.year - 2, plan.year - 1],
        "functions": plan.functions,
    }


def plan_template(plan: DepartmentPlan) -> str:
    return "print/plan_hubei.html" if is_department_form(plan) else "print/plan.html"


def plan_content(plan: DepartmentPlan, in_book: bool = False) -> str:
    return render_to_string(plan_template(plan), {**plan_context(plan), "in_book": in_book})


def plan_html(plan: DepartmentPlan) -> str:
    """The plan printed on its own."""
    return document_html([plan_content(plan)], plan_title(plan), watermark(plan), approval_line(plan))


def plan_title(plan: DepartmentPlan) -> str:
    return f"{plan.unit.name}{plan.year}年部门整体绩效目标"


def render_table(table: ProjectTable) -> bytes:
    return html_to_pdf(table_html(table))


def render_plan(plan: DepartmentPlan) -> bytes:
    return html_to_pdf(plan_html(plan))


STANDALONE = {"table": table_html, "plan": plan_html}  # doc.kind -> the document printed on its own


def render_document(document: ProjectTable | DepartmentPlan) -> bytes:
    """A table or plan printed on its own: from the print cache when exactly this text (its
    watermark and approval line included) was laid out before, else laid out now and kept.
    A clerk previewing an unchanged draft, or its supervisor opening it, waits for nothing.
    Laid out by a print worker (runner.py), within the time limit (runner.PrintTimeout past it)."""
    html = STANDALONE[document.kind](document)
    key = print_cache.key("document\n" + html)
    pdf = print_cache.get(key)
    if pdf is None:
        pdf = runner.run(html_to_pdf, [html])[0]
        print_cache.put(key, pdf)
    return pdf


def document_pdf(document: ProjectTable | DepartmentPlan) -> bytes:
    """The PDF of a table or plan as 下载PDF serves it.

    Anything not approved is rendered afresh (with its watermark). An approved revision is
    rendered once, stored, and served unchanged from then on."""
    from perfgoals.printing.models import ApprovedPdf

    if document.status != Status.APPROVED:
        return render_document(document)
    key = {document.kind: document, "revision": document.revision}  # ApprovedPdf.table / .plan
    stored = ApprovedPdf.objects.filter(**key).first()
    if stored is not None:
        return bytes(stored.pdf)
    pdf = render_document(document)
    try:
        with transaction.atomic():
            ApprovedPdf.objects.create(
                **key, approved_at=document.approved_at, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest()
            )
    except IntegrityError:  # printed at the same moment by someone else: serve theirs
        return bytes(ApprovedPdf.objects.get(**key).pdf)
    return pdf
