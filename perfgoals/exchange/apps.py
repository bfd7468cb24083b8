from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "perfgoals.exchange"
    verbose_name = "导入与导出"
