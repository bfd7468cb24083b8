"""What every editor form shares so that saving can be trusted (issue 11).

- `MergingForm`: a document's own fields (the table's header, the plan's main form), saved
  field by field, only what the clerk changed, conflicts per field (versions.py).
- `RowForm`: a row's form (goal, indicator, plan row) carries the version it was based on.
- Both limit every text's length, with the message in Chinese: the model's limit
  (goals/models.py), in the form and in its input's maxlength; a text without one gets
  `LONG_TEXT`.
"""

import copy

from django import forms
from django.core.validators import MaxLengthValidator

from perfgoals.goals import versions
from perfgoals.lib.models import LENGTH_MESSAGE

# A long text without a limit of its own (none of the models' texts: goals/models.py) gets this
# one, in the form and in the input (maxlength), so a stray 1 MB paste is refused.
LONG_TEXT = 5000
LENGTH_MESSAGES = {"max_length": LENGTH_MESSAGE}


def version_field() -> forms.IntegerField:
    """The version a row's form was based on (versions.py): hidden, posted with every save."""
    return forms.IntegerField(required=False, widget=forms.HiddenInput)


def chinese_lengths(form: forms.BaseForm) -> None:
    """Every text field's length message in Chinese, and a limit on a long text that has none."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            if field.max_length is None and isinstance(field.widget, forms.Textarea):
                field.max_length = LONG_TEXT
                field.validators.append(MaxLengthValidator(LONG_TEXT))
            field.error_messages.update(LENGTH_MESSAGES)



class MergingForm(forms.ModelForm):
    """A document's own fields, saved field by field (versions.py): `merge` writes only what
    the clerk changed, refuses what someone else changed meanwhile, and keeps a bad field's
    input without dropping the good ones. Fields in one of `groups` are checked and saved
    together (the budget's three amounts, the spending plan's four months)."""

    groups: tuple[tuple[str, ...], ...] = ()
    conflict = None  # a versions.Conflict after a merge that met one
    unsaved: tuple[str, ...] = ()  # the changed fields a merge could not write
    notes: dict | None = None  # what a merge converted, by field (`已按 500000元 = 50.00万元 换算`)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chinese_lengths(self)

    @property
    def version(self) -> int:
        return getattr(self, "_version", None) or self.instance.version

    def base_values(self) -> dict:
        """The values shown, as the hidden base_<field> inputs carry them."""
        if not hasattr(self, "_base"):
            self._base = _shown(type(self)(instance=self.instance))
        return self._base

    @classmethod
    def group_of(cls, name: str) -> tuple[str, ...]:
        return next((g for g in cls.groups if name in g), (name,))

    @classmethod
    def merge(cls, doc, data) -> "MergingForm":
        """Write the changed fields of `data` to `doc` (locked by the caller); the form to show next."""
        names = list(cls.Meta.fields)
        stored = _shown(cls(instance=doc))
        changed = versions.changed_fields(data, names, stored)
        conflicting = versions.conflicting_fields(data, changed, stored) if versions.is_stale(data, doc) else []
        form = cls({**stored, **{n: data[n] for n in changed if n not in conflicting}}, instance=copy.copy(doc))
        form.is_valid()
        notes = {n: form[n].note for n in changed if hasattr(form[n], "note") and n not in form.errors}
        touched = {n for c in changed for n in cls.group_of(c)}
        for name in [n for n in form.errors if n not in touched]:
            del form._errors[name]  # a stored value the clerk did not touch: the review reports it
        blocked = {n for c in [*form.errors, *conflicting] for n in cls.group_of(c)}
        writes = {n: form.cleaned_data[n] for n in touched - blocked if getattr(doc, n) != form.cleaned_data[n]}
        if writes:
            for name, value in writes.items():
                setattr(doc, name, value)
            doc.save()
        after = _shown(cls(instance=doc))
        form.unsaved = tuple(n for n in changed if n in blocked)
        form.data = {**after, **{n: data[n] for n in form.unsaved}}
        form._base, form._version = after, doc.version
        form.notes = {n: note for n, note in notes.items() if note and n not in form.unsaved}
        if conflicting:
            form.conflict = versions.conflict(doc, [(form.fields[n].label, after[n], data[n]) for n in conflicting])
        return form


def _shown(form: forms.BaseForm) -> dict:
    """An unbound form's values as its inputs show them ("" for none)."""
    return {name: "" if form[name].value() is None else str(form[name].value()) for name in form.Meta.fields}



class RowForm(forms.Form):
    """A row's form: carries the version it was based on; lengths limited, in Chinese."""

    version = version_field()
    conflict = None  # a versions.Conflict when the save met one

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chinese_lengths(self)

    def show_conflict(self, found: "versions.Conflict", current_version: int) -> None:
        """Keep the clerk's input, now based on the current version: saving it again is "使用我的"."""
        self.conflict = found
        self.data = self.data.copy()
        self.data["version"] = str(current_version)


