"""我的绩效目标 (the user's tables and plans of a year) and the template library (模板库)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from perfgoals.frameworks.models import Framework
from perfgoals.goals import forms as f
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.goals.views.common import plans, tables, this_year, to_int
from perfgoals.review.outcome import review_document
from perfgoals.units.access import units_for
from perfgoals.units.models import Membership, Unit
from perfgoals.workflow import books, workflow


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    year = to_int(request.GET.get("year"), this_year())
    q = request.GET.get("q", "").strip()
    own_tables = ProjectTable.objects.filter(is_template=False).restrict(request.user)
    own_plans = DepartmentPlan.objects.filter(is_template=False).restrict(request.user)
    year_tables = tables().filter(pk__in=own_tables.filter(year=year).values("pk"))
    if q:
        year_tables = year_tables.filter(Q(project_name__icontains=q) | Q(project_code__icontains=q))
    year_plans = plans().filter(pk__in=own_plans.filter(year=year).values("pk"))
    for doc in [*year_tables, *year_plans]:
        doc.summary = review_document(doc)
    years = set(own_tables.values_list("year", flat=True)) | set(own_plans.values_list("year", flat=True))
    years |= {this_year(), this_year() + 1, year}
    ctx = {
        "tables": year_tables, "plans": year_plans, "year": year, "years": sorted(years, reverse=True), "q": q,
        "books": books.book_statuses(request.user, year),
    }  # fmt: skip
    return render(request, "goals/home.html", ctx)


@login_required
@require_GET
def template_library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    unit_id = to_int(request.GET.get("unit"))
    framework_id = to_int(request.GET.get("framework"))
    templates = ProjectTable.objects.filter(is_template=True).select_related("unit", "framework")
    if q:
        templates = templates.filter(Q(project_name__icontains=q) | Q(indicators__name__icontains=q)).distinct()
    if unit_id:
        templates = templates.filter(unit_id=unit_id)
    if framework_id:
        templates = templates.filter(framework_id=framework_id)
    template_plans = DepartmentPlan.objects.filter(is_template=True).select_related("unit")
    if unit_id:
        template_plans = template_plans.filter(unit_id=unit_id)
    ctx = {
        "tables": templates, "plans": template_plans, "q": q, "unit_id": unit_id, "framework_id": framework_id,
        "units": Unit.objects.filter(projecttable__is_template=True).distinct(),
        "frameworks": Framework.objects.filter(kind=Framework.PROJECT),
        "copy_form": f.CopyForm(initial={"year": this_year()}, units=units_for(request.user, Membership.CLERK)),
    }  # fmt: skip
    return render(request, "goals/library.html", ctx)
