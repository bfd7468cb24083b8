from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from perfgoals.frameworks.models import Level2
from perfgoals.goals.models import (
    DepartmentIndicator, DepartmentPlan, FundingLine, Goal, Indicator, PlanItem, ProjectTable,
)
from perfgoals.goals import checks, values
from perfgoals.goals.resources import IndicatorResource, ProjectTableResource
from perfgoals.lib.params import to_int
from perfgoals.units.admin import ReadOnlyHistoryAdmin, SpreadsheetAdmin

SMALL_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}
# Rows of indicators are wide: keep each cell narrow.
NARROW_ROW = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 22})},
    models.CharField: {"widget": forms.TextInput(attrs={"size": 10})},
}
DOCUMENT_READONLY = ["created", "updated", "submitted_at", "submitted_by", "approved_at", "approved_by"]


class RowsLimitForm(forms.ModelForm):
    """A table's or plan's change form: saves nothing when the rows of its inlines, as posted
    with it, are more than a document may hold (checks.rows_over_limit, as the editor)."""

    row_prefixes: tuple[str, ...] = ()  # the inline formsets' prefixes: their related names

    def clean(self):
        data = super().clean()
        rows = 0
        for prefix in self.row_prefixes:
            total = to_int(self.data.get(f"{prefix}-TOTAL_FORMS", "")) or 0
            deleted = [key for key, value in self.data.items()
                       if key.startswith(f"{prefix}-") and key.endswith("-DELETE") and value]  # fmt: skip
            rows += max(0, total - len(deleted))
        if too_many := checks.rows_over_limit(rows):
            raise ValidationError(too_many)
        return data


class IndicatorAdminForm(forms.ModelForm):
    """An indicator added on its own page: refused when its table is full (checks.rows_over_limit)."""

    def clean(self):
        data = super().clean()
        table = data.get("table")
        if self.instance.pk is None and table is not None:
            if too_many := checks.rows_over_limit(table.goals.count() + table.indicators.count() + 1, adding=True):
                raise ValidationError(too_many)
        return data


class TableAdminForm(RowsLimitForm):
    row_prefixes = ("goals", "indicators")


class PlanAdminForm(RowsLimitForm):
    row_prefixes = ("items", "indicators", "funding_lines")


def limit_level2(form_class, framework) -> None:
    """Offer only the level-2 categories of the table's own framework, as a plain choice."""
    field = form_class.base_fields.get("level2")
    if field is None:
        return
    queryset = Level2.objects.select_related("level1")
    if framework is not None:
        queryset = queryset.filter(level1__framework=framework)
    field.queryset = queryset
    for action in ["add", "change", "delete", "view"]:
        setattr(field.widget, f"can_{action}_related", False)


class GoalInline(admin.TabularInline):
    model = Goal
    fields = ["order", "text"]
    formfield_overrides = SMALL_TEXT
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = [
        "order", "level2", "name", "description", "value_display",
        "value_kind", "operator", "number", "unit", "text", "basis", "basis_category",
    ]  # fmt: skip
    readonly_fields = ["value_display"]
    formfield_overrides = NARROW_ROW
    show_change_link = True
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        limit_level2(formset.form, obj.framework if obj else None)
        return formset

    @admin.display(description="指标值（打印）")
    def value_display(self, indicator: Indicator) -> str:
        return indicator.value_display


@admin.register(ProjectTable)
class ProjectTableAdmin(SpreadsheetAdmin, ReadOnlyHistoryAdmin):
    form = TableAdminForm
    resource_classes = [ProjectTableResource]
    list_display = [
        "project_name", "unit", "year", "project_code", "framework",
        "budget", "status", "revision", "is_template",
    ]  # fmt: skip
    list_filter = ["status", "is_template", "year", "framework"]
    search_fields = ["project_name", "project_code", "unit__code", "unit__name"]
    list_select_related = ["unit", "framework"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["previous", "copied_from"]
    readonly_fields = DOCUMENT_READONLY
    date_hierarchy = "created"
    inlines = [GoalInline, IndicatorInline]

    @admin.display(description="预算数（万元）", ordering="budget_total")
    def budget(self, table: ProjectTable) -> str:
        return values.format_money(table.budget_total) or "—"

    fieldsets = [
        (None, {"fields": ["unit", "year", "framework", "project_code", "project_name", "position"]}),
        ("资金", {"fields": ["budget_total", "budget_fiscal", "budget_other", "fund_use"]}),
        ("资金支出计划（累计百分比）", {"fields": ["spend_mar", "spend_jun", "spend_oct", "spend_dec"]}),
        (None, {"fields": ["explanation"]}),
        ("按指标体系打印的项目", {"fields": ["period", "department", "implementer", "manager", "attribute",
                                         "long_term_goal", "source_amounts"], "classes": ["collapse"]}),
        ("状态", {"fields": ["status", "revision", "is_template", "source", *DOCUMENT_READONLY,
                            "previous", "copied_from"]}),
    ]  # fmt: skip


@admin.register(Indicator)
class IndicatorAdmin(SpreadsheetAdmin, ReadOnlyHistoryAdmin):
    form = IndicatorAdminForm
    resource_classes = [IndicatorResource]
    list_display = ["name", "table", "level1", "level2_name", "value_display", "basis_category"]
    list_filter = [
        "level2__level1__framework", "basis_category", "table__year", "table__is_template",
        ("value_raw", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["name", "description", "basis", "table__project_name", "table__project_code"]
    list_select_related = ["table", "level2__level1"]
    autocomplete_fields = ["table"]
    readonly_fields = ["value_display"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        limit_level2(form, obj.table.framework if obj else None)
        return form

    @admin.display(description="一级指标", ordering="level2__level1__order")
    def level1(self, indicator: Indicator) -> str:
        return indicator.level2.level1.name

    @admin.display(description="二级指标", ordering="level2__order")
    def level2_name(self, indicator: Indicator) -> str:
        return indicator.level2.name

    @admin.display(description="指标值")
    def value_display(self, indicator: Indicator) -> str:
        return indicator.value_display


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fields = ["kind", "order", "text"]
    formfield_overrides = SMALL_TEXT
    extra = 0


class DepartmentIndicatorInline(admin.TabularInline):
    model = DepartmentIndicator
    fields = [
        "horizon", "order", "level1", "level2", "name", "value_display", "value_kind", "operator",
        "number", "unit", "text", "prior_value_1", "prior_value_2",
    ]  # fmt: skip
    readonly_fields = ["value_display"]
    formfield_overrides = NARROW_ROW
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        framework = obj.framework if obj else None
        limit_level2(formset.form, framework)
        level1 = formset.form.base_fields.get("level1")
        if level1 is not None and framework is not None:
            level1.queryset = level1.queryset.filter(framework=framework)
        return formset

    @admin.display(description="指标值（打印）")
    def value_display(self, indicator: DepartmentIndicator) -> str:
        return indicator.value_display


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    fields = ["kind", "order", "name", "amount", "prior_amount_1", "prior_amount_2"]
    extra = 0


@admin.register(DepartmentPlan)
class DepartmentPlanAdmin(ReadOnlyHistoryAdmin):
    form = PlanAdminForm
    list_display = ["__str__", "unit", "year", "framework", "status", "revision", "is_template"]
    list_filter = ["status", "is_template", "year"]
    search_fields = ["unit__code", "unit__name", "overall_goal"]
    list_select_related = ["unit", "framework"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["previous", "copied_from"]
    readonly_fields = DOCUMENT_READONLY
    inlines = [PlanItemInline, DepartmentIndicatorInline, FundingLineInline]
