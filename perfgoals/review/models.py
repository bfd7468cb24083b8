"""Hints a clerk keeps deliberately (保留的提示): the reviewer sees the reason; and which
review rules a framework switches on or off (审核规则开关)."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from perfgoals.frameworks import structure
from perfgoals.frameworks.models import Framework
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


def rule_choices() -> list[tuple[str, str]]:
    """Every registered review rule, for the switch's 审核规则 menu."""
    from perfgoals.review.rules import RULES

    return [(r.code, f"{r.code} {r.title}") for r in RULES]


class RuleSwitch(models.Model):
    """One review rule on or off for the documents of one framework.

    Without a switch a framework gets the rule's default (review.rules: `default_on`):
    the general rules are on everywhere, a rule one kind of form calls for (the 101号 cost
    block) is on where a switch says so."""

    framework = models.ForeignKey(Framework, models.CASCADE, related_name="rule_switches", verbose_name="指标体系")
    code = models.CharField("审核规则", max_length=60, choices=rule_choices)
    enabled = models.BooleanField("启用", default=True, help_text="不勾选：该指标体系的表不做这项检查。")
    severity = models.CharField(
        "级别", max_length=10, blank=True, choices=[("", "按规则本身"), ("error", "错误"), ("hint", "提示")],
        help_text="该指标体系中这项检查的级别：错误不能提交，提示可写明理由后保留。",
    )

    class Meta:
        verbose_name = "审核规则开关"
        verbose_name_plural = "审核规则开关"
        ordering = ["framework", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="rule_switch_unique_code")]

    def __str__(self) -> str:
        level = f"（{self.get_severity_display()}）" if self.severity and self.enabled else ""
        return f"{self.framework}：{self.code} {'启用' if self.enabled else '停用'}{level}"


post_save.connect(structure.on_change, sender=RuleSwitch, dispatch_uid="structure-RuleSwitch-save")
post_delete.connect(structure.on_change, sender=RuleSwitch, dispatch_uid="structure-RuleSwitch-delete")
