"""Filters for showing workflow state and people. They only format what they are given:
the views prepare everything read from the database (`workflow.document_panel`,
`workflow.book_statuses`)."""

from django import template

register = template.Library()


@register.filter
def status_class(doc) -> str:
    return f"status status-{doc.status}"


@register.filter
def person(user) -> str:
    """A user as people read it: full name, else the user name; empty for nobody."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return user.get_full_name() or user.username
