from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "perfgoals.units"
    verbose_name = "预算单位与人员"

    def ready(self) -> None:
        from perfgoals.units import signin  # noqa: F401  (connects the audit trail's receivers)
