"""What the goals pages share: the editors' querysets, the edit transaction, problems sorted
by what they point at, the answer with the review summary, and copying into a unit."""

from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from datetime import date
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string

from perfgoals.goals import checks
from perfgoals.goals import forms as f
from perfgoals.goals import versions
from perfgoals.goals.access import get_document_for_user
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, Indicator, ProjectTable
from perfgoals.lib.params import to_int  # noqa: F401  (the views import it from here)
from perfgoals.units.access import roles_for, units_for
from perfgoals.units.models import Membership



def tables():
    """Tables with everything the editor, the preview and the review rules read."""
    return ProjectTable.objects.select_related("unit").with_structure().prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.select_related("level2__level1")),
        "goals",
    )


def plans():
    """Plans with everything the plan editor, its preview and the review rules read."""
    return DepartmentPlan.objects.select_related("unit").with_structure().prefetch_related(
        "items",
        Prefetch("indicators", queryset=DepartmentIndicator.objects.select_related("level1", "level2")),
        "funding_lines",
    )


@contextmanager
def editing(request: HttpRequest, kind: str, pk: int, queryset):
    """The document to change, inside the one transaction its change is written in.

    The lookup ("edit") locks the row and refuses (403) a document that may not be changed
    now; the lock holds until the block's write commits, so no edit lands after a submit.
    Render the response after the block.
    """
    with transaction.atomic():
        yield get_document_for_user(request, kind, pk, "edit", queryset)


ROWS = {"table": ("goals", "indicators"), "plan": ("items", "indicators", "funding_lines")}


def no_room(doc) -> str:
    """Why no row may be added to the document (checks.rows_over_limit), or "": counted from
    its rows as the editors' querysets prefetch them (no query)."""
    rows = sum(len(getattr(doc, relation).all()) for relation in ROWS[doc.kind])
    return checks.rows_over_limit(rows + 1, adding=True)


def save_form(request: HttpRequest, kind: str, pk: int, queryset, form_class, respond, part: str, form_key: str):
    """Save the fields of a document's own form the clerk changed (`MergingForm.merge`) inside the
    edit, then answer through `respond`: that `part` was saved, or the form with what could not be
    saved (a bad field's message, a conflict: 409)."""
    with editing(request, kind, pk, queryset) as doc:
        form = form_class.merge(doc, request.POST)
    if form.conflict:
        return respond(request, doc, part, {form_key: form}, status=409)
    if form.unsaved:
        return respond(request, doc, part, {form_key: form})
    if form.notes and not request.htmx:  # the page is reloaded: say what was converted there
        for note in form.notes.values():
            messages.info(request, note)
    return respond(request, doc, part, {"saved": part, **({"notes": form.notes} if form.notes else {})})


def save_row(request: HttpRequest, obj, form, apply) -> bool:
    """Write the valid row form `form` to `obj` (inside the edit) with `apply(target, form)`.

    Nothing is written when it changes nothing (the same save posted twice: one change). A save
    based on an older version than `obj`'s is refused: the form then shows the conflict and
    carries the current version. Whether anything was written.
    """
    candidate = copy.copy(obj)
    apply(candidate, form)
    if versions.same_content(candidate, obj):
        return False
    if versions.is_stale(request.POST, obj):
        form.show_conflict(versions.conflict(obj, versions.pairs(obj, candidate)), obj.version)
        return False
    apply(obj, form)
    obj.save()
    return True


def conflict_status(*forms) -> int:
    return 409 if any(getattr(form, "conflict", None) for form in forms) else 200


def this_year() -> int:
    return date.today().year


def with_summary(request: HttpRequest, template: str, ctx: dict) -> HttpResponse:
    """The changed part, and the review summary swapped out of band (its counts change too)."""
    html = render_to_string(template, ctx, request)
    html += render_to_string("goals/_summary.html", {**ctx, "oob": True}, request)
    return HttpResponse(html)


class RowGone(Http404):
    """The row a request names is not (or no longer) in the document: deleted meanwhile."""


GONE = "这一行已被他人删除（或已在其他窗口删除），您的修改未保存。请复制您填写的内容，刷新页面后添加为新行。"


def one_of(rows, pk: int):
    """One row (goal, indicator, plan item) of a document, from its prefetched rows, or 404."""
    for row in rows:
        if row.pk == pk:
            return row
    raise RowGone(GONE)


def move(items: list, obj, direction: str) -> None:
    """Move `obj` one place up or down among `items`, renumbering them 1..n (inside the edit)."""
    items = list(items)
    i = items.index(obj)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    for n, item in enumerate(items, start=1):
        if item.order != n:
            item.order = n
            item.save(update_fields=["order"])


def level2_choices(framework) -> list:
    """Level-2 choices grouped by level 1; the same list object for a framework as it stands."""
    if framework is None:
        return []
    levels = tuple(
        (l1.pk, l1.name, tuple((l2.pk, l2.name) for l2 in l1.levels2.all())) for l1 in framework.levels1.all()
    )
    return _level2_choices(framework.pk, levels)


@lru_cache(maxsize=64)
def _level2_choices(framework_pk: int, levels: tuple) -> list:
    return [(name, list(l2s)) for _, name, l2s in levels]


def copy_into(request: HttpRequest, source, copier, code_check):
    """Validate the destination (unit, year), copy, and return the copy (None when refused).

    A template goes into any unit the user fills in; a unit's own document stays in its unit.
    """
    units = units_for(request.user, Membership.CLERK) if source.is_template else [source.unit]
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


ROW_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def row_prefix(value: str | None, default: str = "") -> str:
    """The editor's id of a row form (ind-12, new-34-a1b2c3), sent back by the page and used
    as an element id and in the HX-Retarget header: anything else is a crafted request."""
    if not value:
        return default
    if not ROW_PREFIX.fullmatch(value):
        raise BadRequest("prefix is not a row id")
    return value
