"""部门文本完成情况: whether a unit's department book (部门预算绩效目标文本) for a year can be
printed as approved — what it still lacks, and which approved documents are being adjusted."""

from dataclasses import dataclass, field

from django.utils import timezone

from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.units.models import Unit

Document = DepartmentPlan | ProjectTable


@dataclass
class BookStatus:
    unit: Unit
    year: int
    plan: DepartmentPlan | None = None
    tables: list[ProjectTable] = field(default_factory=list)
    missing: list[tuple[str, Document | None]] = field(default_factory=list)
    adjusting: list[Document] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def _heads(docs: list[Document]) -> list[tuple[Document, Document | None]]:
    """(newest revision, newest approved revision) for each chain of revisions."""
    by_pk = {d.pk: d for d in docs}
    superseded = {d.previous_id for d in docs if d.previous_id}
    result = []
    for head in (d for d in docs if d.pk not in superseded):
        approved, cursor = None, head
        while cursor is not None and approved is None:
            if cursor.status == Status.APPROVED:
                approved = cursor
            cursor = by_pk.get(cursor.previous_id)
        result.append((head, approved))
    return result


def book_status(unit: Unit, year: int) -> BookStatus:
    book = BookStatus(unit, year)
    plans = list(DepartmentPlan.objects.filter(unit=unit, year=year, is_template=False))
    tables = list(
        ProjectTable.objects.filter(unit=unit, year=year, is_template=False).order_by("position", "id")
    )
    if not plans:
        book.missing.append(("尚未填写部门整体绩效目标", None))
    for head, approved in _heads(plans):
        book.plan = approved or head
        if approved is None:
            book.missing.append((f"部门整体绩效目标{head.get_status_display()}，尚未通过", head))
        elif head is not approved:
            book.adjusting.append(head)
    for head, approved in _heads(tables):
        book.tables.append(approved or head)
        if approved is None:
            book.missing.append((f"《{head.project_name}》{head.get_status_display()}，尚未通过", head))
        elif head is not approved:
            book.adjusting.append(head)
    return book




def book_statuses(user, year: int | None = None) -> list[BookStatus]:
    """The department book of each unit the user works for, for one year (by default the
    latest year of their tables); for administrators, of each unit with something that year."""
    from perfgoals.units.access import unit_ids

    ids = unit_ids(user)
    docs = ProjectTable.objects.filter(is_template=False)
    if ids is not None:
        docs = docs.filter(unit__in=ids)
    if not year:
        year = docs.order_by("-year").values_list("year", flat=True).first() or timezone.localdate().year
    year = int(year)
    if ids is None:
        ids = set(docs.filter(year=year).values_list("unit", flat=True)) | set(
            DepartmentPlan.objects.filter(year=year, is_template=False).values_list("unit", flat=True)
        )
    return [book_status(unit, year) for unit in Unit.objects.filter(pk__in=ids)]
