"""Hints a clerk keeps deliberately (保留的提示): the reviewer sees the reason."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from perfgoals.goals.attached import OnDocument, document_links
from perfgoals.goals.models import DepartmentPlan


class KeptHint(OnDocument):
    table, plan = document_links("kept_hints")
    code = models.CharField("审核规则", max_length=60)
    target = models.CharField("对象类别", max_length=20, blank=True)  # table / field / goal / indicator / plan_item
    field = models.CharField("字段", max_length=60, blank=True)
    object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    reason = models.CharField("保留理由", max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="保留人")
    created = models.DateTimeField("保留时间", default=timezone.now)

    class Meta(OnDocument.Meta):
        verbose_name = "保留的提示"
        verbose_name_plural = "保留的提示"

    def __str__(self) -> str:
        return f"{self.code}：{self.reason}"

    @property
    def key(self) -> tuple[str, str, str, int | None]:
        return (self.code, self.target, self.field, self.object_id)

    @classmethod
    def for_document(cls, doc) -> "models.QuerySet[KeptHint]":
        if isinstance(doc, DepartmentPlan):
            return cls.objects.filter(plan=doc)
        return cls.objects.filter(table=doc)
