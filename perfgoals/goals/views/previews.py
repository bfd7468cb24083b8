"""Read-only previews of a table or a plan: the printed layout's own HTML, shown on screen.

The page holds the very markup the PDF is laid out from (printing.render's table and plan
content), styled for the screen by `.paper` in app.css, so what the clerk checks before
submitting is what will be printed.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from perfgoals.goals.access import get_document_for_user
from perfgoals.goals.views.common import plans, tables
from perfgoals.printing import render as printing


@login_required
@require_GET
def table_preview(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_document_for_user(request, "table", pk, "view", queryset=tables())
    ctx = {"table": table, "paper": printing.table_content(table), "split": printing.is_split(table.framework)}
    return render(request, "goals/preview.html", ctx)


@login_required
@require_GET
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_document_for_user(request, "plan", pk, "view", queryset=plans())
    return render(request, "goals/plan_preview.html", {"plan": plan, "paper": printing.plan_content(plan)})
