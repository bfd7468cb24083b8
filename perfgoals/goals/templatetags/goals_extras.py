"""Small template helpers for the editor and the pages other apps fill in later."""

from django import template
from django.template.loader import get_template
from django.template import TemplateDoesNotExist
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_exists(name: str, *args) -> str:
    """The URL named `name`, or "" while the app that provides it is not there yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def include_if_exists(context, template_name: str) -> str:
    """Render `template_name` with the current context if it exists (another app's fragment)."""
    try:
        tpl = get_template(template_name)
    except TemplateDoesNotExist:
        return ""
    return tpl.render(context.flatten(), context.get("request"))


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
