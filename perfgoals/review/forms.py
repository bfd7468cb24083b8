from django import forms

from perfgoals.review.rules import FIELD, GOAL, INDICATOR, PLAN_ITEM, TABLE


class KeepHintForm(forms.Form):
    """Keep a 提示 deliberately: which problem, and why."""

    code = forms.CharField(max_length=60)
    target = forms.ChoiceField(choices=[(t, t) for t in (TABLE, FIELD, GOAL, INDICATOR, PLAN_ITEM)])
    field = forms.CharField(max_length=60, required=False)
    object_id = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(
        label="保留理由", max_length=200, strip=True,
        error_messages={"required": "请写明保留理由。", "max_length": "保留理由不超过 200 字。"},
    )

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def clean(self):
        data = super().clean()
        if self.errors or self.review is None:
            return data
        key = (data["code"], data["target"], data.get("field") or "", data.get("object_id"))
        item = next((i for i in self.review.items if i.key == key), None)
        if item is None:
            raise forms.ValidationError("该提示已不存在，请刷新后再试。")
        if item.problem.is_error:
            raise forms.ValidationError("错误不能保留，必须修改后才能提交。")
        if item.kept is not None:
            raise forms.ValidationError("该提示已经保留。")
        data["item"] = item
        return data
