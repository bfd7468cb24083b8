"""Template tags the editor and the home page use to show workflow state and comments."""

from django import template
from django.utils import timezone

from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, Goal, Indicator, ProjectTable
from perfgoals.units.access import visible_unit_ids
from perfgoals.units.models import Unit
from perfgoals.workflow import workflow
from perfgoals.workflow.models import Comment

register = template.Library()

COMMENT_FIELDS = {
    ProjectTable: "table", DepartmentPlan: "plan", Goal: "goal", Indicator: "indicator",
    DepartmentIndicator: "plan_indicator",
}


def open_on(doc: ProjectTable | DepartmentPlan) -> list[Comment]:
    """Every open comment on a table or plan and its rows: one query, kept on the object
    for the rest of the page (the editor shows them in its workflow bar and row by row)."""
    if not hasattr(doc, "_open_comments"):
        comments = Comment.objects.filter(**{COMMENT_FIELDS[type(doc)]: doc}, resolved_at__isnull=True)
        doc._open_comments = list(comments.select_related("author", "goal", "indicator", "plan_indicator"))
    return doc._open_comments


@register.simple_tag
def open_comments(obj, whole: bool = False):
    """Open comments on a table, plan, goal or indicator.

    For a table or plan, only those about the whole document unless `whole` is true.
    """
    if obj is None or type(obj) not in COMMENT_FIELDS:
        return []
    if isinstance(obj, (ProjectTable, DepartmentPlan)):
        return [c for c in open_on(obj) if whole or not (c.goal_id or c.indicator_id or c.plan_indicator_id)]
    comments = Comment.objects.filter(**{COMMENT_FIELDS[type(obj)]: obj}, resolved_at__isnull=True)
    return list(comments.select_related("author", "goal", "indicator", "plan_indicator"))


@register.simple_tag(takes_context=True)
def row_comments(context, row) -> list[Comment]:
    """The open comments about one goal or indicator row of the page's table or plan."""
    doc = context.get("table") or context.get("plan")
    if doc is None or row is None or getattr(row, "pk", None) is None:
        return []
    field = COMMENT_FIELDS.get(type(row))
    if field is None:  # a plan's sub-goals and safeguards take comments on the whole plan
        return []
    return [c for c in open_on(doc) if getattr(c, f"{field}_id") == row.pk]


@register.inclusion_tag("workflow/_comments.html", takes_context=True)
def comments_for(context, obj, whole=False):
    return {"obj": obj, "all_open": whole, "request": context.get("request"), "user": context.get("user"),
            "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def workflow_actions(context, *candidates):
    """What the current user may do with the document (the first of `candidates` given)."""
    doc = next((c for c in candidates if isinstance(c, (ProjectTable, DepartmentPlan))), None)
    if doc is None:
        return None
    user = context["request"].user
    kind = "plan" if isinstance(doc, DepartmentPlan) else "table"
    return {
        "doc": doc,
        "kind": kind,
        "actions": workflow.allowed_actions(doc, user),
        "page": f"workflow_{kind}",
        "has_revisions": doc.revision > 1 or workflow.next_revision(doc) is not None,
    }


@register.simple_tag(takes_context=True)
def book_statuses(context, year=None):
    """The department book status of each unit the user works for, for one year."""
    user = context["request"].user
    ids = visible_unit_ids(user)
    docs = ProjectTable.objects.filter(is_template=False)
    if ids is not None:
        docs = docs.filter(unit__in=ids)
    if not year:
        year = docs.order_by("-year").values_list("year", flat=True).first() or timezone.localdate().year
    year = int(year)
    if ids is None:  # administrators: the units that have something this year
        ids = set(docs.filter(year=year).values_list("unit", flat=True)) | set(
            DepartmentPlan.objects.filter(year=year, is_template=False).values_list("unit", flat=True)
        )
    return [workflow.book_status(unit, year) for unit in Unit.objects.filter(pk__in=ids)]


@register.filter
def status_class(doc) -> str:
    return f"status status-{doc.status}"


@register.filter
def person(user) -> str:
    """A user as people read it: full name, else the user name; empty for nobody."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return user.get_full_name() or user.username
