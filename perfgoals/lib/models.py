"""Small model pieces every app may use."""

from django.db import models


class Ordered(models.Model):
    """A row kept in the order people put it (排序): goals, funding lines, categories."""

    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]
