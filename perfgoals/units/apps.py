from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "perfgoals.units"
    verbose_name = "预算单位与人员"
