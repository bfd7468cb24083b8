"""A document's review as the clerk and the reviewer read it: problems with the hints kept.

`review_document(doc)` is the one entry to the review: the editor, the home page, the
desk, the report, the export and the submit step read its `Review`, so a hint the
clerk kept (with a reason) counts as kept everywhere. `Review.errors` and
`Review.hints` are the counts a page shows (hints: the open ones); `by_target()`
places each item beside the field, goal, indicator or plan item it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perfgoals.goals.models import DepartmentPlan
from perfgoals.review.models import KeptHint
from perfgoals.review.rules.completeness import NOT_YET_FILLED
from perfgoals.review.rules import FIELD, GOAL, INDICATOR, PLAN_ITEM, Problem, review_plan, review_table


@dataclass(frozen=True)
class Item:
    problem: Problem
    kept: KeptHint | None = None
    location: str = ""  # in words: 三级指标「数量」（数量指标）

    @property
    def is_open(self) -> bool:
        return self.problem.is_error or self.kept is None

    # An item reads as its problem, so a template that shows Problems shows Items too.
    code = property(lambda self: self.problem.code)
    severity = property(lambda self: self.problem.severity)
    severity_label = property(lambda self: self.problem.severity_label)
    criterion = property(lambda self: self.problem.criterion)
    message = property(lambda self: self.problem.message)
    target = property(lambda self: self.problem.target)
    field = property(lambda self: self.problem.field)
    object_id = property(lambda self: self.problem.object_id)
    is_error = property(lambda self: self.problem.is_error)
    is_missing = property(lambda self: self.problem.code in NOT_YET_FILLED)  # not filled yet (a checklist step)

    @property
    def key(self) -> tuple[str, str, str, int | None]:
        p = self.problem
        return (p.code, p.target, p.field, p.object_id)


@dataclass
class Review:
    document: object
    items: list[Item] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "plan" if isinstance(self.document, DepartmentPlan) else "table"

    @property
    def problems(self) -> list[Problem]:
        return [i.problem for i in self.items]

    @property
    def open_problems(self) -> list[Problem]:
        """The errors and the hints not kept: what still asks for a change."""
        return [i.problem for i in self.items if i.is_open]

    @property
    def errors(self) -> int:
        return sum(i.problem.is_error for i in self.items)

    @property
    def missing(self) -> int:
        """The errors that say something is not filled yet (the editor's checklist lists them)."""
        return sum(i.problem.is_error and i.is_missing for i in self.items)

    @property
    def other_errors(self) -> int:
        """The errors about what was filled in (a sum that does not add up, a unit that is a name)."""
        return self.errors - self.missing

    @property
    def hints(self) -> int:
        """The hints not kept (a kept hint is counted in `kept`)."""
        return sum(not i.problem.is_error and i.kept is None for i in self.items)

    @property
    def kept(self) -> int:
        return sum(i.kept is not None for i in self.items)

    @property
    def open_count(self) -> int:
        return sum(i.is_open for i in self.items)

    def location(self, problem: Problem) -> str:
        """Where a problem sits, in words: 三级指标「数量」（数量指标）, 绩效目标第 2 条, 预算数."""
        return describe(self.document, problem)

    def by_target(self, shown_fields=None) -> dict:
        """The items by what they point at, to show each beside its field or row:

            {"field": {name: [Item]}, "goal": {id: [Item]}, "indicator": {id: [Item]},
             "plan_item": {id: [Item]}, "table": [Item]}

        With `shown_fields`, a problem about a field the page does not show goes to
        "table" (the summary at the top) instead; by default every field is shown.
        """
        placed: dict = {FIELD: {}, GOAL: {}, INDICATOR: {}, PLAN_ITEM: {}, "table": []}
        for item in self.items:
            p = item.problem
            if p.target == FIELD and (shown_fields is None or p.field in shown_fields):
                placed[FIELD].setdefault(p.field, []).append(item)
            elif p.target in (GOAL, INDICATOR, PLAN_ITEM):
                placed[p.target].setdefault(p.object_id, []).append(item)
            else:
                placed["table"].append(item)
        return placed


EXTRA_LABELS = {"goals": "绩效目标", "indicators": "绩效指标", "sub_goals": "分项绩效目标", "safeguards": "工作保障措施",
                "value": "指标值", "unit": "计量单位", "number": "数值", "level2": "二级指标",
                "funding": "部门总体资金情况"}  # fmt: skip


def field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return EXTRA_LABELS.get(name, name)


def describe(doc, problem: Problem) -> str:
    if problem.target == INDICATOR:
        indicator = next((i for i in doc.indicators.all() if i.pk == problem.object_id), None)
        if indicator is None:
            return "绩效指标"
        level2 = f"（{indicator.level2.name}）" if indicator.level2_id else ""
        return f"三级指标「{indicator.name}」{level2}"
    if problem.target == GOAL:
        goals = list(doc.goals.all())
        number = next((n for n, g in enumerate(goals, 1) if g.pk == problem.object_id), None)
        return f"绩效目标第 {number} 条" if number else "绩效目标"
    if problem.target == PLAN_ITEM:
        item = next((i for i in doc.items.all() if i.pk == problem.object_id), None)
        return item.get_kind_display() if item else "分项目标与保障措施"
    if problem.field:
        return field_label(type(doc), problem.field)
    return "整表"


def review_document(doc) -> Review:
    problems = review_plan(doc) if isinstance(doc, DepartmentPlan) else review_table(doc)
    hints = doc.pk and any(not p.is_error for p in problems)  # only a hint can be kept
    kept = {k.key: k for k in KeptHint.for_document(doc).select_related("user")} if hints else {}
    items = []
    for p in problems:
        hint_kept = None if p.is_error else kept.get((p.code, p.target, p.field, p.object_id))
        items.append(Item(p, hint_kept, describe(doc, p)))
    return Review(doc, items)
