"""Indicator frameworks (指标体系): a province's whole table as data.

A framework holds its level-1 and level-2 categories (each level-2 required, optional or
"may be 不涉及"), the indicator columns it prints (chosen from `COLUMNS`, each with its
printed heading, order and width), its goal horizons, its money block (sources, amount
unit), the header fields it prints, and the print layout (PrintLayout) it points to. An
administrator edits all of it in the admin, or exports and imports it as JSON
(perfgoals.frameworks.definition); nothing in the code names a province.

A category label as typed or dumped from Word is matched to these categories by
perfgoals.goals.values.find_level1 / find_level2 (the one label parser).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save

from perfgoals.frameworks import structure
from perfgoals.lib.models import Ordered

# The known indicator columns: key → (default printed heading, kind). The key names the
# Indicator field (or value part) the column prints; "level1"/"level2" are the categories.
COLUMNS = {
    "level1": ("一级指标", "category"),
    "level2": ("二级指标", "category"),
    "name": ("三级指标", "text"),
    "description": ("绩效指标描述", "text"),
    "value": ("指标值", "value"),
    "operator": ("指标性质", "value_part"),
    "number": ("指标值", "value_part"),
    "unit": ("度量单位", "value_part"),
    "basis": ("指标值确定依据", "text"),
    "basis_category": ("指标分类", "choice"),
    "scoring": ("评（扣）分标准", "text"),
    "weight": ("权重", "number"),
    "direction": ("指标方向", "choice"),
    "prior_value_1": ("前年值", "text"),
    "prior_value_2": ("上年值", "text"),
    "remark": ("备注", "text"),
}
COLUMN_CHOICES = [(key, f"{heading}（{key}）") for key, (heading, _) in COLUMNS.items()]

# The header fields a table may print: key → printed label (the ProjectTable field).
HEADER_FIELDS = {
    "project_code": "项目编码",
    "period": "项目期",
    "department": "主管部门",
    "implementer": "实施单位",
    "manager": "项目负责人",
    "attribute": "项目属性",
}


class PrintLayout(models.Model):
    """How a framework's table is printed: the template, title, unit line, orientation,
    footer lines and whether category cells are merged."""

    GENERIC = "generic"
    TEMPLATE_CHOICES = [
        (GENERIC, "按定义排版（通用）"),
        ("hebei", "河北版式（固定模板）"),
        ("split", "承德版式：符号、值、单位三栏（固定模板）"),
        ("hubei-department", "湖北部门整体绩效目标表（固定模板）"),
    ]
    PORTRAIT, LANDSCAPE = "portrait", "landscape"

    code = models.SlugField("代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    template = models.CharField("模板", max_length=30, choices=TEMPLATE_CHOICES, default=GENERIC,
                                help_text="通用：按指标体系的列、标题、页脚排版；其余为已有的固定版式。")
    title_pattern = models.CharField("标题", max_length=200, default="{project_name}绩效目标表",
                                     help_text="可用 {project_name}、{year}、{unit}。")
    unit_line = models.CharField("单位行", max_length=100, blank=True, default="单位：{amount_unit}",
                                 help_text="表上方右侧，可用 {amount_unit}。留空不印。")
    orientation = models.CharField("纸张方向", max_length=20, default=PORTRAIT,
                                   choices=[(PORTRAIT, "纵向"), (LANDSCAPE, "横向")])
    footer_lines = models.TextField("表下文字", blank=True, max_length=1000,
                                    help_text="每行一项，如：填表人：　联系电话：　单位负责人签字：")
    merge_categories = models.BooleanField("合并一级、二级指标单元格", default=True,
                                           help_text="不勾选：每行都印一级、二级指标。")

    class Meta:
        verbose_name = "打印版式"
        verbose_name_plural = "打印版式"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def footers(self) -> list[str]:
        return [line.strip() for line in self.footer_lines.splitlines() if line.strip()]

    PLACEHOLDERS = {"project_name": "项目", "year": 2026, "unit": "单位", "amount_unit": "万元"}

    def clean(self) -> None:
        """A title or unit line names only the placeholders it may use, with balanced braces."""
        errors = {}
        for field in ("title_pattern", "unit_line"):
            try:
                getattr(self, field).format(**self.PLACEHOLDERS)
            except (KeyError, IndexError, ValueError):
                names = "、".join("{" + k + "}" for k in self.PLACEHOLDERS)
                errors[field] = f"只能使用 {names}，花括号要成对；要印花括号本身请写两次，如 {{{{。"
        if errors:
            raise ValidationError(errors)


class Framework(Ordered):
    PROJECT = "project"
    DEPARTMENT = "department"
    KIND_CHOICES = [(PROJECT, "项目支出"), (DEPARTMENT, "部门整体")]

    # How the value is printed: one cell (≥20项) or three (符号 | 值 | 单位).
    VALUE_ONE_CELL = "one_cell"
    VALUE_SPLIT = "split"
    VALUE_LAYOUT_CHOICES = [(VALUE_ONE_CELL, "指标值一栏"), (VALUE_SPLIT, "符号、值、单位三栏")]

    ANNUAL, TWO_GRIDS, SIDE_BY_SIDE = "annual", "two_grids", "side_by_side"
    HORIZON_CHOICES = [
        (ANNUAL, "仅年度"),
        (TWO_GRIDS, "长期、年度两张表"),
        (SIDE_BY_SIDE, "中期（实施期）与年度并列一表"),
    ]
    WAN, YUAN = "万元", "元"

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
    horizons = models.CharField("目标期限", max_length=20, choices=HORIZON_CHOICES, default=ANNUAL)
    long_term_label = models.CharField("长期目标名称", max_length=20, default="中期", blank=True,
                                       help_text="如 中期、长期、实施期。")
    money_sources = models.TextField("资金来源", blank=True, default="财政资金\n其他资金", max_length=500,
                                     help_text="每行一项，如 财政资金、其他资金；或 一般公共预算、政府性基金……；或 中央、省、市、本级。")
    amount_unit = models.CharField("金额单位", max_length=4, default=WAN, choices=[(WAN, "万元"), (YUAN, "元")])
    header_fields = models.CharField("表头项目", max_length=200, blank=True, default="project_code",
                                     help_text="打印的表头项目代码，逗号分隔：" + "、".join(f"{k} {v}" for k, v in HEADER_FIELDS.items()))
    layout = models.ForeignKey(PrintLayout, models.PROTECT, null=True, blank=True, related_name="frameworks",
                               verbose_name="打印版式")
    version = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name="上一版本", help_text="复制为新版本时指向原指标体系。")
    # Replaced whenever the categories, columns or rule switches change (frameworks.structure).
    structure_stamp = models.CharField(max_length=32, default=structure.new_stamp, editable=False)

    class Meta(Ordered.Meta):
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A save of the framework itself may come from a form read before its categories
        # changed: a new stamp, so that never brings an older stamp back.
        self.structure_stamp = structure.new_stamp()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "structure_stamp"}
        super().save(*args, **kwargs)

    def level2_list(self) -> list["Level2"]:
        """Every level-2 category, in printed order, with its level-1 attached."""
        return [l2 for l1 in self.levels1.all() for l2 in l1.levels2.all()]

    def column_list(self) -> list["Column"]:
        return list(self.columns.all())

    def column_keys(self) -> set[str]:
        return {c.key for c in self.columns.all()}

    def has_column(self, key: str) -> bool:
        return key in self.column_keys()

    def sources(self) -> list[str]:
        return [line.strip() for line in self.money_sources.splitlines() if line.strip()]

    def header_keys(self) -> list[str]:
        return [k.strip() for k in self.header_fields.split(",") if k.strip()]

    def template_key(self) -> str:
        """Which print template: the layout's, else the one the value layout implies (as before layouts were data)."""
        if self.layout_id:
            return self.layout.template
        if self.kind == self.DEPARTMENT:
            return "hubei-department"
        return "split" if self.value_layout == self.VALUE_SPLIT else "hebei"


class Column(models.Model):
    """One printed indicator column of a framework: which field, its heading, order and width."""

    framework = models.ForeignKey(Framework, models.CASCADE, related_name="columns", verbose_name="指标体系")
    key = models.CharField("列", max_length=30, choices=COLUMN_CHOICES)
    heading = models.CharField("打印标题", max_length=50, blank=True, help_text="留空用该列的默认标题。")
    order = models.PositiveIntegerField("排序", default=0)
    width = models.PositiveSmallIntegerField("宽度（%）", default=10)

    class Meta:
        verbose_name = "指标列"
        verbose_name_plural = "指标列"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["framework", "key"], name="column_unique_key")]

    def __str__(self) -> str:
        return self.printed_heading

    @property
    def printed_heading(self) -> str:
        return self.heading or COLUMNS.get(self.key, ("",))[0]

    @property
    def kind(self) -> str:
        return COLUMNS.get(self.key, ("", ""))[1]


class Level1(Ordered):
    framework = models.ForeignKey(
        Framework, models.CASCADE, related_name="levels1", verbose_name="指标体系"
    )
    name = models.CharField("一级指标", max_length=50)
    weight = models.PositiveSmallIntegerField("分值", null=True, blank=True,
                                              help_text="该一级指标的总分值（权重）；只有带“权重”列的指标体系可设。")

    class Meta(Ordered.Meta):
        verbose_name = "一级指标"
        verbose_name_plural = "一级指标"
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="level1_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Level2(models.Model):
    REQUIRED, OPTIONAL, MAY_BE_NA = "required", "optional", "may_be_na"
    REQUIREMENT_CHOICES = [(REQUIRED, "必填"), (OPTIONAL, "选填"), (MAY_BE_NA, "可填“不涉及”并说明理由")]

    level1 = models.ForeignKey(Level1, models.CASCADE, related_name="levels2", verbose_name="一级指标")
    name = models.CharField("二级指标", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    is_cost = models.BooleanField(
        "成本类", default=False, help_text="成本指标：金额不应超过项目预算。"
    )
    requirement = models.CharField("填写要求", max_length=20, choices=REQUIREMENT_CHOICES, default=OPTIONAL)

    class Meta:
        verbose_name = "二级指标"
        verbose_name_plural = "二级指标"
        ordering = ["level1__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["level1", "name"], name="level2_unique_name")]

    def __str__(self) -> str:
        return f"{self.level1.name} / {self.name}"


for model in (Level1, Level2, Column):
    post_save.connect(structure.on_change, sender=model, dispatch_uid=f"structure-{model.__name__}-save")
    post_delete.connect(structure.on_change, sender=model, dispatch_uid=f"structure-{model.__name__}-delete")
