"""Versions: no edit is lost or silently overwritten (issue 11).

Every table, plan and row carries `version`, one more on every save of what a clerk
writes. Every save form carries the version it was based on (a hidden `version` input),
and a document's own fields also the values it showed (hidden `base_<field>` inputs):

- a **row** (goal, indicator, plan item, plan indicator, funding line) is saved whole. A
  save based on an older version is refused (409, `Conflict`) unless it writes what is
  already stored (the same save posted twice: one change);
- a **document's own fields** (the table's header, the plan's main form) are merged field by
  field: only the fields the clerk changed (posted value ≠ its base) are written, and a
  changed field conflicts only when someone else changed that same field meanwhile. So
  two clerks editing different fields, or different rows, never conflict.

A conflict names who changed the row last and when (simple_history keeps both), and shows
their value beside the clerk's; the form answering it carries the current version, so
"使用我的" is just saving it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from perfgoals.goals.values import format_number


class Versioned(models.Model):
    """A row's version: 1 when created, one more on every save except one that only
    renumbers `order` (moving a row must not make its neighbours' open edits conflict)."""

    version = models.PositiveIntegerField("修改版本", default=1, editable=False)

    UNVERSIONED = frozenset({"order"})

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or not set(update_fields) <= self.UNVERSIONED):
            self.version = (self.version or 0) + 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def norm(value) -> str:
    """A value as compared: text with its line ends and outer blanks normalised."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def posted_version(data) -> int | None:
    """The version a save was based on; None when the form did not say (taken as current)."""
    try:
        return int(data.get("version"))
    except (TypeError, ValueError):
        return None


def is_stale(data, obj) -> bool:
    based_on = posted_version(data)
    return based_on is not None and based_on != obj.version


@dataclass
class Conflict:
    """Someone else saved the row since the clerk's form was shown."""

    who: str
    when: object  # an aware datetime, or None when the history has no record
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, theirs, mine)
    gone: bool = False  # the row was deleted meanwhile

    @property
    def message(self) -> str:
        if self.gone:
            return "这一行已被他人删除，您的修改未保存。可点“另存为新行”保存您填写的内容。"
        when = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M") if self.when else "刚才"
        names = "、".join(label for label, _, _ in self.fields)
        what = f"（{names}）" if names else ""
        return f"{self.who} 于 {when} 修改了这里{what}，与您的修改冲突，您的修改尚未保存。"


def last_change(obj) -> tuple[str, object]:
    """Who saved `obj` last and when, from its history (one query)."""
    record = obj.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    user = record.history_user if record else None
    who = (user.get_full_name() or user.username) if user else "其他用户"
    return who, record.history_date if record else None


def conflict(obj, labelled: list[tuple[str, str, str]]) -> Conflict:
    """A conflict on `obj`: the (label, theirs, mine) that differ."""
    who, when = last_change(obj)
    return Conflict(who, when, [(label, theirs, mine) for label, theirs, mine in labelled if norm(theirs) != norm(mine)])


def changed_fields(data, names, stored: dict) -> list[str]:
    """The fields the clerk changed: posted, and different from the base value they were shown
    (`base_<name>`; without one, from what is stored)."""
    return [
        name for name in names
        if name in data and norm(data.get(name)) != norm(data.get(f"base_{name}", stored.get(name)))
    ]  # fmt: skip


def conflicting_fields(data, changed, stored: dict) -> list[str]:
    """Of the changed fields of a stale save, those someone else changed too, to something else."""
    return [
        name for name in changed
        if norm(stored.get(name)) != norm(data.get(f"base_{name}", stored.get(name)))
        and norm(stored.get(name)) != norm(data.get(name))
    ]  # fmt: skip


# What a row says, as the conflict shows it: its own fields, the value as printed, and the
# columns only some frameworks print (权重, 指标方向, 评（扣）分标准, 备注; blank on both sides,
# so never listed, where the table's framework lacks them).
SHOWN = (
    "text", "name", "description", "value_display", "basis", "basis_category",
    "prior_value_1", "prior_value_2", "scoring", "weight", "direction", "remark",
    "amount", "prior_amount_1", "prior_amount_2",
)  # fmt: skip
NOT_CONTENT = {"id", "version", "order"}


def describe(obj) -> list[tuple[str, str]]:
    """(label, text) of what a row says."""
    shown = []
    for name in SHOWN:
        if not hasattr(obj, name) or (name == "text" and hasattr(obj, "value_kind")):
            continue  # an indicator's phrase is part of its printed value
        label = "指标值" if name == "value_display" else obj._meta.get_field(name).verbose_name
        value = getattr(obj, name)
        if name != "value_display" and obj._meta.get_field(name).choices:  # 指标分类, 指标方向
            value = getattr(obj, f"get_{name}_display")()
        elif value is not None and not isinstance(value, str):
            value = format_number(value)
        shown.append((str(label), value or ""))
    level2 = getattr(obj, "level2", None) if getattr(obj, "level2_id", None) else None
    if level2 is not None:
        shown.insert(0, ("二级指标", level2.name))
    return shown


def pairs(theirs_obj, mine_obj) -> list[tuple[str, str, str]]:
    return [(label, theirs, mine) for (label, theirs), (_, mine) in zip(describe(theirs_obj), describe(mine_obj))]


def same_content(a, b) -> bool:
    """Whether two versions of a row say the same (order and version aside)."""
    return all(
        getattr(a, f.attname) == getattr(b, f.attname)
        for f in a._meta.concrete_fields if f.name not in NOT_CONTENT
    )  # fmt: skip
