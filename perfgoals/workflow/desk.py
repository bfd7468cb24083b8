"""待我审核: what waits for a supervisor, with what tells one table from another at a glance.

Each row carries the document (unit, year, 预算数, revision), whether it comes back after
a return (重新提交), how long it has waited, its review (errors and open hints, as the
one entry `review_document` counts them) and what the supervisor may do with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.review.outcome import Review, review_document
from perfgoals.review.rules.common import prepare_all
from perfgoals.workflow import workflow

RETURNED = "退回"  # the change reason every return starts with (workflow.return_)


@dataclass
class Waiting:
    doc: ProjectTable | DepartmentPlan
    summary: Review
    actions: set[str]
    resubmitted: bool
    waited: str
    approval_refusal: str = ""  # why this supervisor may not approve it (four eyes)

    @property
    def title(self) -> str:
        return self.doc.project_name if self.doc.kind == "table" else "部门整体绩效目标"


def waited(since: datetime | None, now: datetime) -> str:
    """How long a submission has waited, as a supervisor reads it: 已等待 3 天."""
    if since is None:
        return ""
    delta = now - since
    if delta.days >= 1:
        return f"已等待 {delta.days} 天"
    hours = delta.seconds // 3600
    return f"已等待 {hours} 小时" if hours else "刚刚提交"


def returned_ids(model, pks) -> set[int]:
    """Which of these documents were returned before (one query)."""
    records = model.history.filter(id__in=pks, history_change_reason__startswith=RETURNED)
    return set(records.values_list("id", flat=True))


def waiting_for(user) -> list[Waiting]:
    """Every submitted table and plan this user reviews, oldest submission first."""
    now = timezone.now()
    rows = []
    for model in (DepartmentPlan, ProjectTable):
        docs = list(
            model.objects.restrict(user, "review").filter(status=Status.SUBMITTED).select_related("unit", "submitted_by")
        )
        returned = returned_ids(model, [d.pk for d in docs])
        prepare_all(docs)  # the review's rows for every document at once
        for doc in docs:
            actions = workflow.allowed_actions(doc, user)
            refusal = workflow.approval_refusal(doc, user) if "approve" not in actions else ""
            rows.append(Waiting(doc, review_document(doc), actions, doc.pk in returned,
                                waited(doc.submitted_at, now), refusal))  # fmt: skip
    rows.sort(key=lambda w: (w.doc.submitted_at is None, w.doc.submitted_at))
    return rows
