from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "perfgoals.goals"
    verbose_name = "绩效目标"
