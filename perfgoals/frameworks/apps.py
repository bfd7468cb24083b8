from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "perfgoals.frameworks"
    verbose_name = "指标体系"
