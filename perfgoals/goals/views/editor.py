"""The table editor's context: the header, the goals and the indicator grid with a form per row.

The grid is `grid.table_groups(table, every_level2=True)` (every category of the framework,
so rows can be added anywhere) with each level 2's indicators turned into the editor's rows:
dicts with the row's form, its <option>s, its problems and its open review comments.

The whole page carries the workflow panel (`workflow.document_panel`: state, actions, open
comments); a part of the page answering an edit reads only the open comments it shows.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_htmx.http import reswap, retarget

from perfgoals.goals import forms as f
from perfgoals.goals import grid
from perfgoals.goals.checklist import table_checklist
from perfgoals.goals.access import can
from perfgoals.goals.views.common import level2_choices, one_of, tables, with_summary
from perfgoals.review.outcome import review_document
from perfgoals.workflow import workflow

KIND_CHOICES = f.ValueForm.base_fields["value_kind"].choices
OPERATOR_CHOICES = f.ValueForm.base_fields["operator"].choices
HEADER_FIELDS = f.HeaderForm.Meta.fields


def options(choices, selected) -> str:
    """<option>s of a select, built once per choice list and selection (not per row in the template)."""
    return _options(_freeze(choices), str(selected if selected is not None else ""))


@lru_cache(maxsize=1024)
def _options(choices: tuple, selected: str) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, tuple):
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, _options(label, selected)))
        else:
            chosen = " selected" if str(value) == selected else ""
            parts.append(format_html('<option value="{}"{}>{}</option>', value, chosen, label))
    return mark_safe("".join(parts))


def _freeze(choices) -> tuple:
    return tuple((v, _freeze(label) if isinstance(label, (list, tuple)) else label) for v, label in choices)


def _with_options(row: dict) -> dict:
    form = row["form"]
    row["level2_options"] = options(form.fields["level2"].choices, form["level2"].value())
    row["kind_options"] = options(KIND_CHOICES, form["value_kind"].value())
    row["operator_options"] = options(OPERATOR_CHOICES, form["operator"].value())
    row["printed"] = f.preview_value(form.data)[0] if form.is_bound else ""
    return row


TEXTAREAS = {"scoring", "remark"}


def extra_columns(table) -> list[tuple[str, str]]:
    """The framework's columns beyond name, description, value and basis that the editor
    shows (评（扣）分标准, 权重, 指标方向 …), with their printed headings; 目标期限 where
    the framework has a 中期/长期 horizon."""
    names = {attribute: name for name, attribute in f.IndicatorForm.ATTRIBUTE.items()}
    extras = [(names.get(c.key, c.key), c.printed_heading) for c in table.framework.columns.all()
              if names.get(c.key, c.key) in f.IndicatorForm.EXTRA_FIELDS]
    if table.framework.horizons != "annual":
        extras.append(("horizon", "目标期限"))
    return extras


def shown_columns(table) -> set[str]:
    """Which of 绩效指标描述 and 指标值确定依据 the editor shows: those the framework prints
    (both where it defines no columns)."""
    keys = {c.key for c in table.framework.columns.all()}
    return {"description", "basis"} & keys if keys else {"description", "basis"}


def _with_extras(table, row: dict) -> dict:
    form = row["form"]
    row["shows"] = shown_columns(table)
    row["extras"] = [{
        "name": name, "label": label, "field": form[name], "textarea": name in TEXTAREAS,
        "options": options(form.fields[name].choices, form[name].value()) if hasattr(form.fields[name], "choices") else "",
    } for name, label in extra_columns(table)]
    return row


def indicator_row(table, indicator, choices, problems, comments: dict, form=None) -> dict:
    return _with_extras(table, _with_options({
        "indicator": indicator,
        "form": form or f.IndicatorForm.for_indicator(indicator, choices),
        "prefix": f"ind-{indicator.pk}",
        "level1_name": indicator.level2.level1.name,
        "action": reverse("indicator_update", args=[table.pk, indicator.pk]),
        "problems": problems["indicator"].get(indicator.pk, []),
        "comments": comments.get(("indicator", indicator.pk), []),
        "saved": False,
    }))  # fmt: skip


def new_row(table, level2_id, choices, form=None, prefix="") -> dict:
    return _with_extras(table, _with_options({
        "indicator": None,
        "form": form or f.IndicatorForm(initial={"level2": level2_id}, level2_choices=choices),
        "prefix": prefix or f"new-{level2_id}-{uuid.uuid4().hex[:6]}",
        "level1_name": next((l1 for l1, opts in choices for v, _ in opts if v == level2_id), ""),
        "action": reverse("indicator_create", args=[table.pk]),
        "problems": [],
        "comments": [],
        "saved": False,
    }))  # fmt: skip


def editor_groups(table, choices, problems, comments: dict, bound=None, add: int | None = None) -> list[grid.Group]:
    """The grid with the editor's rows as each level 2's items; an empty row where one is asked
    for (`add`), where the framework prints every level 2, or where a new row was refused (`bound`)."""
    bound = bound or {}
    groups = grid.table_groups(table, every_level2=True)
    for group in groups:
        for l2 in group.level2s:
            pk = l2.level2.pk
            rows = [indicator_row(table, i, choices, problems, comments, bound.get(i.pk)) for i in l2.items]
            if bound.get(("new", pk)):
                form, prefix = bound[("new", pk)]
                rows.append(new_row(table, pk, choices, form, prefix))
            elif add == pk or (not rows and table.framework.prints_every_level2):
                rows.append(new_row(table, pk, choices))
            l2.items = rows
    return groups


def sources_of(table):
    """资金来源's form where the framework's money block is not two sources (those are the header's
    财政资金 / 其他资金, under the framework's names)."""
    sources = table.framework.sources()
    if len(sources) == 2:
        return None
    return f.SourcesForm(sources=sources, initial_amounts=table.source_amounts, unit=table.framework.amount_unit)


def editor_context(table, *, editable: bool, comments: dict, panel=None, header_form=None, goal_forms=None,
                   bound=None, add=None, saved="", notes=None, paste=None, rowfile=None,
                   sources_form=None) -> dict:  # fmt: skip
    """`comments`: the open comments by row (workflow.open_comments); `panel` on the whole page;
    `paste`: the 粘贴指标 box's content (views.pasting); `rowfile`: 导入指标's (views.rowfiles)."""
    review = review_document(table)
    problems = review.by_target(HEADER_FIELDS)
    goal_forms = goal_forms or {}
    goals = [
        {"goal": g, "form": goal_forms.get(g.pk) or f.GoalForm(initial={"text": g.text, "version": g.version}),
         "problems": problems["goal"].get(g.pk, []), "comments": comments.get(("goal", g.pk), [])}
        for g in table.goals.all()
    ]  # fmt: skip
    return {
        "table": table,
        "editable": editable,
        "panel": panel,
        "header": header_form or f.HeaderForm(instance=table),
        "sources": sources_form or sources_of(table),
        "goals": goals,
        "new_goal": goal_forms.get("new") or f.GoalForm(),
        "groups": editor_groups(table, level2_choices(table.framework), problems, comments, bound, add),
        "problems": problems,
        "summary": review,
        "checklist": table_checklist(table),
        "saved": saved,
        "notes": notes or {},
        "paste": paste or {},
        "rowfile": rowfile or {},
        "units_list": f.UNIT_SUGGESTIONS,
        "phrases": f.PHRASE_SUGGESTIONS,
    }


def page(request, table, *, editable: bool | None = None, **ctx_kwargs):
    """The whole editor page (`editable` is known after an edit's lookup)."""
    if editable is None:
        editable = can(request.user, "edit", table)
    panel = workflow.document_panel(table, request.user)
    ctx = editor_context(table, editable=editable, comments=panel["rows"], panel=panel, **ctx_kwargs)
    return render(request, "goals/edit.html", ctx)


def _shown_comments(table, partial: str) -> dict:
    """The open comments by row, read only when the part of the page shows rows."""
    shows_rows = {"goals": table.goals.all, "grid": table.indicators.all}.get(partial)
    return workflow.open_comments(table)["rows"] if shows_rows and shows_rows() else {}


def respond(request, table, partial: str, ctx_kwargs: dict, *, target: str = "", status: int = 200):
    """After a change: the part of the editor that changed (htmx) or the whole page.

    Without JavaScript a saved change redirects back to the editor; an invalid one
    renders the whole editor with the errors and the typed text in place.
    """
    invalid = any(ctx_kwargs.get(k) for k in ("header_form", "goal_forms", "bound"))
    if not request.htmx and not invalid:
        return redirect(f"{table.get_absolute_url()}#{target or partial}")
    table = tables().get(pk=table.pk)  # fresh, so problems and order reflect the change
    if not request.htmx:
        response = page(request, table, editable=True, **ctx_kwargs)
        response.status_code = status
        return response
    ctx = editor_context(table, editable=True, comments=_shown_comments(table, partial), **ctx_kwargs)
    response = with_summary(request, f"goals/edit.html#{partial}", ctx)
    response.status_code = status
    if target:
        response = reswap(retarget(response, f"#{target}"), "outerHTML")
    return response


def row_response(request, table, bound, *, target: str, indicator_pk: int | None = None, whole_grid: bool = False,
                 current: bool = False):  # fmt: skip
    """One row (its saved state, its errors or its conflict: 409) and the summary; the whole grid
    when rows moved. `current`: `table` with its prefetched rows already reflects the change (a
    row saved in place), so it is not read again."""
    status = 409 if any(getattr(v, "conflict", None) for v in bound.values()) else 200
    if whole_grid or not request.htmx:
        return respond(request, table, "grid", {"bound": bound, "saved": "grid"}, target="grid" if request.htmx else "",
                       status=status)  # fmt: skip
    if not current:
        table = tables().get(pk=table.pk)  # fresh: the problems reflect the change
    review = review_document(table)
    problems = review.by_target(HEADER_FIELDS)
    choices = level2_choices(table.framework)
    if indicator_pk:
        comments = workflow.open_comments(table, ("indicator", indicator_pk))["rows"]
        row = indicator_row(table, one_of(table.indicators.all(), indicator_pk), choices, problems, comments,
                            bound.get(indicator_pk))  # fmt: skip
    else:
        (_, level2), (form, prefix) = next(iter(bound.items()))
        row = new_row(table, level2, choices, form, prefix)
    ctx = {"table": table, "editable": True, "problems": problems, "summary": review, "checklist": table_checklist(table)}
    row["saved"] = not row["form"].errors
    response = with_summary(request, "goals/edit.html#row", {**ctx, "row": row})
    response.status_code = status
    return reswap(retarget(response, f"#{target}"), "outerHTML")
