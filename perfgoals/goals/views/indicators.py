"""The editor's indicator rows (三级指标): add, save, move, delete, fill from a template, suggest."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from perfgoals.frameworks.models import Level2
from perfgoals.goals import forms as f
from perfgoals.goals import suggest
from perfgoals.goals.models import Indicator
from perfgoals.goals.views.common import (
    editing, level2_choices, move, no_room, one_of, row_prefix, save_row, tables, to_int,
)  # fmt: skip
from perfgoals.goals.views.editor import new_row, row_response
from perfgoals.review.rules import INDICATOR, review_table


def _next_order(table) -> int:
    return (table.indicators.aggregate(m=Max("order"))["m"] or 0) + 1


@login_required
@require_GET
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    """添加指标: an empty row under one level-2 category (htmx), or the page with it (no JS)."""
    with editing(request, "table", pk, tables()) as table:
        pass  # nothing is written: the row is saved by indicator_create
    level2 = to_int(request.GET.get("level2"))
    if not request.htmx:
        return redirect(f"{table.get_absolute_url()}?add={level2}#add-{level2}")
    row = new_row(table, level2, level2_choices(table.framework))
    return render(request, "goals/edit.html#row", {"row": row, "table": table, "editable": True})


@login_required
@require_POST
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    prefix = row_prefix(request.POST.get("prefix"), "new")
    with editing(request, "table", pk, tables()) as table:
        form = f.IndicatorForm(request.POST, level2_choices=level2_choices(table.framework))
        if form.is_valid() and (full := no_room(table)):
            form.add_error("name", full)
        if form.is_valid():
            indicator = Indicator(table=table, order=_next_order(table))
            form.apply(indicator)
            indicator.save()
    if not form.is_valid():
        level2 = to_int(request.POST.get("level2"))
        return row_response(request, table, {("new", level2): (form, prefix)}, target=prefix)
    return row_response(request, table, {}, target=prefix, indicator_pk=indicator.pk)


@login_required
@require_POST
def indicator_update(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        indicator = one_of(table.indicators.all(), indicator_pk)
        old_level2 = indicator.level2_id
        form = f.IndicatorForm(request.POST, level2_choices=level2_choices(table.framework))
        if form.is_valid():
            def apply(target, form):
                form.apply(target)
                if target.level2_id != old_level2:  # moved to another category: goes last there
                    target.order = _next_order(table)

            save_row(request, indicator, form, apply)
    target = f"ind-{indicator.pk}"
    # The row was changed in place in the table's prefetched rows: the table is current.
    if not form.is_valid() or form.conflict:
        return row_response(request, table, {indicator.pk: form}, target=target, indicator_pk=indicator.pk, current=True)
    moved = indicator.level2_id != old_level2
    return row_response(request, table, {}, target=target, indicator_pk=indicator.pk, whole_grid=moved, current=True)


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        one_of(table.indicators.all(), indicator_pk).delete()
    return row_response(request, table, {}, target="grid", whole_grid=True)


@login_required
@require_POST
def indicator_move(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        indicator = one_of(table.indicators.all(), indicator_pk)
        siblings = [i for i in table.indicators.all() if i.level2_id == indicator.level2_id]
        move(siblings, indicator, request.POST.get("direction", "up"))
    return row_response(request, table, {}, target="grid", whole_grid=True)


@login_required
@require_POST
def indicator_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """指标推荐: fill a row from a template indicator in one click (saves it)."""
    prefix = row_prefix(request.POST.get("prefix"))
    with editing(request, "table", pk, tables()) as table:
        source = get_object_or_404(Indicator.objects.filter(table__is_template=True), pk=to_int(request.POST.get("source")))
        if indicator_pk := to_int(request.POST.get("indicator")):
            indicator = one_of(table.indicators.all(), indicator_pk)
        else:
            level2 = to_int(request.POST.get("level2"))
            if level2 not in [l2.pk for l2 in table.framework.level2_list()]:
                raise Http404
            if full := no_room(table):  # nothing written; the editor shows this in its banner
                return HttpResponse(full, status=422, content_type="text/plain; charset=utf-8")
            indicator = Indicator(table=table, level2_id=level2, order=_next_order(table))
        faulty_description = own_faults(source.table).get(source.pk, set()) & DESCRIPTION_FAULTS
        indicator.name, indicator.basis = source.name, source.basis
        indicator.description = "" if faulty_description else source.description
        indicator.basis_category = source.basis_category
        indicator.value = source.value
        indicator.save()
    return row_response(request, table, {}, target=prefix or f"ind-{indicator.pk}", indicator_pk=indicator.pk)


# A template indicator whose only fault is its description is offered without it (the clerk
# writes one); any other fault of its own (its unit is its name, it sits in the wrong category…)
# keeps it out of the suggestions, so adopting one never brings the review's flag with it.
DESCRIPTION_FAULTS = {"TEXT_DESCRIPTION_IS_NAME", "TEXT_TOO_SHORT"}


@login_required
@require_GET
def indicator_suggest(request: HttpRequest) -> HttpResponse:
    """Template-library indicators that share words or characters with what is typed
    (goals.suggest), those of the same level-2 category first; none the review would flag
    once adopted, none the table already has."""
    q = request.GET.get("name", "").strip()[:100]
    level2 = Level2.objects.filter(pk=to_int(request.GET.get("level2"))).first()
    suggestions = []
    if q and level2:
        found = Indicator.objects.filter(table__is_template=True).select_related("table", "level2")
        ranked = suggest.rank(q, found, bonus=lambda i: i.level2.name == level2.name)
        taken = set(Indicator.objects.filter(table_id=to_int(request.GET.get("table"))).values_list("name", flat=True))
        seen, faults = set(), {}
        for s in ranked:
            if (s.name, s.value_display) in seen or s.name in taken:
                continue
            if s.table_id not in faults:
                faults[s.table_id] = own_faults(s.table)
            codes = faults[s.table_id].get(s.pk, set())
            if codes - DESCRIPTION_FAULTS:
                continue
            s.without_description = bool(codes)
            seen.add((s.name, s.value_display))
            suggestions.append(s)
            if len(suggestions) == 5:
                break
    ctx = {
        "suggestions": suggestions, "q": q, "prefix": row_prefix(request.GET.get("prefix")),
        "indicator_id": to_int(request.GET.get("indicator")), "level2_id": level2.pk if level2 else None,
        "level2_name": level2.name if level2 else "", "table_id": to_int(request.GET.get("table")),
    }  # fmt: skip
    return render(request, "goals/edit.html#suggestions", ctx)


def own_faults(table) -> dict[int, set[str]]:
    """The problem codes the review finds on each indicator of a (template) table."""
    faults: dict[int, set[str]] = {}
    for p in review_table(tables().get(pk=table.pk)):
        if p.target == INDICATOR:
            faults.setdefault(p.object_id, set()).add(p.code)
    return faults


@login_required
@require_POST
def value_preview(request: HttpRequest) -> HttpResponse:
    """打印为 …: the printed form of the value being typed (`≥20项`) and why it cannot be read."""
    printed, note = f.preview_value(request.POST)
    ctx = {"p": request.POST.get("prefix", "")[:40], "printed": printed, "note": note}
    return render(request, "goals/_printed.html", ctx)
