from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "perfgoals.workflow"
    verbose_name = "审核流程"
