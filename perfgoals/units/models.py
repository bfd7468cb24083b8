"""Budget units (预算单位), regions (财政区划) and who works for which unit."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from perfgoals.lib import scope


class CodedModel(models.Model):
    """A region or a unit: known by its code, listed and shown by it."""

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Region(CodedModel):
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)

    class Meta(CodedModel.Meta):
        verbose_name = "财政区划"
        verbose_name_plural = "财政区划"


class Unit(CodedModel):
    code = models.CharField(
        "单位编码",
        max_length=30,
        unique=True,
        help_text="预算单位编码，如 321001。文本中没有编码的单位，导入时生成以 U 开头的编码。",
    )
    name = models.CharField("单位名称", max_length=200)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级部门",
    )
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="units", verbose_name="财政区划"
    )

    class Meta(CodedModel.Meta):
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"

    @property
    def printed_code(self) -> str:
        """The code as printed above a table; generated codes are not printed."""
        return "" if self.code.startswith("U") else self.code

    def descendant_ids(self) -> set[int]:
        """This unit and every unit below it (a department sees its subordinate units)."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Membership(models.Model):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    ROLE_CHOICES = [(CLERK, "填报人"), (SUPERVISOR, "审核人"), (ADMIN, "管理员")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="memberships", verbose_name="预算单位")
    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES)
    created = models.DateTimeField("加入时间", auto_now_add=True)
    history = HistoricalRecords(verbose_name="单位成员修改记录")

    class Meta:
        verbose_name = "单位成员"
        verbose_name_plural = "单位成员"
        ordering = ["unit__code", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit.name} · {self.get_role_display()}"


@receiver([post_save, post_delete], sender=Membership)
@receiver([post_save, post_delete], sender=Unit)
def _forget_access(**kwargs) -> None:
    """Who may do what is read once per request (units.access, lib.scope): a membership or a
    unit changed during the request is read again."""
    scope.forget()
