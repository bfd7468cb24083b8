from django import forms

from perfgoals.frameworks.models import Framework


DOCUMENT_UNIT = 0  # the unit the document names, made on confirmation when it does not exist: administrators only


class ImportForm(forms.Form):
    """Upload a file or paste a table; the unit is one the clerk works for (an administrator
    may also take the unit the document names)."""

    unit = forms.TypedChoiceField(label="导入到单位", coerce=int)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100,
                              help_text="留空则用表中的年度。")
    framework = forms.ModelChoiceField(
        label="指标体系", required=False, empty_label="自动选择（最吻合的）",
        queryset=Framework.objects.filter(kind=Framework.PROJECT),
    )
    file = forms.FileField(label="上传文件", required=False,
                           help_text="Word（.docx）、Excel（.xlsx）、或粘贴文本（.txt/.tsv）。")
    text = forms.CharField(label="或粘贴表格", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="在 Word、Excel、WPS 或网页中选中整张表格，复制后粘贴在这里。")
    html = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units, document_unit=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(u.pk, f"{u.code} {u.name}") for u in units]
        if document_unit:
            choices.insert(0, (DOCUMENT_UNIT, "表中写明的单位（没有时在确认导入时新建）"))
        self.fields["unit"].choices = choices

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip() and not (data.get("html") or "").strip():
            raise forms.ValidationError("请上传文件或粘贴表格。")
        return data
