"""The one place that decides which units a user may see and what they may do there.

Every query for a unit's tables, plans, revisions, comments and PDFs starts from
`visible_unit_ids`, so a view cannot forget the restriction: another unit's object
is simply not found (404); an action beyond the user's role is refused (403).
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from perfgoals.units.models import Membership, Unit

User = AbstractBaseUser | AnonymousUser


def is_admin(user: User) -> bool:
    """A finance-bureau administrator (管理员) works across every unit."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Membership.ADMIN).exists()


def roles_for(user: User, unit: Unit) -> set[str]:
    """The roles the user holds for this unit, including a supervisor's over subordinates."""
    if not user.is_authenticated:
        return set()
    if is_admin(user):
        return {Membership.CLERK, Membership.SUPERVISOR, Membership.ADMIN}
    roles = set()
    for m in Membership.objects.filter(user=user).select_related("unit"):
        if m.unit_id == unit.pk:
            roles.add(m.role)
        elif m.role == Membership.SUPERVISOR and unit.pk in m.unit.descendant_ids():
            roles.add(m.role)
    return roles


def visible_unit_ids(user: User) -> set[int] | None:
    """Units whose data the user may read; None means every unit (administrators)."""
    if not user.is_authenticated:
        return set()
    if is_admin(user):
        return None
    ids: set[int] = set()
    for m in Membership.objects.filter(user=user).select_related("unit"):
        if m.role == Membership.SUPERVISOR:
            ids |= m.unit.descendant_ids()
        else:
            ids.add(m.unit_id)
    return ids


def restrict(queryset, user: User, unit_field: str = "unit"):
    """Filter any queryset of unit-owned objects down to what the user may read."""
    ids = visible_unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": ids})


def readable(queryset, user: User):
    """What the user may read: their units' documents plus the template library, which
    holds published documents and is open to every signed-in user."""
    if not user.is_authenticated:
        return queryset.none()
    return restrict(queryset, user) | queryset.filter(is_template=True)
