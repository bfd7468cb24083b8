"""Small template filters for the editor and the previews."""

from decimal import Decimal

from django import template

from perfgoals.goals import values

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] or an empty list: problems by field name or object id."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def money(value) -> str:
    """85.27 → '85.27', 5.00 → '5' for amounts in 万元 (values.format_number); blank stays blank."""
    if isinstance(value, (int, Decimal)):
        return values.format_number(value)
    return "" if value is None else str(value)
