"""Read-only previews of a table or a plan in the printed layout (HTML, before the PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from perfgoals.goals import grid
from perfgoals.goals.access import get_document_for_user
from perfgoals.goals.views.common import plans, tables
from perfgoals.goals.views.plans import SECTION_TITLES, plan_children


@login_required
@require_GET
def table_preview(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_document_for_user(request, "table", pk, "view", queryset=tables())
    blocks = grid.printed_rows(grid.table_groups(table))
    return render(request, "goals/preview.html", {"table": table, "blocks": blocks, "split": table.framework.value_layout == "split"})


@login_required
@require_GET
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_document_for_user(request, "plan", pk, "view", queryset=plans())
    indicator_tables = [
        {"title": SECTION_TITLES[key], "blocks": grid.printed_rows(grid.plan_groups(plan_children(plan, key)))}
        for key in ("long_term", "annual")
    ]
    ctx = {"plan": plan, "tables": indicator_tables, "income": plan_children(plan, "income"),
           "expense": plan_children(plan, "expense")}  # fmt: skip
    return render(request, "goals/plan_preview.html", ctx)
