"""The quality review (自动审核): every check a finance-bureau reviewer would make.

`review_table` / `review_plan` run every rule; callers read the result through
perfgoals.review.outcome.review_document (with the hints the clerk kept). Each rule
has a stable code, a severity (错误 blocks submission, 提示 is advice), the criterion
it belongs to and a Chinese message saying what is wrong and how to fix it, and it
points at the table, a field, a goal or an indicator.

A rule that crashes on odd data does not take the caller down: the error is logged
and reported as a problem of its own (RULE_CRASHED), and the other rules still run.

Each rule is on or off per framework: `default_on` says what a framework without a
switch of its own gets, and a framework's switches (review.models.RuleSwitch, edited in
the admin on the framework's page) turn a rule on or off for the documents written in it,
and may change its severity there (a unit missing is a 错误 where the form has a 度量单位
column, a 提示 where it does not). A document without a framework gets every rule that
is on by default, at its own severity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from perfgoals.lib import scope

logger = logging.getLogger("perfgoals.review")

ERROR = "error"  # 错误: blocks submission
HINT = "hint"  # 提示: advice; may be kept deliberately with a reason
SEVERITY_LABELS = {ERROR: "错误", HINT: "提示"}

COMPLETENESS, RELEVANCE, APPROPRIATENESS, FEASIBILITY = "完整性", "相关性", "适当性", "可行性"

# What a problem points at.
TABLE, FIELD, GOAL, INDICATOR, PLAN_ITEM = "table", "field", "goal", "indicator", "plan_item"


@dataclass(frozen=True)
class Problem:
    code: str  # stable, e.g. "VALUE_UNIT_IS_NAME"
    severity: str  # ERROR or HINT
    criterion: str  # 完整性 / 相关性 / 适当性 / 可行性
    message: str  # Chinese: what is wrong and how to fix it
    target: str = TABLE  # TABLE, FIELD, GOAL, INDICATOR or PLAN_ITEM
    field: str = ""  # the model field concerned (e.g. "budget_total", "spend_dec", "unit")
    object_id: int | None = None  # pk of the goal / indicator / plan item concerned

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    criterion: str
    title: str  # one line, Chinese: what the rule checks
    check: Callable[..., Iterable[Problem]]
    applies_to: str  # "table", "plan" or "both"
    example_bad: str = ""  # for the 审核规则说明 page
    example_fix: str = ""
    default_on: bool = True  # on for a framework that has no switch for it

    def is_on(self, framework_switches: dict) -> bool:
        """Whether this rule checks a document whose framework has these switches (see `switches`)."""
        switch = framework_switches.get(self.code)
        return self.default_on if switch is None else switch.enabled

    def severity_in(self, framework_switches: dict) -> str:
        """The rule's severity, or the one its framework's switch gives it (a 错误 made a 提示)."""
        switch = framework_switches.get(self.code)
        return switch.severity if switch is not None and switch.severity else self.severity


RULES: list[Rule] = []


@dataclass(frozen=True)
class Finding:
    """What a rule yields: the message and where; the runner adds the rule's code,
    severity and criterion, so a rule states them once, in its @rule line."""

    message: str
    target: str = TABLE
    field: str = ""
    object_id: int | None = None


def flag(message: str, target: str = TABLE, field: str = "", object_id: int | None = None) -> Finding:
    return Finding(message, target, field, object_id)


def rule(code: str, severity: str, criterion: str, title: str, *, applies_to: str = "table",
         example_bad: str = "", example_fix: str = "", default_on: bool = True) -> Callable:
    """Register a check. The decorated function takes the table (or plan) and yields a
    `flag(message, target, field, object_id)` for each problem it finds.

    applies_to is "table", "plan" or "both" (a check that only reads indicators).
    default_on=False: the rule checks only the frameworks switched on for it (a rule one
    kind of form calls for, such as the 101号 cost block).
    """
    if any(r.code == code for r in RULES):
        raise ValueError(f"review rule {code} is registered twice")

    def register(check: Callable[..., Iterable[Problem]]) -> Callable[..., Iterable[Problem]]:
        RULES.append(Rule(code, severity, criterion, title, check, applies_to, example_bad, example_fix, default_on))
        return check

    return register


def switches(obj) -> dict:
    """The rule switches of a document's framework (or of a framework), code → RuleSwitch;
    {} without a framework."""
    framework = obj if hasattr(obj, "rule_switches") else (obj.framework if getattr(obj, "framework_id", None) else None)
    if framework is None or framework.pk is None:
        return {}
    return {s.code: s for s in framework.rule_switches.all()}


def is_on(code: str, obj) -> bool:
    """Whether the rule `code` checks this document."""
    return next(r for r in RULES if r.code == code).is_on(switches(obj))


def _run(obj, applies_to: str) -> list[Problem]:
    with scope.scope():  # what the rules share (the vocabulary) is read once (lib.scope)
        return _run_rules(obj, applies_to)


def _run_rules(obj, applies_to: str) -> list[Problem]:
    problems: list[Problem] = []
    on = switches(obj)
    for r in RULES:
        if r.applies_to not in (applies_to, "both") or not r.is_on(on):
            continue
        try:
            severity = r.severity_in(on)
            problems.extend(
                Problem(r.code, severity, r.criterion, f.message, f.target, f.field, f.object_id)
                for f in r.check(obj)
            )
        except Exception:  # a broken rule must not take the editor down
            logger.exception("review rule %s crashed on %s %s", r.code, applies_to, getattr(obj, "pk", None))
            problems.append(
                Problem(
                    "RULE_CRASHED", HINT, FEASIBILITY,
                    f"审核规则 {r.code} 未能完成检查（已记录），请检查表中是否有异常内容。",
                )
            )
    return problems


def review_table(table) -> list[Problem]:
    """Every problem in one project table, errors first."""
    from perfgoals.review.rules.common import prepare

    return sorted(_run(prepare(table), "table"), key=lambda p: p.severity != ERROR)


def review_plan(plan) -> list[Problem]:
    """Every problem in one department plan, errors first."""
    from perfgoals.review.rules.common import prepare

    return sorted(_run(prepare(plan), "plan"), key=lambda p: p.severity != ERROR)
