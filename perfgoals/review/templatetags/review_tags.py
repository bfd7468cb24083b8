"""Showing review problems beside the field they concern.

    {% load review_tags %}
    {% problems_for review "indicator" "" indicator.pk as items %}   → the Items for one row
    {% field_problems review "field" "budget_total" %}                → renders them as a small list
    {% open_problems table %}                                          → errors + hints not kept
"""

from django import template

from perfgoals.review.outcome import Item, Review, open_problem_count

register = template.Library()


def _items(source) -> list:
    if isinstance(source, Review):
        return source.items
    return list(source or [])


def _matches(problem, target: str, field: str, object_id) -> bool:
    if target and problem.target != target:
        return False
    if field and problem.field != field:
        return False
    if object_id not in (None, "") and str(problem.object_id) != str(object_id):
        return False
    return True


@register.simple_tag
def problems_for(problems, target: str = "", field: str = "", object_id=None) -> list:
    """Those of the problems (a Review, Items or Problems) that concern one target/field/row."""
    found = []
    for entry in _items(problems):
        problem = entry.problem if isinstance(entry, Item) else entry
        if _matches(problem, target, field, object_id):
            found.append(entry)
    return found


@register.inclusion_tag("review/_field_problems.html")
def field_problems(problems, target: str = "", field: str = "", object_id=None) -> dict:
    items = [e if isinstance(e, Item) else Item(e) for e in problems_for(problems, target, field, object_id)]
    return {"items": items}


@register.simple_tag
def open_problems(document) -> int:
    return open_problem_count(document)
