"""The one restricted path to a table or a plan.

Every view of every app finds its document here:

    doc = get_document_for_user(request, "table", pk, "edit", queryset=editor_queryset())

- A document the user may not see is not found (404): another unit's table, anything for
  an anonymous user. Templates (模板库) are visible to everyone signed in.
- A visible document the user may not `action` now is refused (403) and the refusal is
  logged in one line: a supervisor editing, a clerk approving, an edit of a submitted
  table, anyone but an administrator editing a template.
- "edit" must be asked inside `transaction.atomic()`: the document's row is locked first
  and its state read after the lock, as the workflow transitions do, so an edit can never
  land after a submit that won the race. (SQLite's IMMEDIATE transactions serialise every
  writer; PostgreSQL takes the row lock.)

Who may do what, per identity, is written out in README.md (访问权限) and tested in
tests/test_access_matrix.py.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.units.access import is_admin, roles_for
from perfgoals.units.models import Membership

logger = logging.getLogger("perfgoals.access")

MODELS = {"table": ProjectTable, "plan": DepartmentPlan}
ACTIONS = ("view", "print", "edit", "review")
Document = ProjectTable | DepartmentPlan

REFUSALS = {
    "edit": "该{kind}当前不能修改。",
    "review": "只有本单位的审核人可以审核该{kind}。",
}


def can(user, action: str, doc: Document) -> bool:
    """Whether the user may `action` the document now (its state included)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not user.is_authenticated:
        return False
    if action in ("view", "print"):
        return doc.is_template or bool(roles_for(user, doc.unit))
    if action == "edit":
        if doc.is_template:
            return is_admin(user)
        return doc.is_editable and Membership.CLERK in roles_for(user, doc.unit)
    # review: approve, return, comment
    return not doc.is_template and Membership.SUPERVISOR in roles_for(user, doc.unit)


def refuse(user, action: str, doc: Document, reason: str):
    """Log a refused request (a forged POST, an action beyond the role) and answer 403."""
    logger.warning(
        "refused %s on %s %s (unit %s) by %s: %s",
        action, doc.kind, doc.pk, doc.unit_id, getattr(user, "username", user), reason,
    )  # fmt: skip
    raise PermissionDenied(reason)


def model_for(kind: str):
    try:
        return MODELS[kind]
    except KeyError:
        raise Http404("没有这种文档。") from None


def get_document_for_user(request: HttpRequest, kind: str, pk: int, action: str = "view", queryset=None) -> Document:
    """The table or plan `pk` if the user may see it (else 404) and may `action` it (else 403).

    `queryset` (of the kind's model) adds the select_related/prefetch the page needs.
    """
    model = model_for(kind)
    queryset = model.objects.all() if queryset is None else queryset
    if action == "edit":
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("an edit must look its document up inside transaction.atomic()")
        # Lock the row before reading the state the decision rests on (only this row: without
        # the default ordering's join, which would lock the unit's row on PostgreSQL too).
        list(model.objects.select_for_update().filter(pk=pk).order_by().values_list("pk", flat=True))
    doc = get_object_or_404(queryset.restrict(request.user, "view"), pk=pk)
    if action != "view" and not can(request.user, action, doc):
        refuse(request.user, action, doc, REFUSALS.get(action, "无权执行此操作。").format(kind=doc.kind_label))
    return doc
