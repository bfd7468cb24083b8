"""django-import-export resources: project tables and indicators as spreadsheets in
the admin, with Chinese column headers (units: perfgoals.units.resources).

Related objects are named by their codes (单位编码, 指标体系代码), an indicator's
categories by their Chinese names, and its value in the printed form (≥20项), which
is parsed back with the one value parser on import. Text that looks like a formula is
neutralised on export (perfgoals.lib.cells).
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from perfgoals.frameworks.models import Framework
from perfgoals.goals import values
from perfgoals.goals.models import BasisCategory, Indicator, ProjectTable
from perfgoals.lib.cells import NeutralisedResource
from perfgoals.units.models import Unit


class ProjectTableResource(NeutralisedResource, resources.ModelResource):
    id = fields.Field("id", "编号")
    unit = fields.Field("unit", "单位编码", widgets.ForeignKeyWidget(Unit, "code"))
    unit_name = fields.Field("unit__name", "单位名称", readonly=True)
    year = fields.Field("year", "年度", widgets.IntegerWidget())
    framework = fields.Field("framework", "指标体系代码", widgets.ForeignKeyWidget(Framework, "code"))
    project_code = fields.Field("project_code", "项目编码")
    project_name = fields.Field("project_name", "项目名称")
    budget_total = fields.Field("budget_total", "预算数（万元）", widgets.DecimalWidget())
    budget_fiscal = fields.Field("budget_fiscal", "其中：财政资金", widgets.DecimalWidget())
    budget_other = fields.Field("budget_other", "其他资金", widgets.DecimalWidget())
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


class IndicatorResource(NeutralisedResource, resources.ModelResource):
    id = fields.Field("id", "编号")
    table = fields.Field("table", "绩效目标表编号", widgets.ForeignKeyWidget(ProjectTable))
    project_code = fields.Field("table__project_code", "项目编码", readonly=True)
    project_name = fields.Field("table__project_name", "项目名称", readonly=True)
    level1 = fields.Field(column_name="一级指标", readonly=True)
    level2 = fields.Field(column_name="二级指标", readonly=True)
    name = fields.Field("name", "三级指标")
    description = fields.Field("description", "绩效指标描述")
    value = fields.Field(column_name="指标值", readonly=True)
    basis = fields.Field("basis", "指标值确定依据")
    basis_category = fields.Field(column_name="指标分类", readonly=True)
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

    def dehydrate_level1(self, indicator: Indicator) -> str:
        return indicator.level2.level1.name

    def dehydrate_level2(self, indicator: Indicator) -> str:
        return indicator.level2.name

    def dehydrate_value(self, indicator: Indicator) -> str:
        return indicator.value_display

    def dehydrate_basis_category(self, indicator: Indicator) -> str:
        return indicator.get_basis_category_display()

    def import_instance(self, instance: Indicator, row, **kwargs) -> None:
        """Categories by name within the table's framework; the value as printed."""
        super().import_instance(instance, row, **kwargs)
        framework = instance.table.framework
        level1 = values.find_level1(framework, row.get("一级指标") or "")
        level2 = values.find_level2(framework, row.get("二级指标") or "", level1)
        if level2 is None:
            raise ValidationError(
                f"指标体系“{framework}”中没有二级指标“{row.get('二级指标') or ''}”。"
            )
        instance.level2 = level2
        instance.value = values.parse_value(str(row.get("指标值") or ""), name=instance.name)
        instance.basis_category = BasisCategory.from_label(row.get("指标分类") or "")
