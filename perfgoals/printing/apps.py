from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "perfgoals.printing"
    verbose_name = "打印"
