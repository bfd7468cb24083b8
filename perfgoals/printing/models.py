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


class PrintBatch(models.Model):
    """批量打印: the department books of many units for one year, started by an administrator
    and printed by the task queue (perfgoals/printing/tasks.py), one unit at a time."""

    year = models.PositiveSmallIntegerField("年度")
    created_by = models.ForeignKey(
        "auth.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发起人"
    )
    created = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "批量打印"
        verbose_name_plural = "批量打印"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.year}年批量打印（{self.pk}）"


class PrintBatchItem(models.Model):
    """One unit's book in a batch: waiting, printed (its PDF in the default storage), or not."""

    WAITING, DONE, EMPTY, FAILED = "waiting", "done", "empty", "failed"
    STATES = [(WAITING, "等待打印"), (DONE, "已生成"), (EMPTY, "本年度没有绩效目标"), (FAILED, "生成失败")]

    batch = models.ForeignKey(PrintBatch, models.CASCADE, related_name="items", verbose_name="批量打印")
    unit = models.ForeignKey("units.Unit", models.CASCADE, related_name="+", verbose_name="单位")
    status = models.CharField("状态", max_length=10, choices=STATES, default=WAITING)
    file = models.CharField("文件", max_length=200, blank=True)  # name in the default storage
    pages = models.PositiveIntegerField("页数", null=True, blank=True)
    size = models.PositiveIntegerField("大小（字节）", null=True, blank=True)
    finished = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "批量打印的单位"
        verbose_name_plural = "批量打印的单位"
        ordering = ["unit__code", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "unit"], name="print_batch_item_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_status_display()}"
