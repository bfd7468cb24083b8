"""填写进度: what a table still lacks, as a checklist (已完成 7/15) instead of a wall of 错误.

A new table lacks nearly everything; the review reports each lack as an error (HEADER_MISSING,
NO_GOAL, LEVEL1_MISSING, LEVEL2_MISSING, VALUE_EMPTY). The editor lists them here, one step
each, and shows those errors beside a field only once the clerk has left it or tried to submit.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfgoals.goals import checks


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    anchor: str  # the element's id in the editor


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def done(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def complete(self) -> bool:
        return self.done == self.total


def _filled(text) -> bool:
    return bool(str(text or "").strip())


def table_checklist(table) -> Checklist:
    """The steps of a table (read from its prefetched goals, indicators and framework): the
    header's required fields, the spending plan, a goal, and every level-2 category where the
    framework prints each (else every level-1 category) with an indicator whose value is filled."""
    plan = table.spending_plan
    steps = [
        Step("项目名称", _filled(table.project_name), "id_project_name"),
        Step("项目编码", _filled(table.project_code), "id_project_code"),
        Step("预算数", table.budget_total is not None, "id_budget_total"),
        Step("资金用途", _filled(table.fund_use), "id_fund_use"),
        Step("资金支出计划", all(p is not None for p in plan) and not checks.spending_plan_errors(plan), "id_spend_mar"),
        Step("绩效目标", any(_filled(g.text) for g in table.goals.all()), "goals"),
    ]
    filled = [i for i in table.indicators.all() if _filled(i.name) and not i.value.is_empty]
    if table.framework_id and table.framework.prints_every_level2:
        used = {i.level2_id for i in filled}
        steps += [Step(l2.name, l2.pk in used, f"l2-{l2.pk}") for l2 in table.framework.level2_list()]
    elif table.framework_id:
        used = {i.level2.level1_id for i in filled}
        steps += [Step(l1.name, l1.pk in used, f"l1-{l1.pk}") for l1 in table.framework.levels1.all()]
    return Checklist(tuple(steps))
