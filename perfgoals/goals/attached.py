"""Rows attached to a table or to a plan (kept hints, review comments): their links and their check."""

from django.db import models

from perfgoals.goals.models import DepartmentPlan, ProjectTable


def document_links(related_name: str) -> tuple[models.ForeignKey, models.ForeignKey]:
    """The `table` and `plan` links of an OnDocument row; one of them is set."""
    return (
        models.ForeignKey(
            ProjectTable, models.CASCADE, null=True, blank=True, related_name=related_name, verbose_name="绩效目标表"
        ),
        models.ForeignKey(
            DepartmentPlan, models.CASCADE, null=True, blank=True, related_name=related_name,
            verbose_name="部门整体绩效目标",
        ),
    )


class OnDocument(models.Model):
    """A row that belongs to a table or to a plan, oldest first.

    A subclass declares `table, plan = document_links(its related name)` and its `created`;
    its Meta extends OnDocument.Meta. The check is named after the subclass
    ("kepthint_on_table_or_plan", "comment_on_table_or_plan").
    """

    class Meta:
        abstract = True
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(table__isnull=False) | models.Q(plan__isnull=False),
                name="%(class)s_on_table_or_plan",
            )
        ]
