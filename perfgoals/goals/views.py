"""Pages where clerks write goal tables and department plans.

Every page works as plain form posts; with htmx the same views answer with the part
of the page that changed (`edit.html#row`, `#grid`, …). Every object is found through
`perfgoals.units.access`: another unit's table is not found (404), a table that may
not be changed (submitted, approved, or a role without 填报) is refused (403).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget, reswap

from perfgoals.frameworks.models import Framework, Level1, Level2
from perfgoals.goals import forms as f
from perfgoals.goals import grid
from perfgoals.goals.copying import copy_plan, copy_table
from perfgoals.goals.values import QUANTITATIVE
from perfgoals.goals.models import (
    DepartmentIndicator,
    DepartmentPlan,
    FundingLine,
    Goal,
    Indicator,
    PlanItem,
    ProjectTable,
)
from perfgoals.review.rules import FIELD, GOAL, INDICATOR, PLAN_ITEM, review_plan, review_table, summarize
from perfgoals.goals.access import can, get_document_for_user
from perfgoals.units.access import is_admin, restrict, roles_for
from perfgoals.units.models import Membership, Unit

# ---------------------------------------------------------------- access


def _levels() -> Prefetch:
    return Prefetch("framework__levels1", queryset=Level1.objects.prefetch_related("levels2"))


def _tables():
    """Tables with everything the editor, the preview and the review rules read."""
    return ProjectTable.objects.select_related("unit", "framework").prefetch_related(
        _levels(),
        Prefetch("indicators", queryset=Indicator.objects.select_related("level2__level1")),
        "goals",
    )


def _plans():
    return DepartmentPlan.objects.select_related("unit", "framework").prefetch_related(
        _levels(),
        "items",
        Prefetch("indicators", queryset=DepartmentIndicator.objects.select_related("level1", "level2")),
        "funding_lines",
    )


def _get_document(request: HttpRequest, queryset, pk: int, *, write: bool = False):
    """The table or plan if the user may read it (templates are readable by everyone signed in).

    With `write`, also refuse (403) when the user is not a clerk of its unit or it is
    not a draft or returned.
    """
    if not write:
        return get_document_for_user(request, queryset.model.kind, pk, "view", queryset)
    with transaction.atomic():  # interim: the edit views take the lock for their whole write next
        return get_document_for_user(request, queryset.model.kind, pk, "edit", queryset)


def _can_edit(user, obj) -> bool:
    return can(user, "edit", obj)


def _clerk_units(user) -> list[Unit]:
    """Units where the user may create tables."""
    if is_admin(user):
        return list(Unit.objects.all())
    return list(Unit.objects.filter(memberships__user=user, memberships__role=Membership.CLERK).distinct())


def _this_year() -> int:
    return date.today().year


def _int(text, default=None):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- home and library


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    year = _int(request.GET.get("year"), _this_year())
    q = request.GET.get("q", "").strip()
    own_tables = restrict(ProjectTable.objects.filter(is_template=False), request.user)
    own_plans = restrict(DepartmentPlan.objects.filter(is_template=False), request.user)
    tables = _tables().filter(pk__in=own_tables.filter(year=year).values("pk"))
    if q:
        tables = tables.filter(Q(project_name__icontains=q) | Q(project_code__icontains=q))
    plans = _plans().filter(pk__in=own_plans.filter(year=year).values("pk"))
    for doc in [*tables, *plans]:
        doc.summary = summarize(review_table(doc) if isinstance(doc, ProjectTable) else review_plan(doc))
    years = set(own_tables.values_list("year", flat=True)) | set(own_plans.values_list("year", flat=True))
    years |= {_this_year(), _this_year() + 1, year}
    ctx = {"tables": tables, "plans": plans, "year": year, "years": sorted(years, reverse=True), "q": q}
    return render(request, "goals/home.html", ctx)


@login_required
@require_GET
def template_library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    unit_id = _int(request.GET.get("unit"))
    framework_id = _int(request.GET.get("framework"))
    tables = ProjectTable.objects.filter(is_template=True).select_related("unit", "framework")
    if q:
        tables = tables.filter(Q(project_name__icontains=q) | Q(indicators__name__icontains=q)).distinct()
    if unit_id:
        tables = tables.filter(unit_id=unit_id)
    if framework_id:
        tables = tables.filter(framework_id=framework_id)
    plans = DepartmentPlan.objects.filter(is_template=True).select_related("unit")
    if unit_id:
        plans = plans.filter(unit_id=unit_id)
    ctx = {
        "tables": tables, "plans": plans, "q": q, "unit_id": unit_id, "framework_id": framework_id,
        "units": Unit.objects.filter(projecttable__is_template=True).distinct(),
        "frameworks": Framework.objects.filter(kind=Framework.PROJECT),
        "copy_form": f.CopyForm(initial={"year": _this_year()}, units=_clerk_units(request.user)),
    }  # fmt: skip
    return render(request, "goals/library.html", ctx)


# ---------------------------------------------------------------- new tables


def _new_page(request: HttpRequest, form: f.NewTableForm, status: int = 200) -> HttpResponse:
    earlier = restrict(ProjectTable.objects.filter(is_template=False), request.user)
    earlier = earlier.select_related("unit").order_by("-year", "position", "id")[:50]
    framework_id = _int(form["framework"].value())
    framework = _frameworks().filter(pk=framework_id).first() or _frameworks().first()
    ctx = {
        "form": form, "earlier": earlier, "framework": framework, "this_year": _this_year(),
        "templates_count": ProjectTable.objects.filter(is_template=True).count(),
    }  # fmt: skip
    return render(request, "goals/new.html", ctx, status=status)


def _frameworks():
    return Framework.objects.filter(kind=Framework.PROJECT).prefetch_related("levels1__levels2")


@login_required
def table_new(request: HttpRequest) -> HttpResponse:
    """新建项目绩效目标表: blank (from a framework's skeleton); the other two ways post elsewhere."""
    units, frameworks = _clerk_units(request.user), list(_frameworks())
    if request.method != "POST":
        initial = {"year": _this_year(), "framework": frameworks[0].pk if frameworks else None}
        return _new_page(request, f.NewTableForm(initial=initial, units=units, frameworks=frameworks))
    form = f.NewTableForm(request.POST, units=units, frameworks=frameworks)
    if form.is_valid():
        data = form.cleaned_data
        try:
            f.check_unique_code(ProjectTable.objects, data["unit"], data["year"], data["project_code"])
        except ValidationError as e:
            form.add_error("project_code", e)
    if not form.is_valid():
        return _new_page(request, form)
    table = ProjectTable.objects.create(
        unit_id=data["unit"], year=data["year"], framework_id=data["framework"],
        project_name=data["project_name"].strip(), project_code=data["project_code"].strip(),
    )  # fmt: skip
    messages.success(request, "已新建项目绩效目标表，请逐项填写。")
    return redirect(table)


@login_required
@require_GET
def framework_skeleton(request: HttpRequest) -> HttpResponse:
    framework = _frameworks().filter(pk=_int(request.GET.get("framework"))).first()
    return render(request, "goals/new.html#skeleton", {"framework": framework})


def _copy_into(request: HttpRequest, source, copier, units: list[Unit], code_check):
    """Validate the destination (unit, year), copy, and open the copy in the editor."""
    form = f.CopyForm(request.POST, units=units)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return None
    unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
    if Membership.CLERK not in roles_for(request.user, unit):
        raise PermissionDenied
    try:
        code_check(unit, form.cleaned_data["year"])
    except ValidationError as e:
        messages.error(request, e.messages[0])
        return None
    return copier(source, unit=unit, year=form.cleaned_data["year"], user=request.user)


@login_required
@require_POST
def table_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """从模板新建 (a template, into one of the user's units) or 复制上年 (the unit's own table)."""
    source = _get_document(request, ProjectTable.objects.select_related("unit"), pk)
    units = _clerk_units(request.user) if source.is_template else [source.unit]

    def code_check(unit, year):
        if not source.is_template:
            f.check_unique_code(ProjectTable.objects, unit.pk, year, source.project_code)

    table = _copy_into(request, source, copy_table, units, code_check)
    if table is None:
        return redirect("template_library" if source.is_template else "table_new")
    messages.success(request, f"已由“{source.project_name}”复制，请核对并修改。")
    return redirect(table)


# ---------------------------------------------------------------- the editor

KIND_CHOICES = f.ValueForm.base_fields["value_kind"].choices
OPERATOR_CHOICES = f.ValueForm.base_fields["operator"].choices


def _level2_choices(framework) -> list:
    """Level-2 choices grouped by level 1; the same list object for a framework, so options cache."""
    key = (framework.pk, tuple((l1.pk, l1.name, tuple((l2.pk, l2.name) for l2 in l1.levels2.all())) for l1 in framework.levels1.all()))
    if key not in _CHOICES_CACHE:
        _CHOICES_CACHE[key] = [(name, list(l2s)) for _, name, l2s in key[1]]
    return _CHOICES_CACHE[key]


_CHOICES_CACHE: dict = {}


def _problems(problems, shown_fields=()) -> dict:
    """Problems split by what they point at, for showing each beside its field or row.

    A problem about a field the page does not show goes to the summary at the top.
    """
    by = {"field": {}, "goal": {}, "indicator": {}, "plan_item": {}, "table": []}
    for p in problems:
        if p.target == FIELD and p.field in shown_fields:
            by["field"].setdefault(p.field, []).append(p)
        elif p.target in (GOAL, INDICATOR, PLAN_ITEM):
            by[p.target].setdefault(p.object_id, []).append(p)
        else:
            by["table"].append(p)
    return by


def _options(choices, selected) -> str:
    """<option>s of a select, built once per choice list and selection (not per row in the template)."""
    key = (_freeze(choices), str(selected if selected is not None else ""))
    if key not in _OPTIONS_CACHE:
        if len(_OPTIONS_CACHE) > 1000:
            _OPTIONS_CACHE.clear()
        parts = []
        for value, label in choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, _options(label, selected)))
            else:
                chosen = " selected" if str(value) == key[1] else ""
                parts.append(format_html('<option value="{}"{}>{}</option>', value, chosen, label))
        _OPTIONS_CACHE[key] = mark_safe("".join(parts))
    return _OPTIONS_CACHE[key]


_OPTIONS_CACHE: dict = {}


def _freeze(choices) -> tuple:
    return tuple((v, _freeze(label) if isinstance(label, (list, tuple)) else label) for v, label in choices)


def _with_options(row: dict) -> dict:
    form = row["form"]
    row["level2_options"] = _options(form.fields["level2"].choices, form["level2"].value())
    row["kind_options"] = _options(KIND_CHOICES, form["value_kind"].value())
    row["operator_options"] = _options(OPERATOR_CHOICES, form["operator"].value())
    return row


def _row(table, indicator, choices, problems, form=None, saved=False) -> dict:
    return _with_options({
        "indicator": indicator,
        "form": form or f.IndicatorForm.for_indicator(indicator, choices),
        "prefix": f"ind-{indicator.pk}",
        "level1_name": indicator.level2.level1.name,
        "action": reverse("indicator_update", args=[table.pk, indicator.pk]),
        "problems": problems["indicator"].get(indicator.pk, []),
        "saved": saved,
    })


def _new_row(table, level2_id, choices, form=None, prefix="") -> dict:
    return _with_options({
        "indicator": None,
        "form": form or f.IndicatorForm(initial={"level2": level2_id, "value_kind": QUANTITATIVE}, level2_choices=choices),
        "prefix": prefix or f"new-{level2_id}-{uuid.uuid4().hex[:6]}",
        "level1_name": next((l1 for l1, opts in choices for v, _ in opts if v == level2_id), ""),
        "action": reverse("indicator_create", args=[table.pk]),
        "problems": [],
        "saved": False,
    })


def _grid(table, choices, problems, bound: dict | None = None, add: int | None = None) -> list[dict]:
    """Level 1 → level 2 → rows, every level 2 of the framework present so rows can be added anywhere."""
    bound = bound or {}
    by_level2: dict[int, list] = {}
    for indicator in table.indicators.all():
        by_level2.setdefault(indicator.level2_id, []).append(indicator)
    groups = []
    for level1 in table.framework.levels1.all():
        level2s = []
        for level2 in level1.levels2.all():
            rows = [_row(table, i, choices, problems, bound.get(i.pk)) for i in by_level2.get(level2.pk, [])]
            if bound.get(("new", level2.pk)):
                form, prefix = bound[("new", level2.pk)]
                rows.append(_new_row(table, level2.pk, choices, form, prefix))
            elif add == level2.pk or (not rows and table.framework.prints_every_level2):
                rows.append(_new_row(table, level2.pk, choices))
            level2s.append({"level2": level2, "rows": rows})
        groups.append({"level1": level1, "level2s": level2s})
    return groups


def _editor_context(request, table, *, header_form=None, goal_forms=None, bound=None, add=None, saved="") -> dict:
    problems = _problems(review_table(table), f.HeaderForm.Meta.fields)
    choices = _level2_choices(table.framework)
    goal_forms = goal_forms or {}
    goals = [
        {"goal": g, "form": goal_forms.get(g.pk) or f.GoalForm(initial={"text": g.text}),
         "problems": problems["goal"].get(g.pk, [])}
        for g in table.goals.all()
    ]  # fmt: skip
    return {
        "table": table,
        "editable": _can_edit(request.user, table),
        "header": header_form or f.HeaderForm(instance=table),
        "goals": goals,
        "new_goal": goal_forms.get("new") or f.GoalForm(),
        "groups": _grid(table, choices, problems, bound, add),
        "problems": problems,
        "summary": _summary(problems),
        "saved": saved,
        "units_list": f.UNIT_SUGGESTIONS,
        "phrases": f.PHRASE_SUGGESTIONS,
    }


def _summary(by: dict):
    flat = [p for p in by["table"]]
    for group in ("field", "goal", "indicator", "plan_item"):
        for items in by[group].values():
            flat.extend(items)
    return summarize(flat)


@login_required
@require_GET
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk)
    ctx = _editor_context(request, table, add=_int(request.GET.get("add")))
    return render(request, "goals/edit.html", ctx)


def _respond(request, table, partial: str, ctx_kwargs: dict, *, target: str = ""):
    """After a change: the part of the editor that changed (htmx) or the whole page.

    Without JavaScript a saved change redirects back to the editor; an invalid one
    renders the whole editor with the errors and the typed text in place.
    """
    invalid = any(ctx_kwargs.get(k) for k in ("header_form", "goal_forms", "bound"))
    if not request.htmx and not invalid:
        return redirect(f"{table.get_absolute_url()}#{target or partial}")
    table = _tables().get(pk=table.pk)  # fresh, so problems and order reflect the change
    ctx = _editor_context(request, table, **ctx_kwargs)
    if not request.htmx:
        return render(request, "goals/edit.html", ctx)
    response = _with_summary(request, f"goals/edit.html#{partial}", ctx)
    if target:
        response = reswap(retarget(response, f"#{target}"), "outerHTML")
    return response


def _with_summary(request, template: str, ctx: dict) -> HttpResponse:
    """The changed part, and the review summary swapped out of band (its counts change too)."""
    html = render_to_string(template, ctx, request)
    html += render_to_string("goals/_summary.html", {**ctx, "oob": True}, request)
    return HttpResponse(html)


@login_required
@require_POST
def table_header(request: HttpRequest, pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    form = f.HeaderForm(request.POST, instance=table)
    if not form.is_valid():
        return _respond(request, table, "header", {"header_form": form})
    with transaction.atomic():
        form.save()
    return _respond(request, table, "header", {"saved": "header"})


@login_required
@require_POST
def table_header_check(request: HttpRequest, pk: int) -> HttpResponse:
    """As the clerk types: the computed total and whether the spending plan is right (nothing saved)."""
    table = _get_document(request, ProjectTable.objects.all(), pk)
    form = f.HeaderForm(request.POST, instance=ProjectTable(pk=table.pk, unit_id=table.unit_id, year=table.year))
    form.is_valid()
    return render(request, "goals/edit.html#header_check", {"header": form})


@login_required
@require_POST
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    form = f.GoalForm(request.POST)
    if not form.is_valid():
        return _respond(request, table, "goals", {"goal_forms": {"new": form}})
    order = (table.goals.aggregate(m=Max("order"))["m"] or 0) + 1
    Goal.objects.create(table=table, text=form.cleaned_data["text"].strip(), order=order)
    return _respond(request, table, "goals", {"saved": "goals"})


def _one_of(rows, pk: int):
    """One row (goal, indicator, plan item) of a document, from its prefetched rows, or 404."""
    for row in rows:
        if row.pk == pk:
            return row
    raise Http404


@login_required
@require_POST
def goal_update(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    goal = _one_of(table.goals.all(), goal_pk)
    form = f.GoalForm(request.POST)
    if not form.is_valid():
        return _respond(request, table, "goals", {"goal_forms": {goal.pk: form}})
    goal.text = form.cleaned_data["text"].strip()
    goal.save()
    return _respond(request, table, "goals", {"saved": "goals"})


@login_required
@require_POST
def goal_delete(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    _one_of(table.goals.all(), goal_pk).delete()
    return _respond(request, table, "goals", {"saved": "goals"})


def _move(items: list, obj, direction: str) -> None:
    """Move `obj` one place up or down among `items`, renumbering them 1..n."""
    items = list(items)
    i = items.index(obj)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    with transaction.atomic():
        for n, item in enumerate(items, start=1):
            if item.order != n:
                item.order = n
                item.save(update_fields=["order"])


@login_required
@require_POST
def goal_move(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    _move(table.goals.all(), _one_of(table.goals.all(), goal_pk), request.POST.get("direction", "up"))
    return _respond(request, table, "goals", {"saved": "goals"})


@login_required
@require_GET
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    """添加指标: an empty row under one level-2 category (htmx), or the page with it (no JS)."""
    table = _get_document(request, _tables(), pk, write=True)
    level2 = _int(request.GET.get("level2"))
    if not request.htmx:
        return redirect(f"{table.get_absolute_url()}?add={level2}#add-{level2}")
    row = _new_row(table, level2, _level2_choices(table.framework))
    ctx = {"row": row, "table": table, "editable": True}
    return render(request, "goals/edit.html#row", ctx)


@login_required
@require_POST
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    choices = _level2_choices(table.framework)
    form = f.IndicatorForm(request.POST, level2_choices=choices)
    prefix = request.POST.get("prefix", "")[:40] or "new"
    if not form.is_valid():
        level2 = _int(request.POST.get("level2"))
        return _row_response(request, table, {("new", level2): (form, prefix)}, target=prefix)
    indicator = Indicator(table=table, order=(table.indicators.aggregate(m=Max("order"))["m"] or 0) + 1)
    with transaction.atomic():
        form.apply(indicator)
        indicator.save()
    return _row_response(request, table, {}, target=prefix, indicator_pk=indicator.pk)


def _row_response(request, table, bound, *, target: str, indicator_pk: int | None = None, grid: bool = False):
    """One row (its saved state or its errors) and the summary; the whole grid when rows moved."""
    if grid or not request.htmx:
        return _respond(request, table, "grid", {"bound": bound, "saved": "grid"}, target="grid" if request.htmx else "")
    table = _tables().get(pk=table.pk)  # fresh: the problems reflect the change
    problems = _problems(review_table(table), f.HeaderForm.Meta.fields)
    choices = _level2_choices(table.framework)
    if indicator_pk:
        row = _row(table, _one_of(table.indicators.all(), indicator_pk), choices, problems, bound.get(indicator_pk))
    else:
        (_, level2), (form, prefix) = next(iter(bound.items()))
        row = _new_row(table, level2, choices, form, prefix)
    ctx = {"table": table, "editable": True, "problems": problems, "summary": _summary(problems)}
    row["saved"] = not row["form"].errors
    response = _with_summary(request, "goals/edit.html#row", {**ctx, "row": row})
    return reswap(retarget(response, f"#{target}"), "outerHTML")


@login_required
@require_POST
def indicator_update(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    indicator = _one_of(table.indicators.all(), indicator_pk)
    old_level2 = indicator.level2_id
    form = f.IndicatorForm(request.POST, level2_choices=_level2_choices(table.framework))
    if not form.is_valid():
        return _row_response(request, table, {indicator.pk: form}, target=f"ind-{indicator.pk}", indicator_pk=indicator.pk)
    with transaction.atomic():
        form.apply(indicator)
        if indicator.level2_id != old_level2:  # moved to another category: goes last there
            indicator.order = (table.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
        indicator.save()
    moved = indicator.level2_id != old_level2
    return _row_response(request, table, {}, target=f"ind-{indicator.pk}", indicator_pk=indicator.pk, grid=moved)


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    _one_of(table.indicators.all(), indicator_pk).delete()
    return _row_response(request, table, {}, target="grid", grid=True)


@login_required
@require_POST
def indicator_move(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk, write=True)
    indicator = _one_of(table.indicators.all(), indicator_pk)
    siblings = [i for i in table.indicators.all() if i.level2_id == indicator.level2_id]
    _move(siblings, indicator, request.POST.get("direction", "up"))
    return _row_response(request, table, {}, target="grid", grid=True)


@login_required
@require_POST
def indicator_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """指标推荐: fill a row from a template indicator in one click (saves it)."""
    table = _get_document(request, _tables(), pk, write=True)
    source = get_object_or_404(Indicator.objects.filter(table__is_template=True), pk=_int(request.POST.get("source")))
    prefix = request.POST.get("prefix", "")[:40]
    if indicator_pk := _int(request.POST.get("indicator")):
        indicator = _one_of(table.indicators.all(), indicator_pk)
    else:
        level2 = _int(request.POST.get("level2"))
        if level2 not in [l2.pk for l2 in table.framework.level2_list()]:
            raise Http404
        order = (table.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
        indicator = Indicator(table=table, level2_id=level2, order=order)
    indicator.name, indicator.description, indicator.basis = source.name, source.description, source.basis
    indicator.basis_category = source.basis_category
    indicator.value = source.value
    with transaction.atomic():
        indicator.save()
    return _row_response(request, table, {}, target=prefix or f"ind-{indicator.pk}", indicator_pk=indicator.pk)


@login_required
@require_GET
def indicator_suggest(request: HttpRequest) -> HttpResponse:
    """Template-library indicators under the same level-2 category whose name matches what is typed."""
    q = request.GET.get("name", "").strip()
    level2 = Level2.objects.filter(pk=_int(request.GET.get("level2"))).first()
    suggestions = []
    if q and level2:
        found = (
            Indicator.objects.filter(table__is_template=True, level2__name=level2.name)
            .filter(Q(name__icontains=q) | Q(description__icontains=q))
            .select_related("table")[:20]
        )
        seen = set()
        for s in found:
            if (s.name, s.value_display) not in seen:
                seen.add((s.name, s.value_display))
                suggestions.append(s)
    ctx = {
        "suggestions": suggestions[:5], "q": q, "prefix": request.GET.get("prefix", "")[:40],
        "indicator_id": _int(request.GET.get("indicator")), "level2_id": level2.pk if level2 else None,
        "table_id": _int(request.GET.get("table")),
    }  # fmt: skip
    return render(request, "goals/edit.html#suggestions", ctx)


@login_required
@require_POST
def value_preview(request: HttpRequest) -> HttpResponse:
    """The printed form of the value being typed (`≥20项`), shown beside the inputs."""
    return HttpResponse(f.preview_value(request.POST) or "—", content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- preview


@login_required
@require_GET
def table_preview(request: HttpRequest, pk: int) -> HttpResponse:
    table = _get_document(request, _tables(), pk)
    ctx = {"table": table, "blocks": grid.printed_rows(grid.table_groups(table)), "split": table.framework.value_layout == "split"}
    return render(request, "goals/preview.html", ctx)


# ---------------------------------------------------------------- department plans

# The editable lists of a plan: section → (model, form, filter, what a new one gets).
PLAN_SECTIONS = {
    "sub_goal": (PlanItem, f.PlanItemForm, {"kind": PlanItem.SUB_GOAL}),
    "safeguard": (PlanItem, f.PlanItemForm, {"kind": PlanItem.SAFEGUARD}),
    "long_term": (DepartmentIndicator, f.DepartmentIndicatorForm, {"horizon": DepartmentIndicator.LONG_TERM}),
    "annual": (DepartmentIndicator, f.DepartmentIndicatorForm, {"horizon": DepartmentIndicator.ANNUAL}),
    "income": (FundingLine, f.FundingLineForm, {"kind": FundingLine.INCOME}),
    "expense": (FundingLine, f.FundingLineForm, {"kind": FundingLine.EXPENSE}),
}
SECTION_TITLES = {
    "sub_goal": "分项绩效目标", "safeguard": "工作保障措施", "long_term": "长期绩效指标",
    "annual": "年度绩效指标", "income": "收入构成", "expense": "支出构成",
}  # fmt: skip


def _plan_children(plan, section: str) -> list:
    model, _, match = PLAN_SECTIONS[section]
    source = {PlanItem: plan.items, DepartmentIndicator: plan.indicators, FundingLine: plan.funding_lines}[model]
    return [obj for obj in source.all() if all(getattr(obj, k) == v for k, v in match.items())]


def _child_form(section: str, obj, choices, data=None):
    _, form_class, _ = PLAN_SECTIONS[section]
    if form_class is f.DepartmentIndicatorForm:
        return form_class.for_indicator(obj, choices, data) if obj else form_class(data, level2_choices=choices)
    if data is not None:
        return form_class(data)
    if obj is None:
        return form_class()
    return form_class(initial={name: getattr(obj, name, "") for name in form_class.base_fields})


def _plan_sections(plan, problems, bound: dict) -> list[dict]:
    choices = _level2_choices(plan.framework) if plan.framework else []
    sections = []
    for section in PLAN_SECTIONS:
        rows = []
        for obj in _plan_children(plan, section):
            form = bound.get((section, obj.pk)) or _child_form(section, obj, choices)
            rows.append({"obj": obj, "form": form, "prefix": f"{section}-{obj.pk}",
                         "problems": problems["plan_item"].get(obj.pk, []) if section in ("sub_goal", "safeguard") else []})
        new = bound.get((section, None)) or _child_form(section, None, choices)
        sections.append({"key": section, "title": SECTION_TITLES[section], "rows": rows, "new": new,
                         "shape": PLAN_SECTIONS[section][0].__name__.lower()})
    return sections


def _plan_context(request, plan, *, main_form=None, bound=None, saved="") -> dict:
    problems = _problems(review_plan(plan), f.PlanForm.Meta.fields)
    sections = {s["key"]: s for s in _plan_sections(plan, problems, bound or {})}
    return {
        "plan": plan, "editable": _can_edit(request.user, plan), "main": main_form or f.PlanForm(instance=plan),
        "sections": sections, "problems": problems, "summary": _summary(problems), "saved": saved,
        "hubei": bool(plan.framework_id) or bool(plan.functions or plan.contact_person) or bool(sections["income"]["rows"]),
        "units_list": f.UNIT_SUGGESTIONS, "phrases": f.PHRASE_SUGGESTIONS,
    }  # fmt: skip


@login_required
@require_GET
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_document(request, _plans(), pk)
    return render(request, "goals/plan_edit.html", _plan_context(request, plan))


def _plan_respond(request, plan, partial: str, ctx_kwargs: dict, *, invalid: bool = False):
    if not request.htmx and not invalid:
        return redirect(f"{plan.get_absolute_url()}#{partial}")
    plan = _plans().get(pk=plan.pk)
    ctx = _plan_context(request, plan, **ctx_kwargs)
    if not request.htmx:
        return render(request, "goals/plan_edit.html", ctx)
    if partial.startswith("sec-"):
        ctx["section"] = ctx["sections"][partial.removeprefix("sec-")]
        partial = "section"
    return _with_summary(request, f"goals/plan_edit.html#{partial}", ctx)


@login_required
@require_POST
def plan_main(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_document(request, _plans(), pk, write=True)
    form = f.PlanForm(request.POST, instance=plan)
    if not form.is_valid():
        return _plan_respond(request, plan, "main", {"main_form": form}, invalid=True)
    with transaction.atomic():
        form.save()
    return _plan_respond(request, plan, "main", {"saved": "main"})


def _section(kind: str) -> str:
    if kind not in PLAN_SECTIONS:
        raise Http404
    return kind


def _save_child(plan, section: str, obj, form) -> None:
    model, _, match = PLAN_SECTIONS[section]
    if obj is None:
        siblings = _plan_children(plan, section)
        obj = model(plan=plan, order=max([s.order for s in siblings], default=0) + 1, **match)
    if isinstance(obj, DepartmentIndicator):
        level1_of = {l2.pk: l2.level1_id for l2 in plan.framework.level2_list()} if plan.framework else {}
        form.apply(obj, level1_of)
    else:
        for name, value in form.cleaned_data.items():
            setattr(obj, name, value.strip() if isinstance(value, str) else value)
    with transaction.atomic():
        obj.save()


@login_required
@require_POST
def plan_child_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    plan = _get_document(request, _plans(), pk, write=True)
    section = _section(kind)
    form = _child_form(section, None, _level2_choices(plan.framework) if plan.framework else [], request.POST)
    if not form.is_valid():
        return _plan_respond(request, plan, f"sec-{section}", {"bound": {(section, None): form}}, invalid=True)
    _save_child(plan, section, None, form)
    return _plan_respond(request, plan, f"sec-{section}", {"saved": section})


def _child(plan, section: str, child_pk: int):
    return _one_of(_plan_children(plan, section), child_pk)


@login_required
@require_POST
def plan_child_update(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    plan = _get_document(request, _plans(), pk, write=True)
    section = _section(kind)
    obj = _child(plan, section, child_pk)
    form = _child_form(section, obj, _level2_choices(plan.framework) if plan.framework else [], request.POST)
    if not form.is_valid():
        return _plan_respond(request, plan, f"sec-{section}", {"bound": {(section, obj.pk): form}}, invalid=True)
    _save_child(plan, section, obj, form)
    return _plan_respond(request, plan, f"sec-{section}", {"saved": section})


@login_required
@require_POST
def plan_child_delete(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    plan = _get_document(request, _plans(), pk, write=True)
    section = _section(kind)
    _child(plan, section, child_pk).delete()
    return _plan_respond(request, plan, f"sec-{section}", {"saved": section})


@login_required
@require_POST
def plan_child_move(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    plan = _get_document(request, _plans(), pk, write=True)
    section = _section(kind)
    _move(_plan_children(plan, section), _child(plan, section, child_pk), request.POST.get("direction", "up"))
    return _plan_respond(request, plan, f"sec-{section}", {"saved": section})


def _department_frameworks():
    return Framework.objects.filter(kind=Framework.DEPARTMENT)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """新建部门整体绩效目标: blank, from a seed plan, or last year's."""
    units, frameworks = _clerk_units(request.user), list(_department_frameworks())
    form = f.NewPlanForm(request.POST or None, units=units, frameworks=frameworks, initial={"year": _this_year()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if DepartmentPlan.objects.filter(unit_id=data["unit"], year=data["year"], is_template=False).exists():
            form.add_error("year", "本单位该年度已有部门整体绩效目标。")
        else:
            plan = DepartmentPlan.objects.create(unit_id=data["unit"], year=data["year"], framework_id=data["framework"])
            messages.success(request, "已新建部门整体绩效目标，请逐项填写。")
            return redirect(plan)
    ctx = {
        "form": form,
        "templates": DepartmentPlan.objects.filter(is_template=True).select_related("unit"),
        "earlier": restrict(DepartmentPlan.objects.filter(is_template=False), request.user).select_related("unit")[:30],
        "copy_form": f.CopyForm(initial={"year": _this_year()}, units=units),
        "this_year": _this_year(),
    }
    return render(request, "goals/plan_new.html", ctx)


@login_required
@require_POST
def plan_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_document(request, DepartmentPlan.objects.select_related("unit"), pk)
    units = _clerk_units(request.user) if source.is_template else [source.unit]

    def code_check(unit, year):
        if DepartmentPlan.objects.filter(unit=unit, year=year, is_template=False).exists():
            raise ValidationError("本单位该年度已有部门整体绩效目标。")

    plan = _copy_into(request, source, copy_plan, units, code_check)
    if plan is None:
        return redirect("plan_new")
    messages.success(request, f"已由“{source}”复制，请核对并修改。")
    return redirect(plan)


@login_required
@require_GET
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_document(request, _plans(), pk)
    tables = [
        {"title": SECTION_TITLES[key], "blocks": grid.printed_rows(grid.plan_groups(_plan_children(plan, key)))}
        for key in ("long_term", "annual")
    ]
    ctx = {"plan": plan, "tables": tables, "income": _plan_children(plan, "income"),
           "expense": _plan_children(plan, "expense")}  # fmt: skip
    return render(request, "goals/plan_preview.html", ctx)
