"""Indicator frameworks (指标体系): level-1 and level-2 categories as data.

A category label as typed or dumped from Word is matched to these categories by
perfgoals.goals.values.find_level1 / find_level2 (the one label parser).
"""

from django.db import models

from perfgoals.lib.models import Ordered


class Framework(Ordered):
    PROJECT = "project"
    DEPARTMENT = "department"
    KIND_CHOICES = [(PROJECT, "项目支出"), (DEPARTMENT, "部门整体")]

    # How the value is printed: one cell (≥20项) or three (符号 | 值 | 单位).
    VALUE_ONE_CELL = "one_cell"
    VALUE_SPLIT = "split"
    VALUE_LAYOUT_CHOICES = [(VALUE_ONE_CELL, "指标值一栏"), (VALUE_SPLIT, "符号、值、单位三栏")]

    code = models.SlugField("代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("适用", max_length=20, choices=KIND_CHOICES, default=PROJECT)
    value_layout = models.CharField(
        "指标值版式", max_length=20, choices=VALUE_LAYOUT_CHOICES, default=VALUE_ONE_CELL
    )
    prints_every_level2 = models.BooleanField(
        "打印全部二级指标行", default=False, help_text="河北版式：每个二级指标都占一行，且都应填写。"
    )
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta(Ordered.Meta):
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"

    def __str__(self) -> str:
        return self.name

    def level2_list(self) -> list["Level2"]:
        """Every level-2 category, in printed order, with its level-1 attached."""
        return [l2 for l1 in self.levels1.all() for l2 in l1.levels2.all()]


class Level1(Ordered):
    framework = models.ForeignKey(
        Framework, models.CASCADE, related_name="levels1", verbose_name="指标体系"
    )
    name = models.CharField("一级指标", max_length=50)

    class Meta(Ordered.Meta):
        verbose_name = "一级指标"
        verbose_name_plural = "一级指标"
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="level1_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Level2(models.Model):
    level1 = models.ForeignKey(Level1, models.CASCADE, related_name="levels2", verbose_name="一级指标")
    name = models.CharField("二级指标", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    is_cost = models.BooleanField(
        "成本类", default=False, help_text="成本指标：金额不应超过项目预算。"
    )

    class Meta:
        verbose_name = "二级指标"
        verbose_name_plural = "二级指标"
        ordering = ["level1__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["level1", "name"], name="level2_unique_name")]

    def __str__(self) -> str:
        return f"{self.level1.name} / {self.name}"
