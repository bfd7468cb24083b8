from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "perfgoals.printing"
    verbose_name = "打印"

    def ready(self):
        from perfgoals.printing import checks  # noqa: F401 (registers the check)
