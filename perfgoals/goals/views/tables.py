"""New tables (blank, from a template, last year's), the editor page, its header and its goals."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from perfgoals.frameworks.models import Framework
from perfgoals.goals import forms as f
from perfgoals.goals.access import get_document_for_user
from perfgoals.goals.copying import copy_table
from perfgoals.goals.models import Goal, ProjectTable
from perfgoals.goals.views.common import (
    conflict_status, copy_into, editing, move, no_room, one_of, save_form, save_row, tables, this_year, to_int,
)  # fmt: skip
from perfgoals.goals.views.editor import page, respond
from perfgoals.units.access import units_for
from perfgoals.units.models import Membership

# ---------------------------------------------------------------- new tables


def _frameworks():
    return Framework.objects.filter(kind=Framework.PROJECT).prefetch_related("levels1__levels2")


def _new_page(request: HttpRequest, form: f.NewTableForm, status: int = 200) -> HttpResponse:
    earlier = ProjectTable.objects.filter(is_template=False).restrict(request.user)
    earlier = earlier.select_related("unit").order_by("-year", "position", "id")[:50]
    framework_id = to_int(form["framework"].value())
    framework = _frameworks().filter(pk=framework_id).first() or _frameworks().first()
    ctx = {
        "form": form, "earlier": earlier, "framework": framework, "this_year": this_year(),
        "templates_count": ProjectTable.objects.filter(is_template=True).count(),
    }  # fmt: skip
    return render(request, "goals/new.html", ctx, status=status)


@login_required
def table_new(request: HttpRequest) -> HttpResponse:
    """新建项目绩效目标表: blank (from a framework's skeleton); the other two ways post elsewhere."""
    units, frameworks = units_for(request.user, Membership.CLERK), list(_frameworks())
    if request.method != "POST":
        initial = {"year": this_year(), "framework": frameworks[0].pk if frameworks else None}
        return _new_page(request, f.NewTableForm(initial=initial, units=units, frameworks=frameworks))
    form = f.NewTableForm(request.POST, units=units, frameworks=frameworks)
    if not form.is_valid():  # the project code's uniqueness included (the model's constraint)
        return _new_page(request, form)
    data = form.cleaned_data
    table = ProjectTable.objects.create(
        unit_id=data["unit"], year=data["year"], framework_id=data["framework"],
        project_name=data["project_name"].strip(), project_code=data["project_code"].strip(),
    )  # fmt: skip
    messages.success(request, "已新建项目绩效目标表，请逐项填写。")
    return redirect(table)


@login_required
@require_GET
def framework_skeleton(request: HttpRequest) -> HttpResponse:
    framework = _frameworks().filter(pk=to_int(request.GET.get("framework"))).first()
    return render(request, "goals/new.html#skeleton", {"framework": framework})


@login_required
@require_POST
def table_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """从模板新建 (a template, into one of the user's units) or 复制上年 (the unit's own table)."""
    source = get_document_for_user(request, "table", pk, "view", queryset=ProjectTable.objects.select_related("unit"))

    def code_check(unit, year):
        if not source.is_template:
            copy = ProjectTable(unit=unit, year=year, project_code=source.project_code)
            if errors := f.constraint_errors(copy):
                raise ValidationError(errors[0])

    table = copy_into(request, source, copy_table, code_check)
    if table is None:
        return redirect("template_library" if source.is_template else "table_new")
    messages.success(request, f"已由“{source.project_name}”复制，请核对并修改。")
    return redirect(table)


# ---------------------------------------------------------------- the editor: page, header, goals


@login_required
@require_GET
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_document_for_user(request, "table", pk, "view", queryset=tables())
    return page(request, table, add=to_int(request.GET.get("add")))


@login_required
@require_POST
def table_header(request: HttpRequest, pk: int) -> HttpResponse:
    return save_form(request, "table", pk, tables(), f.HeaderForm, respond, "header", "header_form")


@login_required
@require_POST
def table_sources(request: HttpRequest, pk: int) -> HttpResponse:
    """资金来源: the amounts by source of a framework with more than two sources; 预算数 is their sum."""
    with editing(request, "table", pk, tables()) as table:
        form = f.SourcesForm(request.POST, sources=table.framework.sources(), unit=table.framework.amount_unit)
        if form.is_valid():
            table.source_amounts = form.amounts()
            if table.source_amounts:
                table.budget_total = sum((Decimal(v) for v in table.source_amounts.values()), Decimal("0"))
            table.save()
    if not form.is_valid():
        return page(request, table, editable=True, sources_form=form)
    messages.success(request, "资金来源已保存。")
    return redirect(f"{table.get_absolute_url()}#sources")


@login_required
@require_POST
def table_header_check(request: HttpRequest, pk: int) -> HttpResponse:
    """As the clerk types: the computed total and whether the spending plan is right (nothing saved)."""
    table = get_document_for_user(request, "table", pk, "view")
    form = f.HeaderForm(request.POST, instance=table)  # bound to the table, saved never
    form.is_valid()
    return render(request, "goals/edit.html#header_check", {"header": form})


@login_required
@require_POST
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        form = f.GoalForm(request.POST)
        if form.is_valid() and (full := no_room(table)):
            form.add_error("text", full)
        if form.is_valid():
            order = (table.goals.aggregate(m=Max("order"))["m"] or 0) + 1
            Goal.objects.create(table=table, text=form.cleaned_data["text"].strip(), order=order)
    if not form.is_valid():
        return respond(request, table, "goals", {"goal_forms": {"new": form}})
    return respond(request, table, "goals", {"saved": "goals"})


@login_required
@require_POST
def goal_update(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        goal = one_of(table.goals.all(), goal_pk)
        form = f.GoalForm(request.POST)
        if form.is_valid():
            save_row(request, goal, form, lambda target, form: setattr(target, "text", form.cleaned_data["text"].strip()))
    if not form.is_valid() or form.conflict:
        return respond(request, table, "goals", {"goal_forms": {goal.pk: form}}, status=conflict_status(form))
    return respond(request, table, "goals", {"saved": "goals"})


@login_required
@require_POST
def goal_delete(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        one_of(table.goals.all(), goal_pk).delete()
    return respond(request, table, "goals", {"saved": "goals"})


@login_required
@require_POST
def goal_move(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    with editing(request, "table", pk, tables()) as table:
        move(table.goals.all(), one_of(table.goals.all(), goal_pk), request.POST.get("direction", "up"))
    return respond(request, table, "goals", {"saved": "goals"})
