"""Approved documents on paper: rendered once, stored, served unchanged afterwards."""

from django.db import models

from perfgoals.goals.models import DepartmentPlan, ProjectTable


class ApprovedPdf(models.Model):
    """The PDF of one approved revision of a project table or department plan.

    Keyed by document and revision: a new revision, once approved, gets its own row;
    the PDF of an earlier one stays as it was printed and stamped."""

    table = models.ForeignKey(
        ProjectTable, models.CASCADE, null=True, blank=True, related_name="approved_pdfs", verbose_name="项目绩效目标表"
    )
    plan = models.ForeignKey(
        DepartmentPlan, models.CASCADE, null=True, blank=True, related_name="approved_pdfs", verbose_name="部门整体绩效目标"
    )
    revision = models.PositiveSmallIntegerField("版本")
    approved_at = models.DateTimeField("通过时间", null=True, blank=True)
    pdf = models.BinaryField("PDF")
    sha256 = models.CharField("SHA-256", max_length=64)
    created = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "已审核文本PDF"
        verbose_name_plural = "已审核文本PDF"
        constraints = [
            models.UniqueConstraint(
                fields=["table", "revision"], condition=models.Q(table__isnull=False), name="approved_pdf_table_revision"
            ),
            models.UniqueConstraint(
                fields=["plan", "revision"], condition=models.Q(plan__isnull=False), name="approved_pdf_plan_revision"
            ),
            models.CheckConstraint(
                condition=models.Q(table__isnull=True) ^ models.Q(plan__isnull=True), name="approved_pdf_one_document"
            ),
        ]

    def __str__(self) -> str:
        document = self.table or self.plan
        return f"{document} 第{self.revision}版"
