from django import forms

from perfgoals.printing import batch
from perfgoals.units.models import Unit


class BatchForm(forms.Form):
    """批量打印: a year, and the units whose books to print (or 全部单位 of that year)."""

    year = forms.TypedChoiceField(label="年度", coerce=int)
    everyone = forms.BooleanField(label="全部单位（本年度填报了绩效目标的单位）", required=False)
    units = forms.ModelMultipleChoiceField(
        label="或选择单位", required=False, queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in batch.years()]
        self.fields["units"].queryset = batch.units_with_goals(None)
        self.fields["units"].label_from_instance = lambda unit: f"{unit.code} {unit.name}"

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year is None:
            return data
        if data.get("everyone"):
            data["units"] = list(batch.units_with_goals(year))
            if not data["units"]:
                raise forms.ValidationError(f"{year}年没有单位填报绩效目标。")
        elif not data.get("units"):
            self.add_error("units", "请选择要打印的单位，或勾选“全部单位”。")
        return data
