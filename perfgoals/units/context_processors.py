"""What every page's navigation offers, by the user's roles (from units.access, asked once a page)."""

from functools import cached_property

from perfgoals.units.access import is_admin, unit_ids
from perfgoals.units.models import Membership


class Navigation:
    """Read lazily: a page that shows no navigation (a partial) asks nothing."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def desk(self) -> bool:
        """待我审核: for a supervisor (of any unit) and an administrator, never for a clerk only."""
        return self.user.is_authenticated and unit_ids(self.user, Membership.SUPERVISOR) != set()

    @cached_property
    def admin(self) -> bool:
        """批量打印: for an administrator."""
        return is_admin(self.user)

    @cached_property
    def writes(self) -> bool:
        """新建: for a clerk of some unit (and an administrator)."""
        return self.user.is_authenticated and unit_ids(self.user, Membership.CLERK) != set()


def navigation(request) -> dict:
    return {"nav": Navigation(request.user)} if hasattr(request, "user") else {}
