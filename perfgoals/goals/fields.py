"""Form fields that read numbers as people write them, through values.py.

`MoneyField` (in its framework's unit, 万元 or 元: `50`, `50万`, `1,000.5`, `500000元`, `五十万`) and `PercentField` (`10`, `10%`)
convert what was typed and refuse what cannot be read with a Chinese message naming it; a
money field's bound field says what it converted (`note`: `已按 500000元 = 50.00万元 换算`).
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from perfgoals.goals import values


class NotedBoundField(forms.BoundField):
    """A bound money field that can say what it converted (`已按 500000元 = 50.00万元 换算`)."""

    @property
    def note(self) -> str:
        notes = getattr(self.form, "notes", None)
        if notes is not None:  # kept by a merge, whose form shows the saved values
            return notes.get(self.name, "")
        if not self.form.is_bound or self.errors:
            return ""
        return self.field.note(self.data)


class TypedNumberField(forms.Field):
    """A number typed as people write it, read by `parse` (text → (value, note)); optional."""

    max_length = 30

    def __init__(self, label: str, **kwargs):
        super().__init__(label=label, required=False, **kwargs)

    @staticmethod
    def parse(text: str) -> tuple:
        raise NotImplementedError

    def to_python(self, value):
        try:
            return self.parse(str(value or ""))[0]
        except ValueError as e:
            raise ValidationError(str(e), code="invalid") from None

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.max_length)}


class MoneyField(TypedNumberField):
    """An amount typed as people write it, kept in 万元 (values.parse_money): in a box in 万元
    50, 50万, 1,000.5, 500000元, 五十万; in a box in 元 (`unit="元"`, a framework printed in
    元) 123456.78 is 元 and 50万 still 50 万元. The form sets `unit` from the framework."""

    def __init__(self, label: str, unit: str = "万元", **kwargs):
        self.unit = unit
        super().__init__(label, **kwargs)

    def parse(self, text: str) -> tuple:
        return values.parse_money(text, self.unit)

    def note(self, value) -> str:
        try:
            return self.parse(str(value or ""))[1]
        except ValueError:
            return ""

    def shown(self, amount) -> str:
        """A stored amount (万元) as the clerk would type it in this box: 5.00 → 5 in 万元,
        12.345678 → 123456.78 in 元."""
        if amount is None:
            return ""
        amount = Decimal(str(amount))
        return values.format_number(amount / values.WAN_FACTOR["元"] if self.unit == "元" else amount)

    def get_bound_field(self, form, field_name):
        return NotedBoundField(form, self, field_name)


class PercentField(TypedNumberField):
    """A percentage typed as 10 or 10% (values.parse_percent), 0 to 100."""

    max_length = 20

    @staticmethod
    def parse(text: str) -> tuple:
        return values.parse_percent(text), ""
