"""Who works for which unit, in which role: the facts every access decision starts from.

These functions answer about units only. Documents (tables and plans) are found through
`perfgoals.goals.access`, which builds on them: `ProjectTable.objects.restrict(user,
action)`, `can(user, action, document)` and `get_document_for_user(...)`.

- An administrator (管理员: a superuser, or a user with the admin role in any unit) works
  across every unit. Being staff is not enough: staff may use the admin site only as far
  as their Django permissions go, and see no unit's documents for it.
- A clerk (填报人) works for the units they are a clerk of, and no others: not the units
  below them.
- A supervisor (审核人) works for their unit and every unit below it.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from perfgoals.lib import scope
from perfgoals.units.models import Membership, Unit

User = AbstractBaseUser | AnonymousUser


def _memberships(user: User) -> list[Membership]:
    """The user's memberships with their units: one query answers every question below, once
    per request (lib.scope; a membership saved or deleted meanwhile clears it: units.models)."""
    return scope.once(("memberships", user.pk), lambda: list(Membership.objects.filter(user=user).select_related("unit")))


def _descendants(unit: Unit) -> set[int]:
    return scope.once(("descendants", unit.pk), unit.descendant_ids)


def _is_admin(user: User, memberships: list[Membership]) -> bool:
    return user.is_superuser or any(m.role == Membership.ADMIN for m in memberships)


def is_admin(user: User) -> bool:
    """A finance-bureau administrator (管理员) works across every unit."""
    if not user.is_authenticated:
        return False
    return _is_admin(user, _memberships(user))


def unit_ids(user: User, role: str | None = None) -> set[int] | None:
    """The units where the user holds `role` (any role when None); None means every unit.

    A supervisor's role reaches the units below theirs; a clerk's does not.
    """
    if not user.is_authenticated:
        return set()
    memberships = _memberships(user)
    if _is_admin(user, memberships):
        return None
    ids: set[int] = set()
    for m in memberships:
        if role is not None and m.role != role:
            continue
        if m.role == Membership.SUPERVISOR:
            ids |= _descendants(m.unit)
        else:
            ids.add(m.unit_id)
    return ids


def visible_unit_ids(user: User) -> set[int] | None:
    """Units whose data the user may read; None means every unit (administrators)."""
    return unit_ids(user)


def roles_for(user: User, unit: Unit) -> set[str]:
    """The roles the user holds for this unit, including a supervisor's over subordinates."""
    if not user.is_authenticated:
        return set()
    memberships = _memberships(user)
    if _is_admin(user, memberships):
        return {Membership.CLERK, Membership.SUPERVISOR, Membership.ADMIN}
    roles = set()
    for m in memberships:
        if m.unit_id == unit.pk:
            roles.add(m.role)
        elif m.role == Membership.SUPERVISOR and unit.pk in _descendants(m.unit):
            roles.add(m.role)
    return roles


def restrict(queryset, user: User, unit_field: str = "unit", role: str | None = None):
    """Filter any queryset of unit-owned objects (comments, units themselves with
    `unit_field="pk"`) down to the units where the user holds `role` (any role when None)."""
    ids = unit_ids(user, role)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": ids})


def units_for(user: User, role: str) -> list[Unit]:
    """The units where the user holds `role`, e.g. where they may create tables (clerk)."""
    return list(restrict(Unit.objects.all(), user, unit_field="pk", role=role))
