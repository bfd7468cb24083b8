"""批量打印: an administrator prints the department books of many units for one year.

`start` records the batch (a row per unit, 等待打印) and, once that is committed, sends
one task per unit (tasks.print_batch_item): with a broker, the workers share the units
and the progress page shows them finishing; without one, they are printed before `start`'s
caller gets its answer. Each book is stored in the default storage (settings.STORAGES)
under print-batches/<batch>/, where every app server finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.printing import tasks
from perfgoals.printing.models import PrintBatch, PrintBatchItem
from perfgoals.units.models import Unit


def units_with_goals(year: int | None) -> QuerySet[Unit]:
    """全部单位: the units with a table or plan of their own for the year (any year when None;
    not the template library)."""
    own = [model.objects.filter(is_template=False).values("unit") for model in (ProjectTable, DepartmentPlan)]
    if year is not None:
        own = [documents.filter(year=year) for documents in own]
    return Unit.objects.filter(Q(pk__in=own[0]) | Q(pk__in=own[1])).order_by("code")


def years() -> list[int]:
    """The years units have written goals of their own for, newest first."""
    found = {y for model in (ProjectTable, DepartmentPlan)
             for y in model.objects.filter(is_template=False).values_list("year", flat=True).distinct()}
    return sorted(found, reverse=True)


def start(year: int, units: list[Unit], user) -> PrintBatch:
    with transaction.atomic():
        batch = PrintBatch.objects.create(year=year, created_by=user)
        items = PrintBatchItem.objects.bulk_create([PrintBatchItem(batch=batch, unit=unit) for unit in units])
        pks = [item.pk for item in items]
        transaction.on_commit(lambda: send(pks))
    return batch


def send(pks: list[int]) -> None:
    for pk in pks:
        tasks.print_batch_item.delay(pk)


@dataclass
class Progress:
    total: int
    done: int  # finished, whatever the outcome
    printed: int
    failed: int

    @property
    def finished(self) -> bool:
        return self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(batch: PrintBatch) -> Progress:
    states = list(batch.items.values_list("status", flat=True))
    return Progress(
        total=len(states),
        done=sum(s != PrintBatchItem.WAITING for s in states),
        printed=states.count(PrintBatchItem.DONE),
        failed=states.count(PrintBatchItem.FAILED),
    )
