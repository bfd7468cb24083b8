"""What changed: between two revisions of a table (调整对比), and in its audit trail (修改记录).

The audit trail is django-simple-history's records (who, when, +/~/-, change reason);
this module only reads them. Text is compared with diff-match-patch and rendered with
every piece escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from itertools import groupby

from diff_match_patch import diff_match_patch
from django.db.models import prefetch_related_objects
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from perfgoals.goals import values
from perfgoals.goals.models import (
    DepartmentIndicator, DepartmentPlan, FundingLine, Goal, Indicator, PlanItem, ProjectTable,
)

TABLE_FIELDS = [
    "project_code", "project_name", "budget_total", "budget_fiscal", "budget_other", "fund_use",
    "spend_mar", "spend_jun", "spend_oct", "spend_dec", "explanation",
]
PLAN_FIELDS = [
    "overall_goal", "functions", "annual_tasks", "long_term_goal", "annual_goal",
    "contact_person", "contact_phone",
]
INDICATOR_FIELDS = [
    ("name", "三级指标"), ("description", "绩效指标描述"), ("value_display", "指标值"),
    ("basis", "指标值确定依据"), ("basis_category_label", "指标分类"),
    ("prior_value_1", "前年指标值"), ("prior_value_2", "上年指标值"),
]
# Bookkeeping fields the history page does not list as changes (the entry says who and when).
QUIET_FIELDS = {"updated", "created", "submitted_at", "approved_at", "submitted_by", "approved_by"}
ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}


def inline_diff(old: str, new: str) -> SafeString:
    """old → new as one string with <del>/<ins> around what changed; user text escaped."""
    dmp = diff_match_patch()
    diffs = dmp.diff_main(old or "", new or "")
    dmp.diff_cleanupSemantic(diffs)
    parts = []
    for op, text in diffs:
        text = escape(text)
        parts.append(text if op == 0 else f"<del>{text}</del>" if op < 0 else f"<ins>{text}</ins>")
    return mark_safe("".join(parts))


def show(value, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal) and unit == "元":  # 12.345678 (万元) → 123,456.78元
        return values.format_wan(value, unit)
    if isinstance(value, Decimal):  # 20.0000 → 20, 5.50 → 5.5
        return values.format_number(value)
    return str(value)


def _amount_unit(doc, name: str) -> str:
    """元 for an amount of a table whose framework prints in 元, else "" (as written, 万元)."""
    if name not in ProjectTable.MONEY_FIELDS or not getattr(doc, "framework_id", None):
        return ""
    return doc.framework.amount_unit


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def html(self) -> SafeString:
        return inline_diff(self.old, self.new)


@dataclass
class RowChange:
    kind: str  # "added", "removed", "changed"
    label: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "修改"}[self.kind]


@dataclass
class Comparison:
    old: ProjectTable | DepartmentPlan
    new: ProjectTable | DepartmentPlan
    fields: list[FieldChange] = field(default_factory=list)
    goals: list[RowChange] = field(default_factory=list)
    indicators: list[RowChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.goals or self.indicators)


def _field_changes(old, new, names: list[str]) -> list[FieldChange]:
    changes = []
    for name in names:
        unit = _amount_unit(new, name)
        a, b = show(getattr(old, name), unit), show(getattr(new, name), unit)
        if a != b:
            changes.append(FieldChange(str(old._meta.get_field(name).verbose_name), a, b))
    return changes


def _indicator_values(ind) -> dict[str, str]:
    values = {}
    for attr, label in INDICATOR_FIELDS:
        if attr == "basis_category_label":
            values[label] = ind.get_basis_category_display() if ind.basis_category else ""
        else:
            values[label] = show(getattr(ind, attr))
    return values


def _indicator_label(ind) -> str:
    level2 = getattr(ind, "level2", None)
    return f"{level2.level1.name} / {level2.name} / {ind.name}" if level2 else ind.name


def _compare_texts(old: list[str], new: list[str], what: str) -> list[RowChange]:
    rows = []
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(range(i1, i2), range(j1, j2))) if op == "replace" else []
        for i, j in pairs:
            rows.append(RowChange("changed", f"{what} {j + 1}", [FieldChange("内容", old[i], new[j])]))
        for i in range(i1 + len(pairs), i2):
            rows.append(RowChange("removed", f"{what} {i + 1}", [FieldChange("内容", old[i], "")]))
        for j in range(j1 + len(pairs), j2):
            rows.append(RowChange("added", f"{what} {j + 1}", [FieldChange("内容", "", new[j])]))
    return rows


def _group_key(ind) -> tuple:
    return (getattr(ind, "horizon", None), ind.level2_id)


def _compare_indicators(old: list, new: list) -> list[RowChange]:
    """Indicator by indicator: same category and name first, then the rest in order."""
    rows: list[RowChange] = []
    unmatched_new = list(new)
    pairs = []
    leftover_old = []
    for ind in old:
        match = next((n for n in unmatched_new if _group_key(n) == _group_key(ind) and n.name == ind.name), None)
        if match:
            unmatched_new.remove(match)
            pairs.append((ind, match))
        else:
            leftover_old.append(ind)
    for ind in list(leftover_old):  # renamed: the same category, in order
        match = next((n for n in unmatched_new if _group_key(n) == _group_key(ind)), None)
        if match:
            unmatched_new.remove(match)
            leftover_old.remove(ind)
            pairs.append((ind, match))
    for a, b in pairs:
        va, vb = _indicator_values(a), _indicator_values(b)
        changes = [FieldChange(label, va[label], vb[label]) for label in va if va[label] != vb[label]]
        if changes:
            rows.append(RowChange("changed", _indicator_label(b), changes))
    for ind in leftover_old:
        rows.append(RowChange("removed", _indicator_label(ind),
                              [FieldChange(k, v, "") for k, v in _indicator_values(ind).items() if v]))
    for ind in unmatched_new:
        rows.append(RowChange("added", _indicator_label(ind),
                              [FieldChange(k, "", v) for k, v in _indicator_values(ind).items() if v]))
    return rows


@dataclass
class Rows:
    """A document's rows to compare: goals (tables) or plan items (plans), and indicators."""

    texts: list
    indicators: list


def _rows_now(doc) -> Rows:
    if doc.kind == "table":
        return Rows(list(doc.goals.all()), list(doc.indicators.select_related("level2__level1")))
    return Rows(list(doc.items.all()), list(doc.indicators.select_related("level2__level1")))


def _rows_then(doc, when) -> Rows:
    """The rows as they stood at `when`, read from the audit trail."""
    texts_model, indicator_model = (Goal, Indicator) if doc.kind == "table" else (PlanItem, DepartmentIndicator)

    def then(model) -> list:
        records = model.history.filter(**{f"{doc.kind}_id": doc.pk}, history_date__lte=when)
        rows = sorted(records.latest_of_each().as_instances(), key=lambda r: (r.order, r.pk))
        prefetch_related_objects(rows, *(["level2__level1"] if model is indicator_model else []))
        return rows

    return Rows(then(texts_model), then(indicator_model))


def compare(old, new) -> Comparison:
    """Every difference between two revisions: fields, goals (or plan items), indicators."""
    return _compare(old, new, _rows_now(old), _rows_now(new))


def _compare(old, new, old_rows: Rows, new_rows: Rows) -> Comparison:
    result = Comparison(old, new)
    if old.kind == "table":
        result.fields = _field_changes(old, new, TABLE_FIELDS)
        result.goals = _compare_texts([g.text for g in old_rows.texts], [g.text for g in new_rows.texts], "绩效目标")
    else:
        result.fields = _field_changes(old, new, PLAN_FIELDS)
        for kind, label in PlanItem.KIND_CHOICES:
            result.goals += _compare_texts(
                [i.text for i in old_rows.texts if i.kind == kind], [i.text for i in new_rows.texts if i.kind == kind],
                label,
            )
    result.indicators = _compare_indicators(old_rows.indicators, new_rows.indicators)
    return result


@dataclass
class SinceReturn:
    """What the clerk changed after the document was last returned (退回)."""

    when: object
    who: object
    reason: str
    comparison: Comparison


def since_return(doc) -> SinceReturn | None:
    """The document now against the state it was returned in; None if it was never returned."""
    record = (
        type(doc).history.filter(id=doc.pk, history_change_reason__startswith="退回")
        .select_related("history_user").order_by("-history_date", "-history_id").first()
    )  # fmt: skip
    if record is None:
        return None
    comparison = _compare(record.instance, doc, _rows_then(doc, record.history_date), _rows_now(doc))
    reason = (record.history_change_reason or "").removeprefix("退回：")
    return SinceReturn(record.history_date, record.history_user, reason, comparison)


# The audit trail.


@dataclass
class Entry:
    when: object
    who: object
    action: str  # "+", "~", "-"
    what: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]


def _display(record, name: str, value) -> str:
    model_field = record.instance_type._meta.get_field(name)
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    return show(value, _amount_unit(record, name))


def _record_label(record) -> str:
    model = record.instance_type
    if model in (ProjectTable, DepartmentPlan):
        return f"整表（版本 {record.revision}）"
    if model is Goal:
        return f"绩效目标「{record.text[:30]}」"
    if model is PlanItem:
        return f"{dict(PlanItem.KIND_CHOICES).get(record.kind, '')}「{record.text[:30]}」"
    if model is FundingLine:
        return f"资金「{record.name}」"
    if model.__name__ == "Comment":
        return f"审核意见「{record.text[:30]}」"
    return f"{model._meta.verbose_name}「{record.name}」"


def _entries_for(records) -> list[Entry]:
    """Entries for one object's records, each compared with the record before it."""
    entries = []
    previous = None
    for record in records:  # oldest first
        changes = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in QUIET_FIELDS:
                    continue
                label = str(record.instance_type._meta.get_field(change.field).verbose_name)
                changes.append(FieldChange(label, _display(record, change.field, change.old),
                                           _display(record, change.field, change.new)))
        elif record.history_type == "+" and record.instance_type in (Indicator, DepartmentIndicator):
            value = values.Value(record.value_kind, record.operator, record.number, record.unit, record.text,
                                 record.value_raw)
            changes.append(FieldChange("指标值", "", values.format_value(value)))
        entries.append(Entry(record.history_date, record.history_user, record.history_type,
                             _record_label(record), record.history_change_reason or "", changes))
        previous = record
    return entries


ROWS = {"table": [Goal, Indicator], "plan": [PlanItem, DepartmentIndicator, FundingLine]}
# The workflow's own saves of a document (workflow._save's change reasons): a state changed,
# nothing was written. 调整 (a new revision copied from the approved one) is not among them.
TRANSITIONS = ("提交", "撤回", "通过")
RETURN = "退回"


def edited_by(doc, user) -> bool:
    """Whether `user` wrote anything of this revision since it was made: its own fields (a
    state change of the workflow is not writing), or a row of it added, changed or deleted.
    Each revision is a document of its own, so an edit of an earlier one does not count.
    Four eyes: such a person does not approve it (workflow.approval_refusal)."""
    own = doc.history.filter(history_user_id=user.pk).exclude(history_change_reason__in=TRANSITIONS)
    own = own.exclude(history_change_reason__startswith=RETURN)
    if own.exists():
        return True
    return any(
        model.history.filter(**{f"{doc.kind}_id": doc.pk}, history_user_id=user.pk).exists() for model in ROWS[doc.kind]
    )


def history(doc) -> list[Entry]:
    """Every audit entry of a table or plan and of the rows inside it, newest first."""
    from perfgoals.workflow.models import Comment

    rows = ROWS[doc.kind]
    sources = [doc.history.all(), *(model.history.filter(**{f"{doc.kind}_id": doc.pk}) for model in rows),
               Comment.history.filter(**{f"{doc.kind}_id": doc.pk})]  # fmt: skip
    entries: list[Entry] = []
    for queryset in sources:
        records = queryset.select_related("history_user").order_by("id", "history_date", "history_id")
        for _, object_records in groupby(records, key=lambda r: r.id):
            entries += _entries_for(list(object_records))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
