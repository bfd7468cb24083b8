"""django-import-export resources: project tables and indicators as spreadsheets in
the admin, with Chinese column headers (units: perfgoals.units.resources), and one
table's indicator rows in the editor (`TableIndicatorResource`, exchange.rowfile).

Related objects are named by their codes (单位编码, 指标体系代码), an indicator's
categories by their Chinese names, and its value in the printed form (≥20项), which
is parsed back with the one value parser on import. Text that looks like a formula is
neutralised on export (perfgoals.lib.cells). Indicators are imported only into a table
that may be changed now (a draft or a returned table).
"""

import copy

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from perfgoals.frameworks.models import Framework
from perfgoals.goals import checks, values, versions
from perfgoals.goals.models import BasisCategory, Direction, Indicator, ProjectTable
from perfgoals.lib.cells import NeutralisedResource
from perfgoals.units.models import Unit


class MoneyWidget(widgets.DecimalWidget):
    """An amount (万元) written as printed, to the 分 (values.format_money): 5.00, 12.345678;
    a spreadsheet that keeps numbers gets the number."""

    def render(self, value, obj=None, **kwargs):
        if value is None or not self.coerce_to_string or kwargs.get("force_native_type"):
            return super().render(value, obj, **kwargs)
        return values.format_money(value)


class ProjectTableResource(NeutralisedResource, resources.ModelResource):
    id = fields.Field("id", "编号")
    unit = fields.Field("unit", "单位编码", widgets.ForeignKeyWidget(Unit, "code"))
    unit_name = fields.Field("unit__name", "单位名称", readonly=True)
    year = fields.Field("year", "年度", widgets.IntegerWidget())
    framework = fields.Field("framework", "指标体系代码", widgets.ForeignKeyWidget(Framework, "code"))
    project_code = fields.Field("project_code", "项目编码")
    project_name = fields.Field("project_name", "项目名称")
    budget_total = fields.Field("budget_total", "预算数（万元）", MoneyWidget())
    budget_fiscal = fields.Field("budget_fiscal", "其中：财政资金", MoneyWidget())
    budget_other = fields.Field("budget_other", "其他资金", MoneyWidget())
    fund_use = fields.Field("fund_use", "资金用途")
    spend_mar = fields.Field("spend_mar", "3月底支出（%）", widgets.DecimalWidget())
    spend_jun = fields.Field("spend_jun", "6月底支出（%）", widgets.DecimalWidget())
    spend_oct = fields.Field("spend_oct", "10月底支出（%）", widgets.DecimalWidget())
    spend_dec = fields.Field("spend_dec", "12月底支出（%）", widgets.DecimalWidget())
    explanation = fields.Field("explanation", "说明")
    is_template = fields.Field("is_template", "模板", widgets.BooleanWidget())
    status = fields.Field("status", "状态", readonly=True)
    revision = fields.Field("revision", "版本", readonly=True)

    class Meta:
        model = ProjectTable
        fields = (
            "id", "unit", "unit_name", "year", "framework", "project_code", "project_name",
            "budget_total", "budget_fiscal", "budget_other", "fund_use",
            "spend_mar", "spend_jun", "spend_oct", "spend_dec", "explanation",
            "is_template", "status", "revision",
        )  # fmt: skip
        clean_model_instances = True
        skip_unchanged = True

    def dehydrate_status(self, table: ProjectTable) -> str:
        return table.get_status_display()


class SkipsUnchangedRows:
    """A row is skipped when it says what the indicator already says, its category and value
    included (import-export compares only the fields it writes itself, not those read here)."""

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors or original is None or original.pk is None:
            return False
        return versions.same_content(original, instance)


class IndicatorColumns(resources.Resource):
    """An indicator row's columns as both spreadsheets of indicators show them: the categories
    by name, the value as printed (parsed back by read_categories_and_value), the 指标分类."""

    level1 = fields.Field(column_name="一级指标", readonly=True)
    level2 = fields.Field(column_name="二级指标", readonly=True)
    name = fields.Field("name", "三级指标")
    description = fields.Field("description", "绩效指标描述")
    value = fields.Field(column_name="指标值", readonly=True)
    basis = fields.Field("basis", "指标值确定依据")
    basis_category = fields.Field(column_name="指标分类", readonly=True)

    def dehydrate_level1(self, indicator: Indicator) -> str:
        return indicator.level2.level1.name

    def dehydrate_level2(self, indicator: Indicator) -> str:
        return indicator.level2.name

    def dehydrate_value(self, indicator: Indicator) -> str:
        return indicator.value_display

    def dehydrate_basis_category(self, indicator: Indicator) -> str:
        return indicator.get_basis_category_display()


class IndicatorResource(SkipsUnchangedRows, NeutralisedResource, IndicatorColumns, resources.ModelResource):
    id = fields.Field("id", "编号")
    table = fields.Field("table", "绩效目标表编号", widgets.ForeignKeyWidget(ProjectTable))
    project_code = fields.Field("table__project_code", "项目编码", readonly=True)
    project_name = fields.Field("table__project_name", "项目名称", readonly=True)
    prior_value_1 = fields.Field("prior_value_1", "前年指标值")
    prior_value_2 = fields.Field("prior_value_2", "上年指标值")
    order = fields.Field("order", "排序", widgets.IntegerWidget())

    class Meta:
        model = Indicator
        fields = (
            "id", "table", "project_code", "project_name", "level1", "level2", "name",
            "description", "value", "basis", "basis_category", "prior_value_1", "prior_value_2", "order",
        )  # fmt: skip
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("table", "level2__level1")

    def import_instance(self, instance: Indicator, row, **kwargs) -> None:
        """Categories by name within the table's framework; the value as printed."""
        super().import_instance(instance, row, **kwargs)
        read_categories_and_value(instance, row)


def read_categories_and_value(instance: Indicator, row) -> None:
    """An imported row's level-2 category (by name, within its table's framework), its value as
    printed (the one value parser) and its 指标分类; refused for a table that may not change now."""
    table = instance.table
    if not table.is_editable:
        raise ValidationError(f"绩效目标表“{table.project_name}”{table.get_status_display()}，不能修改其指标。")
    framework = table.framework
    level1 = values.find_level1(framework, row.get("一级指标") or "")
    level2 = values.find_level2(framework, row.get("二级指标") or "", level1)
    if level2 is None:
        message = f"指标体系“{framework}”中没有二级指标“{row.get('二级指标') or ''}”。"
        raise ValidationError({"level2": message})  # by field: the model's own check of it is not repeated
    instance.level2 = level2
    instance.value = values.parse_value(str(row.get("指标值") or ""), name=instance.name)
    instance.basis_category = BasisCategory.from_label(row.get("指标分类") or "")
    if instance.pk is None:  # a new row: the rows saved before it in this import are counted too
        if too_many := checks.rows_over_limit(table.goals.count() + table.indicators.count() + 1):
            raise ValidationError(f"绩效目标表“{table}”：{too_many}")


class TableIndicatorResource(SkipsUnchangedRows, IndicatorColumns, resources.ModelResource):
    """One table's indicator rows, as the editor exports them (导出指标) and imports them back.

    编号 names a row of this table (blank: a new row); a 编号 of no row of this table is refused,
    never taken as another table's row. 版本 is the row's version when exported: a row changed
    in the file that someone else changed since is refused, as a stale save is (versions.py).
    """

    id = fields.Field("id", "编号", widgets.IntegerWidget())
    # Columns only some frameworks have: exported where the table's framework prints them.
    scoring = fields.Field("scoring", "评（扣）分标准")
    weight = fields.Field("weight", "权重", widgets.DecimalWidget())
    direction = fields.Field(column_name="指标方向", readonly=True)
    remark = fields.Field("remark", "备注")
    version = fields.Field("version", "版本", readonly=True)

    REQUIRED = ("二级指标", "三级指标", "指标值")
    FRAMEWORK_COLUMNS = ("scoring", "weight", "direction", "remark")

    class Meta:
        model = Indicator
        fields = ("id", "level1", "level2", "name", "description", "value", "basis", "basis_category",
                  "scoring", "weight", "direction", "remark", "version")
        import_id_fields = ("id",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        store_instance = True
        store_row_values = True

    def __init__(self, table: ProjectTable):
        super().__init__()
        self.table = table
        self.own = {i.pk: i for i in self.get_queryset()}
        self.last_order = max((i.order for i in self.own.values()), default=0)

    def get_queryset(self):
        return Indicator.objects.filter(table=self.table).select_related("level2__level1").order_by(
            "level2__level1__order", "level2__order", "order", "id"
        )

    def dehydrate_weight(self, indicator: Indicator) -> str:
        return values.format_number(indicator.weight)  # 10, not 10.00

    def dehydrate_direction(self, indicator: Indicator) -> str:
        return indicator.get_direction_display()

    def get_export_fields(self, selected_fields=None):
        keys = {c.key for c in self.table.framework.columns.all()}
        return [f for f in super().get_export_fields(selected_fields)
                if not (self._field_name(f) in self.FRAMEWORK_COLUMNS and self._field_name(f) not in keys)]

    def _field_name(self, field) -> str:
        return next((name for name, f in self.fields.items() if f is field), "")

    @classmethod
    def headings(cls) -> list[str]:
        return [cls.fields[name].column_name for name in cls._meta.fields]

    def get_instance(self, instance_loader, row):
        text = str(row.get("编号") or "").strip()
        if not text:
            return None
        try:
            pk = int(float(text))
        except ValueError:
            raise ValidationError(f"编号“{text}”不是数字：新增的指标请把编号留空。") from None
        if pk not in self.own:
            raise ValidationError(f"编号 {pk} 不是本表的指标（可能已被删除）：新增的指标请把编号留空。")
        return self.own[pk]

    def init_instance(self, row=None) -> Indicator:
        self.last_order += 1  # a new row goes last in its category, as 添加指标 puts it
        return Indicator(table=self.table, order=self.last_order)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute != "id":  # a row is named by 编号, never given one
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance: Indicator, row, **kwargs) -> None:
        before = copy.copy(instance)
        super().import_instance(instance, row, **kwargs)
        read_categories_and_value(instance, row)
        if "指标方向" in row:
            instance.direction = Direction.from_label(str(row.get("指标方向") or ""))
        if instance.pk and not versions.same_content(before, instance):
            exported = str(row.get("版本") or "").strip()
            if exported.isdigit() and int(exported) != before.version:
                who, when = versions.last_change(before)
                at = f" 于 {timezone.localtime(when):%Y-%m-%d %H:%M}" if when else ""
                raise ValidationError(f"这一行在导出后已被 {who}{at} 修改，与文件中的修改冲突：请重新导出后再修改这一行。")
