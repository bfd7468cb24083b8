"""Review pages: the table's review page, transitions, comments, history, diff, the desk,
approving from the desk (a confirmation first) and deleting a draft (a confirmation first)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from perfgoals.frameworks import structure
from perfgoals.goals import grid
from perfgoals.goals.access import get_document_for_user
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, Goal, Indicator, ProjectTable, Status
from perfgoals.lib.params import to_int
from perfgoals.review.outcome import review_document
from perfgoals.units.access import restrict, roles_for, unit_ids
from perfgoals.units.models import Membership, Unit
from perfgoals.workflow import books, changes, desk as desk_rows, workflow
from perfgoals.workflow.models import COMMENT, Comment

TRANSITIONS = {"submit": workflow.submit, "withdraw": workflow.withdraw, "approve": workflow.approve,
               "reopen": workflow.reopen}  # fmt: skip
DONE = {"submit": "已提交，等待审核。", "withdraw": "已撤回，可以继续修改后再提交。", "approve": "已审核通过。",
        "return": "已退回，并通知填报人修改。", "reopen": "已打开新的调整版本，请修改后重新提交。"}  # fmt: skip
BLOCKED = "blocked=submit"  # in the editor's URL after a submit the review refused: it lists the errors


def _next_url(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


def _page_url(doc) -> str:
    return reverse(f"workflow_{doc.kind}", args=[doc.pk])


def _page_context(request: HttpRequest, doc, **extra) -> dict:
    panel = workflow.document_panel(doc, request.user)
    context = {
        "doc": doc,
        "kind": doc.kind,
        "panel": panel,
        "summary": review_document(doc),
        "actions": panel["actions"],
        "comments": doc.comments.select_related("author", "resolved_by", "goal", "indicator", "plan_indicator"),
        "revisions": workflow.revisions(doc),
        "roles": roles_for(request.user, doc.unit),
        "since_return": changes.since_return(doc),
        **_content_rows(doc, panel["rows"]),
    }
    context.update(extra)
    return context


def _content_rows(doc, comments: dict) -> dict:
    """The goals and indicators the review page lists, each with its open comments (no query per row)."""
    if doc.kind == "plan":
        prefetch_related_objects([doc], "indicators")
        return {"indicators": [{"obj": i, "comments": comments.get(("plan_indicator", i.pk), [])}
                               for i in doc.indicators.all()]}  # fmt: skip
    prefetch_related_objects([doc], "goals", "indicators")
    structure.attach([doc.framework])
    columns = grid.columns_of(doc.framework)  # the framework's own columns, as printed
    return {
        "goals": [{"obj": g, "comments": comments.get(("goal", g.pk), [])} for g in doc.goals.all()],
        "columns": [heading for _, heading in columns],
        "indicators": [
            {"l1": row.l1, "l2": row.l2, "obj": row.indicator, "comments": comments.get(("indicator", row.indicator.pk), []),
             "cells": [grid.cell(row.indicator, key) for key, _ in columns]}
            for block in grid.printed_rows(grid.table_groups(doc, every_level2=False)) for row in block
        ],
    }  # fmt: skip


@login_required
@require_safe
def document_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    doc = get_document_for_user(request, kind, pk)
    return render(request, "workflow/document.html", _page_context(request, doc))


@login_required
@require_POST
def transition(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    doc = get_document_for_user(request, kind, pk)
    try:
        if action == "return":
            result = workflow.return_(doc, request.user, request.POST.get("comment", ""))
        else:
            result = TRANSITIONS[action](doc, request.user)
    except workflow.WorkflowError as e:
        if e.problems:  # back to the editor, which lists the errors, each linking to its field or row
            messages.error(request, e.message.rstrip("："))
            return redirect(f"{doc.get_absolute_url()}?{BLOCKED}#submit-blocked")
        if action == "return":  # keep what the supervisor wrote
            context = _page_context(request, doc, error=e, return_text=request.POST.get("comment", ""))
            return render(request, "workflow/document.html", context, status=200)
        messages.error(request, e.message)
        return redirect(_next_url(request, _page_url(doc)))
    messages.success(request, f"{result.kind_label}{DONE[action]}")
    if action == "reopen":
        return redirect(_page_url(result))
    return redirect(_next_url(request, _page_url(result)))


ROW_KINDS = {"table": {"goal": Goal, "indicator": Indicator}, "plan": {"plan_indicator": DepartmentIndicator}}


def _comment_target(doc, target: str) -> dict:
    """The row a comment is attached to, from "goal:12" / "indicator:34" / "table".

    A row of a kind the document has not (an indicator of a plan) or an id that is not a
    number is a crafted request (400); a row that is not the document's is not found (404)."""
    kind, _, pk = target.partition(":")
    if kind in ("", doc.kind):
        return {}
    model = ROW_KINDS[doc.kind].get(kind)
    if model is None or to_int(pk) is None:
        raise BadRequest(f"comment target {target[:40]!r} is not a row of a {doc.kind}")
    return {kind: get_object_or_404(model, pk=to_int(pk), **{doc.kind: doc})}


@login_required
@require_POST
def add_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    doc = get_document_for_user(request, kind, pk, "review")
    target = _comment_target(doc, request.POST.get("target", ""))
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, "审核意见不能为空。")
    elif len(text) > COMMENT:
        messages.error(request, f"审核意见最多 {COMMENT} 字（现有 {len(text)} 字），请删减后再保存。")
    else:
        Comment.objects.create(unit=doc.unit, author=request.user, text=text, **{doc.kind: doc}, **target)
        messages.success(request, "审核意见已保存。")
    return redirect(_next_url(request, _page_url(doc)))


@login_required
@require_safe
def comment_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The open comments of a table or plan (an htmx partial)."""
    doc = get_document_for_user(request, kind, pk)
    return render(request, "workflow/_comments.html", {"comments": workflow.open_comments(doc)["comments"], "all_open": True})


@login_required
@require_POST
def resolve_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("table", "plan"), pk=pk)
    # Whoever works on the document (its clerk, its supervisors) may mark a comment handled.
    doc = get_document_for_user(request, comment.document.kind, comment.document.pk)
    if comment.is_open:
        comment.resolve(request.user)
    if request.htmx:
        return render(request, "workflow/_comment.html", {"comment": comment})
    messages.success(request, "审核意见已标记为已处理。")
    return redirect(_next_url(request, _page_url(doc)))


@login_required
@require_safe
def history_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    doc = get_document_for_user(request, kind, pk)
    context = {"doc": doc, "kind": kind, "entries": changes.history(doc), "revisions": workflow.revisions(doc)}
    return render(request, "workflow/history.html", context)


@login_required
@require_safe
def diff_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    doc = get_document_for_user(request, kind, pk)
    chain = workflow.revisions(doc)
    by_pk = {d.pk: d for d in chain}

    def pick(name: str, default):
        value = request.GET.get(name, "")
        if not value:
            return default
        if to_int(value) not in by_pk:
            raise Http404("该版本不存在")
        return by_pk[to_int(value)]

    new = pick("b", doc)
    old = pick("a", by_pk.get(new.previous_id) or chain[0])
    context = {"doc": doc, "kind": kind, "revisions": chain, "old": old, "new": new,
               "comparison": changes.compare(old, new)}
    return render(request, "workflow/diff.html", context)


@login_required
@require_safe
def desk(request: HttpRequest) -> HttpResponse:
    """待我审核: what waits for this supervisor, oldest first, with counts per unit and state."""
    if unit_ids(request.user, Membership.SUPERVISOR) == set():
        raise PermissionDenied("只有审核人可以查看待审核列表。")
    year = _year(request)
    context = {"waiting": desk_rows.waiting_for(request.user), "year": year, "counts": _counts(request.user, year),
               "states": Status.choices}  # fmt: skip
    return render(request, "workflow/desk.html", context)


@login_required
@require_safe
def approve_confirm(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """审核通过 from the desk asks first, naming the project, year and amount; the form posts to approve."""
    doc = get_document_for_user(request, kind, pk, "review")
    if "approve" not in workflow.allowed_actions(doc, request.user):
        if doc.status == Status.SUBMITTED:  # four eyes: they submitted it, or wrote some of it
            messages.error(request, workflow.approval_refusal(doc, request.user))
        else:
            messages.error(request, workflow.state_message(doc, "审核通过"))
        return redirect(_page_url(doc))
    context = {"doc": doc, "kind": kind, "summary": review_document(doc), "next": _next_url(request, reverse("desk"))}
    return render(request, "workflow/approve_confirm.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_draft(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """删除草稿: a confirmation page (GET), then the deletion (POST), for a draft never submitted."""
    doc = get_document_for_user(request, kind, pk)
    if request.method == "POST":
        try:
            workflow.delete(doc, request.user)
        except workflow.WorkflowError as e:
            messages.error(request, e.message)
            return redirect(doc.get_absolute_url())
        messages.success(request, f"已删除{_title(doc)}（{doc.year} 年度）。删除记录保留在修改记录中。")
        return redirect(f"{reverse('home')}?year={doc.year}")
    if why := workflow.deletion_check(doc, request.user):
        messages.error(request, why)
        return redirect(doc.get_absolute_url())
    return render(request, "workflow/delete_confirm.html", {"doc": doc, "kind": kind, "title": _title(doc)})


def _title(doc) -> str:
    return f"《{doc.project_name}》" if doc.kind == "table" else f"{doc.unit.name}部门整体绩效目标"


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    if (year := to_int(value)) is not None and 2000 <= year <= 2100:
        return year
    tables = ProjectTable.objects.restrict(request.user, "review")
    latest = tables.order_by("-year").values_list("year", flat=True).first()
    from django.utils import timezone

    return latest or timezone.localdate().year


def _counts(user, year: int) -> list[dict]:
    """For each unit the user reviews: how many project tables in each state, and the plan's state."""
    units = restrict(Unit.objects.all(), user, unit_field="pk", role=Membership.SUPERVISOR)
    tables = ProjectTable.objects.restrict(user, "review").filter(year=year)
    counts: dict[int, dict[str, int]] = {}
    for row in tables.values("unit", "status").annotate(n=Count("id")):
        counts.setdefault(row["unit"], {})[row["status"]] = row["n"]
    plans = DepartmentPlan.objects.restrict(user, "review").filter(year=year)
    plan_units = set(plans.values_list("unit", flat=True))
    rows = []
    for unit in units.filter(pk__in=set(counts) | plan_units):
        per_state = counts.get(unit.pk, {})
        book = books.book_status(unit, year)
        rows.append({"unit": unit, "states": [per_state.get(value, 0) for value, _ in Status.choices],
                     "total": sum(per_state.values()), "book": book})
    return rows
