from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "perfgoals.review"
    verbose_name = "审核"
