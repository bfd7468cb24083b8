"""Department plans (部门整体绩效目标): new, copied, and the plan editor with its sections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from perfgoals.frameworks.models import Framework
from perfgoals.goals import forms as f
from perfgoals.goals.access import can, get_document_for_user
from perfgoals.goals.copying import copy_plan
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, PlanItem
from perfgoals.goals.views.common import (
    conflict_status, copy_into, editing, level2_choices, move, no_room, one_of, plans, save_form, save_row,
    this_year, with_summary,
)  # fmt: skip
from perfgoals.review.outcome import review_document
from perfgoals.units.access import units_for
from perfgoals.units.models import Membership
from perfgoals.workflow import workflow

# The editable lists of a plan: section → (model, form, what its rows have in common).
PLAN_SECTIONS = {
    "sub_goal": (PlanItem, f.PlanItemForm, {"kind": PlanItem.SUB_GOAL}),
    "safeguard": (PlanItem, f.PlanItemForm, {"kind": PlanItem.SAFEGUARD}),
    "long_term": (DepartmentIndicator, f.DepartmentIndicatorForm, {"horizon": DepartmentIndicator.LONG_TERM}),
    "annual": (DepartmentIndicator, f.DepartmentIndicatorForm, {"horizon": DepartmentIndicator.ANNUAL}),
    "income": (FundingLine, f.FundingLineForm, {"kind": FundingLine.INCOME}),
    "expense": (FundingLine, f.FundingLineForm, {"kind": FundingLine.EXPENSE}),
}
INDICATORS = ("long_term", "annual")  # the sections whose rows take review comments
SECTION_TITLES = {
    "sub_goal": "分项绩效目标", "safeguard": "工作保障措施", "long_term": "长期绩效指标",
    "annual": "年度绩效指标", "income": "收入构成", "expense": "支出构成",
}  # fmt: skip


def plan_children(plan, section: str) -> list:
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


def _plan_sections(plan, problems, bound: dict, comments: dict) -> list[dict]:
    """Each section's rows with their forms, problems (plan items) and open comments (indicators)."""
    choices = level2_choices(plan.framework)
    sections = []
    for section in PLAN_SECTIONS:
        rows = []
        for obj in plan_children(plan, section):
            form = bound.get((section, obj.pk)) or _child_form(section, obj, choices)
            rows.append({"obj": obj, "form": form, "prefix": f"{section}-{obj.pk}",
                         "problems": problems["plan_item"].get(obj.pk, []) if section in ("sub_goal", "safeguard") else [],
                         "comments": comments.get(("plan_indicator", obj.pk), []) if section in INDICATORS else []})
        new = bound.get((section, None)) or _child_form(section, None, choices)
        sections.append({"key": section, "title": SECTION_TITLES[section], "rows": rows, "new": new,
                         "shape": PLAN_SECTIONS[section][0].__name__.lower()})
    return sections


def _plan_context(plan, *, editable: bool, comments: dict, panel=None, main_form=None, bound=None, saved="") -> dict:
    """`comments`: the open comments by row (workflow.open_comments); `panel` on the whole page."""
    review = review_document(plan)
    problems = review.by_target(f.PlanForm.Meta.fields)
    sections = {s["key"]: s for s in _plan_sections(plan, problems, bound or {}, comments)}
    return {
        "plan": plan, "editable": editable, "panel": panel, "main": main_form or f.PlanForm(instance=plan),
        "sections": sections, "problems": problems, "summary": review, "saved": saved,
        "hubei": bool(plan.framework_id) or bool(plan.functions or plan.contact_person) or bool(sections["income"]["rows"]),
        "units_list": f.UNIT_SUGGESTIONS, "phrases": f.PHRASE_SUGGESTIONS,
    }  # fmt: skip


@login_required
@require_GET
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_document_for_user(request, "plan", pk, "view", queryset=plans())
    return _page(request, plan, editable=can(request.user, "edit", plan))


def _page(request, plan, *, editable: bool, **ctx_kwargs):
    panel = workflow.document_panel(plan, request.user)
    ctx = _plan_context(plan, editable=editable, comments=panel["rows"], panel=panel, **ctx_kwargs)
    return render(request, "goals/plan_edit.html", ctx)


def _respond(request, plan, partial: str, ctx_kwargs: dict, status: int = 200):
    """After a change (the edit's lookup allowed it, so the plan is editable): the changed section or the page.

    As in the table editor, a saved change without JavaScript redirects; an invalid one (a bound
    form in `ctx_kwargs`) renders the whole page with the errors in place.
    """
    invalid = any(ctx_kwargs.get(k) for k in ("main_form", "bound"))
    if not request.htmx and not invalid:
        return redirect(f"{plan.get_absolute_url()}#{partial}")
    plan = plans().get(pk=plan.pk)
    if not request.htmx:
        response = _page(request, plan, editable=True, **ctx_kwargs)
        response.status_code = status
        return response
    section = partial.removeprefix("sec-")
    shows_comments = section in INDICATORS and plan_children(plan, section)
    comments = workflow.open_comments(plan)["rows"] if shows_comments else {}
    ctx = _plan_context(plan, editable=True, comments=comments, **ctx_kwargs)
    if partial.startswith("sec-"):
        ctx["section"] = ctx["sections"][section]
        partial = "section"
    response = with_summary(request, f"goals/plan_edit.html#{partial}", ctx)
    response.status_code = status
    return response


@login_required
@require_POST
def plan_main(request: HttpRequest, pk: int) -> HttpResponse:
    return save_form(request, "plan", pk, plans(), f.PlanForm, _respond, "main", "main_form")


def _section(kind: str) -> str:
    if kind not in PLAN_SECTIONS:
        raise Http404
    return kind


def _fill_child(plan, model, obj, form) -> None:
    if model is DepartmentIndicator:
        level1_of = {l2.pk: l2.level1_id for l2 in plan.framework.level2_list()} if plan.framework else {}
        form.apply(obj, level1_of)
    else:
        for name, value in form.cleaned_data.items():
            if name != "version":
                setattr(obj, name, value.strip() if isinstance(value, str) else value)


def _save_child(request, plan, section: str, obj, form) -> None:
    model, _, match = PLAN_SECTIONS[section]
    if obj is not None:
        save_row(request, obj, form, lambda target, form: _fill_child(plan, model, target, form))
        return
    siblings = plan_children(plan, section)
    obj = model(plan=plan, order=max([s.order for s in siblings], default=0) + 1, **match)
    _fill_child(plan, model, obj, form)
    obj.save()


@login_required
@require_POST
def plan_child_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return _post_child(request, pk, kind, None)


@login_required
@require_POST
def plan_child_update(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    return _post_child(request, pk, kind, child_pk)


def _post_child(request, pk: int, kind: str, child_pk: int | None) -> HttpResponse:
    """Save the posted row of a section: a new one (`child_pk` None) or the plan's row `child_pk`."""
    with editing(request, "plan", pk, plans()) as plan:
        section = _section(kind)
        obj = None if child_pk is None else one_of(plan_children(plan, section), child_pk)
        form = _child_form(section, obj, level2_choices(plan.framework), request.POST)
        if form.is_valid() and obj is None and (full := no_room(plan)):
            form.add_error("text" if "text" in form.fields else "name", full)
        if form.is_valid():
            _save_child(request, plan, section, obj, form)
    if not form.is_valid() or form.conflict:
        bound = {(section, obj.pk if obj else None): form}
        return _respond(request, plan, f"sec-{section}", {"bound": bound}, status=conflict_status(form))
    return _respond(request, plan, f"sec-{section}", {"saved": section})


def _change_child(request, pk: int, kind: str, child_pk: int, change) -> HttpResponse:
    """Apply `change(children, child)` to the plan's row `child_pk` of a section, inside the edit."""
    with editing(request, "plan", pk, plans()) as plan:
        section = _section(kind)
        children = plan_children(plan, section)
        change(children, one_of(children, child_pk))
    return _respond(request, plan, f"sec-{section}", {"saved": section})


@login_required
@require_POST
def plan_child_delete(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    return _change_child(request, pk, kind, child_pk, lambda children, child: child.delete())


@login_required
@require_POST
def plan_child_move(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    direction = request.POST.get("direction", "up")
    return _change_child(request, pk, kind, child_pk, lambda children, child: move(children, child, direction))


# ---------------------------------------------------------------- new plans


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """新建部门整体绩效目标: blank, from a seed plan, or last year's."""
    units, frameworks = units_for(request.user, Membership.CLERK), list(Framework.objects.filter(kind=Framework.DEPARTMENT))
    form = f.NewPlanForm(request.POST or None, units=units, frameworks=frameworks, initial={"year": this_year()})
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
        "earlier": DepartmentPlan.objects.filter(is_template=False).restrict(request.user).select_related("unit")[:30],
        "copy_form": f.CopyForm(initial={"year": this_year()}, units=units),
        "this_year": this_year(),
    }
    return render(request, "goals/plan_new.html", ctx)


@login_required
@require_POST
def plan_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_document_for_user(request, "plan", pk, "view", queryset=DepartmentPlan.objects.select_related("unit"))

    def code_check(unit, year):
        if DepartmentPlan.objects.filter(unit=unit, year=year, is_template=False).exists():
            raise ValidationError("本单位该年度已有部门整体绩效目标。")

    plan = copy_into(request, source, copy_plan, code_check)
    if plan is None:
        return redirect("plan_new")
    messages.success(request, f"已由“{source}”复制，请核对并修改。")
    return redirect(plan)
