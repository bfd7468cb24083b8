"""Forms of the editor: each validates one part of a table or plan, in Chinese.

Longer than 400 lines: one form per part of the editor (header, goal, value, indicator, plan
rows), sharing the value's parsing; split up they would import each other back and forth.

Choices that come from a framework are passed in by the view (already prefetched),
so building thirty row forms runs no query.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from perfgoals.goals import checks, values
from perfgoals.goals.fields import MoneyField, PercentField
from perfgoals.goals.saving import MergingForm, RowForm
from perfgoals.goals.models import GOAL, NOTE, PARAGRAPH, TABLE_HEADER_FIELDS, BasisCategory, DepartmentPlan, Direction, Indicator, ProjectTable

SPEND_FIELDS = [field for field, _ in checks.SPENDING_PLAN]
MONEY_FIELDS = ProjectTable.MONEY_FIELDS
MONEY_PLACEHOLDERS = {"万元": "如 50、50万元、500000元", "元": "如 123456.78、50万元"}

UNIT_SUGGESTIONS = ["%", "项", "个", "次", "人", "人次", "家", "户", "万元", "元", "天", "个工作日", "场", "期", "份", "篇", "批"]
PHRASE_SUGGESTIONS = [
    "达成预期指标", "部分达成预期指标并具有一定效果", "作用明显", "有效提升", "明显提升",
    "及时支付", "按时完成", "完全相符", "健全", "逐步健全", "持续发挥", "零发生", "明显下降",
]  # fmt: skip


def money(label: str) -> MoneyField:
    return MoneyField(label)


def percent(label: str) -> PercentField:
    return PercentField(label)


class HeaderForm(MergingForm):
    """表头: 项目编码, 项目名称, 预算规模及资金用途, 资金支出计划."""

    budget_total = money("预算数")
    budget_fiscal = money("财政资金")
    budget_other = money("其他资金")
    spend_mar = percent("3月底")
    spend_jun = percent("6月底")
    spend_oct = percent("10月底")
    spend_dec = percent("12月底")

    class Meta:
        model = ProjectTable
        fields = [
            "project_code", "project_name", "budget_total", "budget_fiscal", "budget_other",
            "fund_use", *SPEND_FIELDS, *TABLE_HEADER_FIELDS, "long_term_goal",
        ]  # fmt: skip
        error_messages = {"project_name": {"required": "请填写项目名称。"}}

    groups = (("budget_total", "budget_fiscal", "budget_other"), tuple(SPEND_FIELDS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        framework = self.instance.framework if self.instance.framework_id else None
        self.unit = framework.amount_unit if framework else "万元"  # the money boxes' unit, as the legend says
        for name in MONEY_FIELDS:
            self.fields[name].unit = self.unit
            if (value := getattr(self.instance, name)) is not None:  # 5.00 → 5; in 元 12.345678 → 123456.78
                self.initial[name] = self.fields[name].shown(value)
        for name in SPEND_FIELDS:
            if (value := getattr(self.instance, name)) is not None:  # 85.00 → 85, as the clerk would write it
                self.initial[name] = values.format_number(value)
        if framework and len(sources := framework.sources()) == 2:  # the framework's money block names them
            self.fields["budget_fiscal"].label, self.fields["budget_other"].label = sources
        if framework:
            self.fields["long_term_goal"].label = f"{framework.long_term_label or '中期'}目标"

    def shows_parts(self) -> bool:
        """财政资金 / 其他资金 here; a framework with other sources has its own 资金来源 form."""
        return not self.instance.framework_id or len(self.instance.framework.sources()) == 2

    def framework_fields(self) -> list:
        """The header fields the table's framework prints (项目期, 主管部门 …) and its 中期 goal."""
        framework = self.instance.framework if self.instance.framework_id else None
        if framework is None:
            return []
        shown = [self[k] for k in framework.header_keys() if k in TABLE_HEADER_FIELDS]
        return shown + ([self["long_term_goal"]] if framework.horizons != "annual" else [])

    def clean(self):
        data = super().clean()
        total, fiscal, other = (data.get(f) for f in ("budget_total", "budget_fiscal", "budget_other"))
        if not any(f in self.errors for f in ("budget_total", "budget_fiscal", "budget_other")):
            # The total is computed from its parts, or the missing part from the total.
            if total is None and fiscal is not None:
                total = data["budget_total"] = fiscal + (other or 0)
                other = data["budget_other"] = other or Decimal("0")
            elif total is not None and fiscal is not None and other is None and fiscal <= total:
                other = data["budget_other"] = total - fiscal
            if message := checks.budget_sum_error(total, fiscal, other, self.unit):
                self.add_error("budget_total", message)
        plan = [data.get(f) for f in SPEND_FIELDS]
        # A blank plan is incomplete, not wrong: the review reports it, the draft may be saved.
        if not any(f in self.errors for f in SPEND_FIELDS) and any(p is not None for p in plan):
            if errors := checks.spending_plan_errors(plan):
                self.add_error("spend_dec", errors[0][1])
        return data

    def _post_clean(self):
        super()._post_clean()
        # The code is unique per unit and year: the model's constraint, which names fields
        # this form does not edit (so ModelForm skips it); validated here with them.
        for message in constraint_errors(self.instance):
            self.add_error("project_code", message)

    @property
    def money_placeholder(self) -> str:
        return MONEY_PLACEHOLDERS[self.unit]

    def parts_total(self) -> Decimal | None:
        """财政资金 + 其他资金 as typed so far (None until at least one is a number)."""
        data = getattr(self, "cleaned_data", {})
        parts = [data.get("budget_fiscal"), data.get("budget_other")]
        if not self.is_bound or all(p is None for p in parts):
            return None
        return sum((p for p in parts if p is not None), Decimal("0"))

    def plan_is_complete(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(f) is not None for f in SPEND_FIELDS)


class SourcesForm(forms.Form):
    """资金来源: an amount for each source of a framework whose money block is not
    财政资金 / 其他资金 (一般公共预算, 政府性基金, 财政专户 …; 中央, 省, 市, 本级), typed in the
    framework's unit and kept (in `source_amounts`) in 万元 to the 分."""

    def __init__(self, *args, sources=(), initial_amounts=None, unit="万元", **kwargs):
        super().__init__(*args, **kwargs)
        self.sources, self.unit = list(sources), unit
        for n, name in enumerate(self.sources):
            self.fields[f"source_{n}"] = field = MoneyField(name, unit=unit)
            stored = (initial_amounts or {}).get(name)
            if stored not in (None, ""):
                self.initial[f"source_{n}"] = field.shown(stored)

    @property
    def placeholder(self) -> str:
        return MONEY_PLACEHOLDERS[self.unit]

    def amounts(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: values.format_money(data[f"source_{n}"]) for n, name in enumerate(self.sources)
                if data.get(f"source_{n}") is not None}


class GoalForm(RowForm):
    text = forms.CharField(
        label="绩效目标", max_length=GOAL, widget=forms.Textarea, error_messages={"required": "请填写绩效目标。"}
    )


class ValueForm(RowForm):
    """The value (指标值): one text field as people write it (`≥95%`, `20个以上`, `较好`), parsed by
    values.parse_value; or the split controls (定量 = 比较符 + 数值 + 计量单位, 定性 = 描述),
    kept as an optional detail.

    The one field decides when it was changed from what it showed (`base_value`), or when the
    split controls were not posted or agree with it; the split controls decide when only they
    were changed. So a clerk may use either, and typing in the one field always wins.
    """

    value = forms.CharField(label="指标值", required=False, max_length=200)
    base_value = forms.CharField(required=False, widget=forms.HiddenInput)
    value_kind = forms.ChoiceField(
        label="指标值类型", required=False,
        choices=[("", "—"), (values.QUANTITATIVE, "定量"), (values.QUALITATIVE, "定性")],
    )
    operator = forms.ChoiceField(label="比较符", required=False, choices=[("", "（无）"), *values.OPERATOR_CHOICES])
    number = forms.CharField(label="数值", required=False, max_length=30)
    unit = forms.CharField(label="计量单位", required=False, max_length=200)
    text = forms.CharField(label="定性指标值", required=False, max_length=500)

    SPLIT_FIELDS = ("value_kind", "operator", "number", "unit", "text")

    def clean(self):
        data = super().clean()
        one = self._one_field(data)
        data["one"] = one
        if one is not None:
            return self._clean_one(data, one)
        kind = data.get("value_kind")
        number_text = (data.get("number") or "").strip()
        if not kind:  # typed a number or a phrase without choosing: take what was typed
            kind = values.QUANTITATIVE if number_text else values.QUALITATIVE if (data.get("text") or "").strip() else ""
            data["value_kind"] = kind
        number = values.parse_number(number_text)
        unreadable = bool(number_text) and number is None
        if unreadable:
            self.add_error("number", "指标值的数值应为数字，如 20 或 98.5。")
        missing = checks.value_missing(values.Value(kind, "", number, "", data.get("text") or ""))
        if missing and not (unreadable and missing[0] == "number"):
            self.add_error(*missing)
        data["number_value"] = number
        return data

    def _one_field(self, data) -> str | None:
        """The one field's text when it decides the value, else None (the split controls do)."""
        if "value" not in self.data:
            return None
        typed = (data.get("value") or "").strip()
        if "base_value" not in self.data or typed != (data.get("base_value") or "").strip():
            return typed
        if not any(name in self.data for name in self.SPLIT_FIELDS):
            return typed
        parsed = values.parse_value(typed, name=data.get("name") or "")
        return typed if _structure(parsed) == self._split_structure(data) else None

    def _split_structure(self, data) -> tuple:
        kind = data.get("value_kind") or ""
        number = values.parse_number(data.get("number") or "")
        text = (data.get("text") or "").strip()
        if not kind:
            kind = values.QUANTITATIVE if number is not None else values.QUALITATIVE if text else ""
        if kind == values.QUANTITATIVE:
            unit = (data.get("unit") or "").strip()
            return kind, data.get("operator") or "", number, values.UNIT_ALIASES.get(unit, unit)
        return (kind, text) if kind else ()

    def _clean_one(self, data, typed: str):
        if message := values.unreadable(typed):
            self.add_error("value", message)
            return data
        value = values.parse_value(typed, name=data.get("name") or "")
        data.update(value_kind=value.kind, operator=value.operator, number_value=value.number, unit=value.unit,
                    text=value.text if value.kind == values.QUALITATIVE else "")  # fmt: skip
        return data

    def to_value(self, name: str = "") -> values.Value:
        data = self.cleaned_data
        if data.get("one") is not None:
            return values.parse_value(data["one"], name=name)
        if data.get("value_kind") == values.QUANTITATIVE:
            return values.quantitative(data["operator"], data["number_value"], data["unit"], name=name)
        if data.get("value_kind") == values.QUALITATIVE:
            return values.Value(values.QUALITATIVE, "", None, "", data["text"].strip())
        return values.Value()

    indicator_fields: tuple[str, ...] = ()  # an indicator form's own fields, read from the indicator

    @classmethod
    def for_indicator(cls, indicator, level2_choices, data=None):
        """An indicator form (with `level2_choices`): bound to `data` if given, else filled from `indicator`."""
        if data is not None:
            return cls(data, level2_choices=level2_choices)
        initial = {
            "level2": indicator.level2_id, "version": indicator.version,
            **{name: _shown(getattr(indicator, getattr(cls, "ATTRIBUTE", {}).get(name, name))) for name in cls.indicator_fields},
            **cls.initial_for(indicator),
        }  # fmt: skip
        return cls(initial=initial, level2_choices=level2_choices)

    @staticmethod
    def initial_for(obj) -> dict:
        value = obj.value
        return {
            "value": values.format_value(value),
            "base_value": values.format_value(value),
            "value_kind": value.kind,
            "operator": value.operator,
            "number": values.format_number(value.number),
            "unit": value.unit,
            "text": value.text if value.kind == values.QUALITATIVE else "",
        }


def _shown(value):  # a weight 10.00 shows as 10
    return values.format_number(value) if isinstance(value, Decimal) else value


def _structure(value: values.Value) -> tuple:
    if value.kind == values.QUANTITATIVE:
        return value.kind, value.operator, value.number, value.unit
    return (value.kind, value.text) if value.kind else ()


def preview_value(data) -> tuple[str, str]:
    """What the value typed so far prints as, and a word about it: why it cannot be read,
    or that it will print verbatim (a unit that is not a unit), or "" when all is well."""
    form = ValueForm(data)
    if not form.is_valid():
        errors = [e for name in ("value", "number", "text") for e in form.errors.get(name, [])]
        return "", errors[0] if errors else ""
    value = form.to_value(name=(data.get("name") or "").strip())
    if value.problem == values.UNIT_IS_NAME:
        return values.format_value(value), f"“{value.unit}”是指标名称，不是计量单位，将照原样打印，请改为计量单位（如 %、项、个）。"
    if value.problem:
        return values.format_value(value), f"“{value.unit}”不是计量单位，将照原样打印，请核对。"
    return values.format_value(value), ""


class IndicatorForm(ValueForm):
    level2 = forms.TypedChoiceField(label="二级指标", coerce=int, choices=[])
    name = forms.CharField(label="三级指标", max_length=200, error_messages={"required": "请填写三级指标名称。"})
    description = forms.CharField(label="绩效指标描述", required=False, max_length=NOTE, widget=forms.Textarea)
    basis = forms.CharField(label="指标值确定依据", required=False, max_length=NOTE, widget=forms.Textarea)

    # Columns some frameworks have (frameworks.models.COLUMNS): shown and posted where the table's has them.
    scoring = forms.CharField(label="评（扣）分标准", required=False, max_length=NOTE, widget=forms.Textarea)
    weight = forms.DecimalField(label="权重", required=False, min_value=0, max_digits=6, decimal_places=2, error_messages={
        "invalid": "权重应为数字，如 10。", "min_value": "权重不能为负数。", "max_digits": "权重太大。"})
    value_direction = forms.ChoiceField(label="指标方向", required=False, choices=[("", "—"), *Direction.choices])
    remark = forms.CharField(label="备注", required=False, max_length=NOTE, widget=forms.Textarea)
    basis_category = forms.ChoiceField(label="指标分类", required=False, choices=[("", "—"), *BasisCategory.choices])
    prior_value_1 = forms.CharField(label="前年值", required=False, max_length=100)
    prior_value_2 = forms.CharField(label="上年值", required=False, max_length=100)
    horizon = forms.ChoiceField(label="目标期限", required=False, choices=Indicator.HORIZON_CHOICES)

    EXTRA_FIELDS = ("scoring", "weight", "value_direction", "remark", "basis_category", "prior_value_1", "prior_value_2",
                    "horizon")
    ATTRIBUTE = {"value_direction": "direction"}  # the row's move buttons post "direction" (up/down)

    indicator_fields = ("name", "description", "basis", *EXTRA_FIELDS)

    def __init__(self, *args, level2_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level2"].choices = level2_choices
        self.fields["level2"].error_messages["invalid_choice"] = "请选择本指标体系中的二级指标。"

    def apply(self, indicator) -> None:
        data = self.cleaned_data
        indicator.level2_id = data["level2"]
        indicator.name = data["name"].strip()
        indicator.description = data["description"].strip()
        indicator.basis = data["basis"].strip()
        indicator.value = self.to_value(indicator.name)
        for name in self.EXTRA_FIELDS:
            if name in self.data:
                value = data[name]
                setattr(indicator, self.ATTRIBUTE.get(name, name), value.strip() if isinstance(value, str) else value)
        indicator.horizon = indicator.horizon or Indicator.ANNUAL


class NewTableForm(forms.Form):
    unit = forms.TypedChoiceField(label="预算单位", coerce=int, choices=[])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, error_messages={
        "invalid": "请输入四位年份，如 2026。", "min_value": "年度应在 2000 到 2100 之间。",
        "max_value": "年度应在 2000 到 2100 之间。"})  # fmt: skip
    framework = forms.TypedChoiceField(label="指标体系", coerce=int, choices=[])
    project_name = forms.CharField(label="项目名称", max_length=200, error_messages={"required": "请填写项目名称。"})
    project_code = forms.CharField(label="项目编码", max_length=50, required=False)

    def __init__(self, *args, units=(), frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["framework"].choices = [(f.pk, f.name) for f in frameworks]

    def clean(self):
        data = super().clean()
        if not self.errors:
            table = ProjectTable(unit_id=data["unit"], year=data["year"], project_code=data["project_code"])
            for message in constraint_errors(table):
                self.add_error("project_code", message)
        return data


def constraint_errors(document: ProjectTable | DepartmentPlan) -> list[str]:
    """The messages of the model's constraints a document would break, checked against the
    database: a table's project code, a plan, once per unit and year."""
    try:
        document.validate_constraints()
    except ValidationError as e:
        return e.messages
    return []


class CopyForm(forms.Form):
    """Where a copy goes: the unit (for templates) and the year."""

    unit = forms.TypedChoiceField(label="预算单位", coerce=int, choices=[])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, error_messages={
        "invalid": "请输入四位年份，如 2026。", "min_value": "年度应在 2000 到 2100 之间。",
        "max_value": "年度应在 2000 到 2100 之间。"})  # fmt: skip

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class PlanForm(MergingForm):
    class Meta:
        model = DepartmentPlan
        fields = [
            "overall_goal", "functions", "annual_tasks", "long_term_goal", "annual_goal",
            "contact_person", "contact_phone",
        ]  # fmt: skip


class NewPlanForm(forms.Form):
    unit = forms.TypedChoiceField(label="预算单位", coerce=int, choices=[])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, error_messages={
        "invalid": "请输入四位年份，如 2026。", "min_value": "年度应在 2000 到 2100 之间。",
        "max_value": "年度应在 2000 到 2100 之间。"})  # fmt: skip
    framework = forms.TypedChoiceField(label="指标体系", coerce=int, required=False, empty_value=None, choices=[])

    def __init__(self, *args, units=(), frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["framework"].choices = [("", "（不填部门整体指标表）"), *[(f.pk, f.name) for f in frameworks]]

    def clean(self):
        data = super().clean()
        if not self.errors:
            for message in constraint_errors(DepartmentPlan(unit_id=data["unit"], year=data["year"])):
                self.add_error("year", message)
        return data


class PlanItemForm(RowForm):
    text = forms.CharField(label="内容", max_length=PARAGRAPH, widget=forms.Textarea, error_messages={"required": "请填写内容。"})


class DepartmentIndicatorForm(ValueForm):
    level2 = forms.TypedChoiceField(label="二级指标", coerce=int, required=False, empty_value=None, choices=[])
    name = forms.CharField(label="三级指标", max_length=200, error_messages={"required": "请填写三级指标名称。"})
    description = forms.CharField(label="绩效指标描述", required=False, max_length=NOTE, widget=forms.Textarea)
    basis = forms.CharField(label="指标值确定依据", required=False, max_length=NOTE, widget=forms.Textarea)
    basis_category = forms.ChoiceField(label="指标分类", required=False, choices=[("", "—"), *BasisCategory.choices])
    prior_value_1 = forms.CharField(label="前年指标值", required=False, max_length=100)
    prior_value_2 = forms.CharField(label="上年指标值", required=False, max_length=100)

    def __init__(self, *args, level2_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level2"].choices = [("", "—"), *level2_choices]

    indicator_fields = ("name", "description", "basis", "basis_category", "prior_value_1", "prior_value_2")

    def apply(self, indicator, level1_of: dict) -> None:
        data = self.cleaned_data
        for field in ("name", "description", "basis", "basis_category", "prior_value_1", "prior_value_2"):
            setattr(indicator, field, data[field].strip())
        indicator.level2_id = data["level2"]
        indicator.level1_id = level1_of.get(data["level2"]) if data["level2"] else None
        indicator.value = self.to_value(indicator.name)


class FundingLineForm(RowForm):
    name = forms.CharField(label="项目", max_length=100, error_messages={"required": "请填写资金项目名称。"})
    amount = money("当年金额")
    prior_amount_1 = money("前年金额")
    prior_amount_2 = money("上年金额")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("amount", "prior_amount_1", "prior_amount_2"):  # 98577.390000 → 98577.39, as typed
            if isinstance(self.initial.get(name), Decimal):
                self.initial[name] = self.fields[name].shown(self.initial[name])
