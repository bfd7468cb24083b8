"""The review pages: the report over every table, one document's problems, kept hints, the rules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from perfgoals.frameworks.models import Framework
from perfgoals.goals.access import can, get_document_for_user
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.review.forms import KeepHintForm
from perfgoals.review.models import KeptHint
from perfgoals.review.outcome import Review, review_document
from perfgoals.review.rules import RULES, SEVERITY_LABELS
from perfgoals.review.rules.registry import switches
from perfgoals.review.rules.common import PLAN_PREFETCH, TABLE_PREFETCH
from perfgoals.units.access import restrict
from perfgoals.lib.params import to_int
from perfgoals.units.models import Unit


def can_keep(user, doc) -> bool:
    """Keeping a hint is the clerk's decision, while the document can still be edited."""
    return can(user, "edit", doc)


def review_context(request: HttpRequest, doc, review: Review | None = None) -> dict:
    """What templates/review/_problems.html needs; the editor includes it with this context."""
    review = review or review_document(doc)
    return {"review": review, "can_keep": can_keep(request.user, doc),
            "review_url": reverse(f"review_{review.kind}", args=[doc.pk])}  # fmt: skip


def _editor_url(doc) -> str:
    try:
        return doc.get_absolute_url()
    except NoReverseMatch:
        return ""


@login_required
def document_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    doc = get_document_for_user(request, kind, pk)
    context = review_context(request, doc)
    if request.htmx:
        return render(request, "review/_problems.html", context)
    context.update(doc=doc, editor_url=_editor_url(doc))
    return render(request, "review/document.html", context)


@login_required
@require_POST
def keep_hint(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    with transaction.atomic():  # the document stays locked until the hint is kept: no keeping after a submit
        doc = get_document_for_user(request, kind, pk, "edit")
        review = review_document(doc)
        form = KeepHintForm(request.POST, review=review)
        if form.is_valid():
            d = form.cleaned_data
            KeptHint.objects.create(
                **{doc.kind: doc}, code=d["code"], target=d["target"], field=d.get("field") or "",
                object_id=d.get("object_id"), reason=d["reason"], user=request.user,
            )
            review = review_document(doc)
            form = None
    return _respond(request, doc, review, form)


@login_required
@require_POST
def unkeep_hint(request: HttpRequest, kind: str, pk: int, kept_pk: int) -> HttpResponse:
    with transaction.atomic():
        doc = get_document_for_user(request, kind, pk, "edit")
        get_object_or_404(KeptHint.for_document(doc), pk=kept_pk).delete()
    return _respond(request, doc, review_document(doc), None)


def _respond(request: HttpRequest, doc, review: Review, form) -> HttpResponse:
    """htmx: the problems list again (200 even with errors, so htmx swaps it); otherwise the page."""
    context = review_context(request, doc, review)
    context["keep_form"] = form
    if request.htmx:
        return render(request, "review/_problems.html", context)
    if form is not None:
        context.update(doc=doc, editor_url=_editor_url(doc))
        return render(request, "review/document.html", context)
    return redirect(f"review_{review.kind}", doc.pk)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Every problem in every table and plan the user may see, by unit and year."""
    units = restrict(Unit.objects.all(), request.user, unit_field="pk").order_by("code")
    # The user's own units only: the template library's examples of other units are not theirs to review.
    tables = ProjectTable.objects.restrict(request.user, "view").filter(unit__in=units)
    plans = DepartmentPlan.objects.restrict(request.user, "view").filter(unit__in=units)
    tables = tables.select_related("unit").with_structure().prefetch_related(*TABLE_PREFETCH)
    plans = plans.select_related("unit").with_structure().prefetch_related(*PLAN_PREFETCH)
    unit_code, year = request.GET.get("unit", ""), request.GET.get("year", "")
    if unit_code:
        tables, plans = tables.filter(unit__code=unit_code), plans.filter(unit__code=unit_code)
    if (number := to_int(year)) is not None:
        tables, plans = tables.filter(year=number), plans.filter(year=number)
    reviews = [review_document(doc) for doc in [*plans, *tables]]
    if request.GET.get("only") == "problems":
        reviews = [r for r in reviews if r.items]
    context = {
        "reviews": reviews, "units": units, "unit_code": unit_code, "year": year,
        "errors": sum(r.errors for r in reviews), "hints": sum(r.hints for r in reviews),
        "kept": sum(r.kept for r in reviews), "only": request.GET.get("only", ""),
    }  # fmt: skip
    return render(request, "review/report.html", context)


def frameworks_on(rule, frameworks: list[Framework]) -> str:
    """On which frameworks a rule checks, in words: 全部指标体系, 全部，除：…, the names, or
    暂未启用; with the frameworks where its severity differs (如 承德…：提示)."""
    kinds = {"table": {Framework.PROJECT}, "plan": {Framework.DEPARTMENT}}.get(rule.applies_to)
    relevant = [f for f in frameworks if kinds is None or f.kind in kinds]
    on = [f for f in relevant if rule.is_on(switches(f))]
    if not on:
        return "暂未启用（管理员可在指标体系中启用）"
    if rule.default_on:
        off = [f.name for f in relevant if f not in on]
        words = "全部，除：" + "、".join(off) if off else "全部指标体系"
    else:
        words = "、".join(f.name for f in on)
    other = [f"{f.name}：{SEVERITY_LABELS[level]}" for f in on if (level := rule.severity_in(switches(f))) != rule.severity]
    return f"{words}（{'；'.join(other)}）" if other else words


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    """审核规则说明: generated from the registered rules themselves, with the frameworks each is on for."""
    frameworks = list(Framework.objects.prefetch_related("rule_switches"))
    groups: dict[str, list] = {}
    for r in RULES:
        groups.setdefault(r.criterion, []).append({"rule": r, "frameworks": frameworks_on(r, frameworks)})
    return render(request, "review/rules.html", {"groups": groups, "severity_labels": SEVERITY_LABELS})
