"""Small template filters for the editor and the previews."""

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] or an empty list: problems by field name or object id."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def money(value) -> str:
    """85.27 → '85.27', 5.00 → '5' for amounts in 万元; blank stays blank."""
    from decimal import Decimal

    from perfgoals.goals.values import format_number

    if isinstance(value, (int, Decimal)):
        return format_number(Decimal(value))
    return "" if value is None else str(value)
