"""URL patterns that stand once for project tables and once for department plans."""

from django.urls import path

KINDS = ("table", "plan")


def per_kind(*routes: tuple) -> list:
    """For each kind, each (route, view, name[, kwargs]) as "<kind>/<pk>/<route>".

    The view is called with `kind` (and the kwargs); "{kind}" in the name is the kind.
    """
    return [
        path(f"{kind}/<int:pk>/{route}", view, {"kind": kind, **(kwargs[0] if kwargs else {})},
             name=name.format(kind=kind))
        for kind in KINDS
        for route, view, name, *kwargs in routes
    ]
