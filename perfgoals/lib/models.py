"""Small model pieces every app may use."""

from django.core.validators import MaxLengthValidator
from django.db import models

# What a person reads when a text is over its limit: in the model (imports, the admin), the
# forms (goals/saving.py) and beside the field.
LENGTH_MESSAGE = "最多 %(limit_value)d 字（现有 %(show_value)d 字），请删减后再保存。"


def limited_char(label: str, limit: int, **kwargs) -> models.CharField:
    """A one-line text of at most `limit` characters, refused over it in Chinese."""
    return models.CharField(label, max_length=limit, error_messages={"max_length": LENGTH_MESSAGE}, **kwargs)


def limited_text(label: str, limit: int, **kwargs) -> models.TextField:
    """A longer text of at most `limit` characters: a TextField's max_length only sizes its
    form field (and the input's maxlength); the validator makes the model refuse more."""
    return models.TextField(
        label, max_length=limit, validators=[MaxLengthValidator(limit)], error_messages={"max_length": LENGTH_MESSAGE},
        **kwargs,
    )


class Ordered(models.Model):
    """A row kept in the order people put it (排序): goals, funding lines, categories."""

    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]
