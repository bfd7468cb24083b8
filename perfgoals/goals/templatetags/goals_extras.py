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
def money(value, unit: str = "") -> str:
    """An amount stored in 万元 as a page names it: 85.27 → '85.27', 5.00 → '5' (values.format_number);
    with `unit` "元" in 元 to the 分, 12.345678 → '123,456.78' (values.format_money). Blank stays blank."""
    if isinstance(value, (int, Decimal)):
        return values.format_money(value, "元") if unit == "元" else values.format_number(value)
    return "" if value is None else str(value)
