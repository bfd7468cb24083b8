"""Filters for showing workflow state and people. They only format what they are given:
the views prepare everything read from the database (`workflow.document_panel`,
`workflow.books.book_statuses`)."""

from django import template

register = template.Library()


@register.simple_tag
def comment_limit() -> int:
    """The most characters a review comment may have (maxlength of its textarea)."""
    from perfgoals.workflow.models import COMMENT

    return COMMENT


@register.filter
def status_class(doc) -> str:
    return f"status status-{doc.status}"


@register.filter
def person(user) -> str:
    """A user as people read it: full name, else the user name; empty for nobody."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return user.get_full_name() or user.username


# Where in the editor a review problem points (the ids the table and plan editors give):
# a header field `id_<field>`, a goal `goal-<pk>`, an indicator row `ind-<pk>`, a plan row
# `<section>-<pk>`; a problem about a whole list, its section.
TABLE_SECTIONS = {"goals": "goals", "indicators": "grid"}
TABLE_FIELDS = {"project_code", "project_name", "budget_total", "budget_fiscal", "budget_other", "fund_use",
                "spend_mar", "spend_jun", "spend_oct", "spend_dec"}  # fmt: skip
PLAN_SECTIONS = {"sub_goals": "sec-sub_goal", "safeguards": "sec-safeguard", "indicators": "sec-annual"}
PLAN_FIELDS = {"overall_goal", "functions", "annual_tasks", "long_term_goal", "annual_goal", "contact_person",
               "contact_phone"}  # fmt: skip


@register.filter
def editor_anchor(problem, doc) -> str:
    """The fragment (without #) of the editor's element a problem is about; "" when none."""
    target, name, pk = problem.target, problem.field, problem.object_id
    if doc.kind == "table":
        if target == "goal":
            return f"goal-{pk}"
        if target == "indicator":
            return f"ind-{pk}"
        if target == "field":
            return f"id_{name}" if name in TABLE_FIELDS else "header"
        return TABLE_SECTIONS.get(name, "")
    if target == "plan_item":
        item = next((i for i in doc.items.all() if i.pk == pk), None)
        return f"{item.kind}-{pk}" if item else "sec-sub_goal"
    if target == "indicator":
        indicator = next((i for i in doc.indicators.all() if i.pk == pk), None)
        return f"{indicator.horizon}-{pk}" if indicator else "sec-annual"
    if target == "field":
        return f"id_{name}" if name in PLAN_FIELDS else "main"
    return PLAN_SECTIONS.get(name, "")
