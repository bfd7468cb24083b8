"""Project goal tables (项目绩效目标表) and department plans (部门整体绩效目标).

Longer than 400 lines: the documents and their rows belong together (one app's models,
read top to bottom); splitting them would scatter the shared Document and IndicatorFields.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from perfgoals.frameworks import structure
from perfgoals.frameworks.models import Framework, Level1, Level2
from perfgoals.goals import checks, values
from perfgoals.goals.versions import Versioned
from perfgoals.lib.models import Ordered, limited_char, limited_text
from perfgoals.units.access import unit_ids
from perfgoals.units.models import Membership, Unit

NON_NEGATIVE = MinValueValidator(Decimal("0"), message="金额不能为负数。")
PERCENT_RANGE = [
    MinValueValidator(Decimal("0"), message="百分比应在 0 到 100 之间。"),
    MaxValueValidator(Decimal("100"), message="百分比应在 0 到 100 之间。"),
]
# Length limits (characters) of what people write, well above the longest seed value (and the
# published tables': no cell over 284): 总体绩效目标 1,603, 说明 778, 分项目标 562, 资金用途 145,
# 绩效目标 140, 依据 73. tests/test_editor.py checks each is at least twice the longest seed value.
PROSE, FUND_USE, PARAGRAPH, GOAL, NOTE = 5000, 2000, 2000, 1000, 1000

YEAR_RANGE = [
    MinValueValidator(2000, message="年度应在 2000 到 2100 之间。"),
    MaxValueValidator(2100, message="年度应在 2000 到 2100 之间。"),
]


# Money is kept in 万元 to the 分: six decimals (0.000001 万元 = 0.01 元), so an amount typed in 元
# in a framework printed in 元 prints back exactly; 12 whole digits, as before.
MONEY_DIGITS, MONEY_DECIMALS = 18, 6


def money_field(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=MONEY_DIGITS, decimal_places=MONEY_DECIMALS, null=True, blank=True,
                               validators=[NON_NEGATIVE])


def percent_field(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_RANGE)


# The header fields a framework may print besides the project code (frameworks.models.HEADER_FIELDS).
TABLE_HEADER_FIELDS = ("period", "department", "implementer", "manager", "attribute")


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"


class BasisCategory(models.TextChoices):
    PLAN = "plan", "计划标准"
    INDUSTRY = "industry", "行业标准"
    HISTORY = "history", "历史标准"
    OTHER = "other", "其他标准"

    @classmethod
    def from_label(cls, label: str) -> str:
        """The value printed as `label` (指标分类 as read from a document), else ""."""
        return {text: value for value, text in cls.choices}.get((label or "").strip(), "")


class Direction(models.TextChoices):
    POSITIVE = "positive", "正向指标"
    NEGATIVE = "negative", "反向指标"

    @classmethod
    def from_label(cls, label: str) -> str:
        """正向 / 正向指标 / 反向 … as written in a table, else ""."""
        label = (label or "").strip()
        return cls.POSITIVE if label.startswith("正向") else cls.NEGATIVE if label.startswith("反向") else ""


class DocumentQuerySet(models.QuerySet):
    """Tables and plans, narrowed to what a user may see or do (NetBox's `.restrict`)."""

    _with_structure = False

    def with_structure(self) -> "DocumentQuerySet":
        """With each document's framework and its categories, columns and rule switches, these
        from what the process keeps (frameworks.structure) instead of four more queries."""
        clone = self.select_related("framework")
        clone._with_structure = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_structure = self._with_structure
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is not None
        super()._fetch_all()
        if self._with_structure and not fetched:
            structure.attach(doc.framework for doc in self._result_cache if isinstance(doc, models.Model))

    def restrict(self, user, action: str = "view") -> "DocumentQuerySet":
        """The documents the user may `action` ("view", "print", "edit" or "review").

        Anything else is simply not found. "edit" and "review" narrow by role only:
        whether the document's state allows the action now is `access.can`'s question,
        so a visible but locked table answers 403, not 404.
        """
        if not user.is_authenticated:
            return self.none()
        if action in ("view", "print"):
            ids = unit_ids(user)
            return self if ids is None else self.filter(models.Q(unit__in=ids) | models.Q(is_template=True))
        if action == "edit":
            ids = unit_ids(user, Membership.CLERK)  # None: an administrator, who may edit templates too
            return self if ids is None else self.filter(is_template=False, unit__in=ids)
        if action == "review":
            ids = unit_ids(user, Membership.SUPERVISOR)
            queryset = self.filter(is_template=False)
            return queryset if ids is None else queryset.filter(unit__in=ids)
        raise ValueError(f"unknown action {action!r}")

    def of_year(self, unit, year: int, *, templates: bool = False) -> list:
        """The documents of a unit's year as the department book holds them: for each chain of
        revisions, the newest approved revision, else the newest one; in book order.

        The book prints these and its completeness status counts these, so both agree.
        """
        docs = list(self.filter(unit=unit, year=year, is_template=templates))
        by_pk = {d.pk: d for d in docs}
        superseded = {d.previous_id for d in docs if d.previous_id}
        chosen = []
        for head in (d for d in docs if d.pk not in superseded):
            cursor = head
            while cursor is not None and cursor.status != Status.APPROVED:
                cursor = by_pk.get(cursor.previous_id)
            chosen.append(cursor or head)
        return chosen


class Document(Versioned):
    """What a project table and a department plan share: owner, year, state."""

    kind = ""  # "table" or "plan": the word in URLs and access checks
    kind_label = ""  # what a user reads: 绩效目标表 / 部门整体绩效目标

    objects = DocumentQuerySet.as_manager()

    unit = models.ForeignKey(Unit, models.PROTECT, verbose_name="预算单位")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_RANGE)
    is_template = models.BooleanField("模板", default=False, help_text="模板库中的范例，可供复制。")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveSmallIntegerField("版本", default=1)
    source = limited_char("来源", 200, blank=True, help_text="导入的文件名或复制来源。")
    created = models.DateTimeField("创建时间", auto_now_add=True)
    updated = models.DateTimeField("最后修改", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="提交人"
    )
    approved_at = models.DateTimeField("通过时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    previous = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="上一版本",
        help_text="调整时复制出新版本，指向被调整的已通过版本。",
    )
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="复制来源",
        help_text="由模板或上年表格复制时的来源。",
    )

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(f"{self.kind}_edit", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class ProjectTable(Document):
    kind = "table"
    kind_label = "绩效目标表"
    MONEY_FIELDS = ("budget_total", "budget_fiscal", "budget_other")  # amounts, in 万元 (to the 分)

    framework = models.ForeignKey(Framework, models.PROTECT, verbose_name="指标体系")
    project_code = limited_char("项目编码", 50, blank=True)
    project_name = limited_char("项目名称", 200)
    budget_total = money_field("预算数")
    budget_fiscal = money_field("财政资金")
    budget_other = money_field("其他资金")
    fund_use = limited_text("资金用途", FUND_USE, blank=True)
    spend_mar = percent_field("3月底")
    spend_jun = percent_field("6月底")
    spend_oct = percent_field("10月底")
    spend_dec = percent_field("12月底")
    explanation = limited_text("说明", PROSE, blank=True, help_text="承德版式表前的文字说明。")
    # Header fields some frameworks print (frameworks.models.HEADER_FIELDS).
    period = limited_char("项目期", 50, blank=True)
    department = limited_char("主管部门", 100, blank=True)
    implementer = limited_char("实施单位", 100, blank=True)
    manager = limited_char("项目负责人", 50, blank=True)
    attribute = limited_char("项目属性", 50, blank=True)
    long_term_goal = limited_text("中期（长期）目标", GOAL, blank=True,
                                  help_text="指标体系有中期或长期目标时填写。")
    source_amounts = models.JSONField("各来源金额", default=dict, blank=True,
                                      help_text="指标体系的资金来源不是“财政资金、其他资金”时，各来源的金额（万元）。")
    position = models.PositiveIntegerField("序号", default=0, help_text="在部门文本中的顺序。")
    history = HistoricalRecords(verbose_name="项目绩效目标表修改记录")

    class Meta:
        verbose_name = "项目绩效目标表"
        verbose_name_plural = "项目绩效目标表"
        ordering = ["unit__code", "-year", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "project_code", "revision", "is_template"],
                condition=~models.Q(project_code=""),
                name="table_unique_code_per_year",
                violation_error_message="本单位该年度已有相同项目编码的绩效目标表。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.project_name}"

    @property
    def spending_plan(self) -> list[Decimal | None]:
        return [self.spend_mar, self.spend_jun, self.spend_oct, self.spend_dec]


class Goal(Versioned, Ordered):
    table = models.ForeignKey(ProjectTable, models.CASCADE, related_name="goals", verbose_name="绩效目标表")
    text = limited_text("绩效目标", GOAL)
    history = HistoricalRecords(verbose_name="绩效目标修改记录")

    class Meta(Ordered.Meta):
        verbose_name = "绩效目标"
        verbose_name_plural = "绩效目标"

    def __str__(self) -> str:
        return self.text


class ValueFields(Versioned):
    """The structured value (指标值) shared by project and department indicators."""

    value_kind = models.CharField(
        "指标值类型", max_length=20, blank=True, choices=[(values.QUANTITATIVE, "定量"), (values.QUALITATIVE, "定性")]
    )
    operator = models.CharField("比较符", max_length=2, blank=True, choices=values.OPERATOR_CHOICES)
    number = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    unit = limited_char("计量单位", 200, blank=True)
    text = limited_char("定性描述", 500, blank=True)
    value_raw = limited_char("原文指标值", 500, blank=True, help_text="无法规范解析时保留的原文，原样打印。")

    class Meta:
        abstract = True

    @property
    def value(self) -> values.Value:
        if self.value_raw:
            # A value kept as written is read again: its problem reflects the current name, and
            # one today's reading understands (a date, 2026年12月底前) is no longer flagged.
            parsed = values.parse_value(self.value_raw, name=self.name)
            if parsed.problem or parsed.kind == values.QUALITATIVE:
                return parsed
        return values.Value(self.value_kind, self.operator, self.number, self.unit, self.text, self.value_raw)

    @value.setter
    def value(self, value: values.Value) -> None:
        self.value_kind = value.kind
        self.operator = value.operator
        self.number = value.number
        self.unit = value.unit
        self.text = value.text
        self.value_raw = value.raw

    @property
    def value_display(self) -> str:
        return values.format_value(self.value)

    @property
    def value_cells(self) -> tuple[str, str, str]:
        return values.split_cells(self.value)

    def clean(self) -> None:
        super().clean()
        value = values.Value(self.value_kind, self.operator, self.number, self.unit, self.text, self.value_raw)
        if missing := checks.value_missing(value):
            raise ValidationError(dict([missing]))


class IndicatorFields(ValueFields):
    """A third-level indicator (三级指标) as both project tables and department plans write it."""

    name = limited_char("三级指标", 200)
    description = limited_text("绩效指标描述", NOTE, blank=True)
    basis = limited_text("指标值确定依据", NOTE, blank=True)
    basis_category = models.CharField("指标分类", max_length=20, blank=True, choices=BasisCategory.choices)
    prior_value_1 = limited_char("前年指标值", 100, blank=True)
    prior_value_2 = limited_char("上年指标值", 100, blank=True)
    # Columns only some frameworks print (frameworks.models.COLUMNS): the editor shows them
    # where the table's framework has the column.
    scoring = limited_text("评（扣）分标准", NOTE, blank=True)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal("0"), message="权重不能为负数。")])
    direction = models.CharField("指标方向", max_length=10, blank=True, choices=Direction.choices)
    remark = limited_text("备注", NOTE, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Indicator(IndicatorFields):
    LONG_TERM = "long_term"
    ANNUAL = "annual"
    HORIZON_CHOICES = [(LONG_TERM, "中期（长期）"), (ANNUAL, "年度")]

    table = models.ForeignKey(ProjectTable, models.CASCADE, related_name="indicators", verbose_name="绩效目标表")
    level2 = models.ForeignKey(Level2, models.PROTECT, verbose_name="二级指标")
    horizon = models.CharField("目标期限", max_length=20, choices=HORIZON_CHOICES, default=ANNUAL)
    history = HistoricalRecords(verbose_name="三级指标修改记录")

    class Meta:
        verbose_name = "三级指标"
        verbose_name_plural = "三级指标"
        ordering = ["order", "id"]

    @property
    def level1(self) -> Level1:
        return self.level2.level1


class DepartmentPlan(Document):
    kind = "plan"
    kind_label = "部门整体绩效目标"

    framework = models.ForeignKey(
        Framework, models.PROTECT, null=True, blank=True, verbose_name="指标体系",
        help_text="部门整体指标表所用的指标体系；没有指标表的可不选。",
    )
    overall_goal = limited_text("总体绩效目标", PROSE, blank=True)
    functions = limited_text("部门职能概述", PROSE, blank=True)
    annual_tasks = limited_text("年度工作任务", PROSE, blank=True)
    long_term_goal = limited_text("长期目标", PROSE, blank=True)
    annual_goal = limited_text("年度目标", PROSE, blank=True)
    contact_person = limited_char("填报人", 50, blank=True)
    contact_phone = limited_char("联系电话", 50, blank=True)
    history = HistoricalRecords(verbose_name="部门整体绩效目标修改记录")

    class Meta:
        verbose_name = "部门整体绩效目标"
        verbose_name_plural = "部门整体绩效目标"
        ordering = ["unit__code", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "revision", "is_template"],
                name="plan_unique_per_year",
                violation_error_message="本单位该年度已有部门整体绩效目标。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit.name} 部门整体绩效目标"

    @property
    def sub_goals(self):
        return self.items.filter(kind=PlanItem.SUB_GOAL)

    @property
    def safeguards(self):
        return self.items.filter(kind=PlanItem.SAFEGUARD)

    def funding(self, kind: str) -> list["FundingLine"]:
        return [line for line in self.funding_lines.all() if line.kind == kind]

    def funding_total(self, kind: str, field: str = "amount") -> Decimal | None:
        amounts = [getattr(line, field) for line in self.funding(kind)]
        present = [a for a in amounts if a is not None]
        return sum(present, Decimal("0")) if present else None


class PlanItem(Versioned):
    SUB_GOAL = "sub_goal"
    SAFEGUARD = "safeguard"
    KIND_CHOICES = [(SUB_GOAL, "分项绩效目标"), (SAFEGUARD, "工作保障措施")]

    plan = models.ForeignKey(DepartmentPlan, models.CASCADE, related_name="items", verbose_name="部门整体绩效目标")
    kind = models.CharField("类别", max_length=20, choices=KIND_CHOICES)
    text = limited_text("内容", PARAGRAPH)
    order = models.PositiveIntegerField("排序", default=0)
    history = HistoricalRecords(verbose_name="分项目标与保障措施修改记录")

    class Meta:
        verbose_name = "分项目标与保障措施"
        verbose_name_plural = "分项目标与保障措施"
        ordering = ["kind", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class DepartmentIndicator(IndicatorFields):
    LONG_TERM = "long_term"
    ANNUAL = "annual"
    HORIZON_CHOICES = [(LONG_TERM, "长期绩效指标"), (ANNUAL, "年度绩效指标")]

    plan = models.ForeignKey(DepartmentPlan, models.CASCADE, related_name="indicators", verbose_name="部门整体绩效目标")
    horizon = models.CharField("目标期限", max_length=20, choices=HORIZON_CHOICES, default=ANNUAL)
    level1 = models.ForeignKey(Level1, models.PROTECT, null=True, blank=True, verbose_name="一级指标")
    level2 = models.ForeignKey(Level2, models.PROTECT, null=True, blank=True, verbose_name="二级指标")
    history = HistoricalRecords(verbose_name="部门整体绩效指标修改记录")

    class Meta:
        verbose_name = "部门整体绩效指标"
        verbose_name_plural = "部门整体绩效指标"
        ordering = ["horizon", "order", "id"]


class FundingLine(Versioned, Ordered):
    INCOME = "income"
    EXPENSE = "expense"
    KIND_CHOICES = [(INCOME, "收入构成"), (EXPENSE, "支出构成")]

    plan = models.ForeignKey(DepartmentPlan, models.CASCADE, related_name="funding_lines", verbose_name="部门整体绩效目标")
    kind = models.CharField("类别", max_length=20, choices=KIND_CHOICES)
    name = limited_char("项目", 100)
    amount = money_field("当年金额")
    prior_amount_1 = money_field("前年金额")
    prior_amount_2 = money_field("上年金额")
    history = HistoricalRecords(verbose_name="部门资金情况修改记录")

    class Meta(Ordered.Meta):
        verbose_name = "部门资金情况"
        verbose_name_plural = "部门资金情况"

    def __str__(self) -> str:
        return self.name

    @property
    def share(self) -> Decimal | None:
        """占比: this line's share of its kind's total, in percent."""
        total = self.plan.funding_total(self.kind)
        if self.amount is None or not total:
            return None
        return (self.amount * 100 / total).quantize(Decimal("1"))
