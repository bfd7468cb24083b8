"""A document's review as the clerk and the reviewer read it: problems with the hints kept.

`review_document(doc)` is what the editor, the report and the partial
templates/review/_problems.html use; `open_problem_count(doc)` is for the home page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perfgoals.goals.models import DepartmentPlan
from perfgoals.review.models import KeptHint
from perfgoals.review.rules import GOAL, INDICATOR, PLAN_ITEM, Problem, review_plan, review_table


@dataclass(frozen=True)
class Item:
    problem: Problem
    kept: KeptHint | None = None
    location: str = ""  # in words: 三级指标「数量」（数量指标）

    @property
    def is_open(self) -> bool:
        return self.problem.is_error or self.kept is None

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
    def errors(self) -> int:
        return sum(i.problem.is_error for i in self.items)

    @property
    def hints(self) -> int:
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

    def codes_for(self, object_id: int) -> list[str]:
        """The rule codes concerning one indicator (the JSON export's `flags`)."""
        return sorted({i.problem.code for i in self.items if i.problem.object_id == object_id})


EXTRA_LABELS = {"goals": "绩效目标", "indicators": "绩效指标", "sub_goals": "分项绩效目标", "safeguards": "工作保障措施",
                "value": "指标值", "unit": "计量单位", "number": "数值", "level2": "二级指标"}  # fmt: skip


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
    kept = {k.key: k for k in KeptHint.for_document(doc).select_related("user")} if doc.pk else {}
    items = []
    for p in problems:
        hint_kept = None if p.is_error else kept.get((p.code, p.target, p.field, p.object_id))
        items.append(Item(p, hint_kept, describe(doc, p)))
    return Review(doc, items)


def open_problem_count(doc) -> int:
    """Errors plus the hints not deliberately kept: the number the home page shows."""
    return review_document(doc).open_count
