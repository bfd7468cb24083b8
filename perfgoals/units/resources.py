"""django-import-export resource for units: a spreadsheet in the admin with Chinese column
headers; the parent and the region are named by their codes. Text that looks like a formula
is neutralised (perfgoals.lib.cells)."""

from import_export import fields, resources, widgets

from perfgoals.lib.cells import NeutralisedResource
from perfgoals.units.models import Region, Unit


class UnitResource(NeutralisedResource, resources.ModelResource):
    code = fields.Field("code", "单位编码")
    name = fields.Field("name", "单位名称")
    parent = fields.Field("parent", "上级部门编码", widgets.ForeignKeyWidget(Unit, "code"))
    region = fields.Field("region", "财政区划代码", widgets.ForeignKeyWidget(Region, "code"))

    class Meta:
        model = Unit
        fields = ("code", "name", "parent", "region")
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_unchanged = True
