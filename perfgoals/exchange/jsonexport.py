"""The exchange format: every project table and department plan as JSON.

This is how other systems (and backups) read our data; README.md documents it.
Per-indicator `flags` are the codes of the quality-review problems that point at
the indicator, the document's `flags` those of the rest (review_document: the same
review the editor and the submit step read). Numbers are strings, printed by
perfgoals.goals.values: amounts and percentages as on paper ("5.00"), others as written.
"""

from __future__ import annotations

from decimal import Decimal

from perfgoals.goals import values
from perfgoals.goals.models import TABLE_HEADER_FIELDS, DepartmentPlan, Indicator, ProjectTable
from perfgoals.review.outcome import review_document
from perfgoals.review.rules import INDICATOR

FORMAT_VERSION = 1


def money(amount: Decimal | None) -> str | None:
    """An amount as a string, as printed ("5.00"); null when blank."""
    return None if amount is None else values.format_money(amount)


def percent(share: Decimal | None) -> str | None:
    """A percentage as a string without the sign, as printed ("25.00"); null when blank."""
    return None if share is None else values.format_percent(share, sign="")


def number(value: Decimal | None) -> str | None:
    """A number as a clerk writes it ("25", "85.27"); null when blank."""
    return None if value is None else values.format_number(value)


def _codes(items) -> list[str]:
    return sorted({item.code for item in items})


def _flags(doc) -> tuple[dict, list[str]]:
    """The review's items on each indicator (by id), and the codes of those on the rest."""
    review = review_document(doc)
    return review.by_target()["indicator"], _codes(i for i in review.items if i.target != INDICATOR)


def _indicator(indicator, on_indicators: dict) -> dict:
    value = indicator.value
    level2 = indicator.level2
    level1 = getattr(indicator, "level1", None) or (level2.level1 if level2 else None)
    return {
        "level1": level1.name if level1 else None,
        "level2": level2.name if level2 else None,
        "name": indicator.name,
        "description": indicator.description,
        "value": value.display(),
        "kind": value.kind or None,
        "operator": value.operator,
        "number": number(value.number),
        "unit": value.unit,
        "text": value.text,
        "basis": indicator.basis,
        "basis_category": indicator.get_basis_category_display() if indicator.basis_category else "",
        "prior_values": [indicator.prior_value_1, indicator.prior_value_2],
        "scoring": indicator.scoring,
        "weight": number(indicator.weight),
        "direction": indicator.direction,
        "remark": indicator.remark,
        **({"horizon": indicator.horizon} if isinstance(indicator, Indicator) else {}),
        "flags": _codes(on_indicators.get(indicator.pk, [])),
    }


def _owner(document) -> dict:
    """What a table's and a plan's export begin with: the unit, the year, the framework (a plan may have none)."""
    return {
        "unit_code": document.unit.code,
        "unit_name": document.unit.name,
        "year": document.year,
        "framework": document.framework.code if document.framework else None,
    }


def table_to_dict(table: ProjectTable) -> dict:
    on_indicators, flags = _flags(table)
    return {
        **_owner(table),
        "project_code": table.project_code,
        "project_name": table.project_name,
        "budget_total": money(table.budget_total),
        "budget_fiscal": money(table.budget_fiscal),
        "budget_other": money(table.budget_other),
        "fund_use": table.fund_use,
        "spending_plan": [percent(p) for p in table.spending_plan],
        "goals": [g.text for g in table.goals.all()],
        "explanation": table.explanation,
        "header": {key: getattr(table, key) for key in TABLE_HEADER_FIELDS},
        "long_term_goal": table.long_term_goal,
        "source_amounts": table.source_amounts or {},
        "position": table.position,
        "is_template": table.is_template,
        "status": table.status,
        "revision": table.revision,
        "indicators": [_indicator(i, on_indicators) for i in table.indicators.all()],
        "flags": flags,
    }


def plan_to_dict(plan: DepartmentPlan) -> dict:
    on_indicators, flags = _flags(plan)
    return {
        **_owner(plan),
        "overall_goal": plan.overall_goal,
        "sub_goals": [i.text for i in plan.items.all() if i.kind == "sub_goal"],
        "safeguards": [i.text for i in plan.items.all() if i.kind == "safeguard"],
        "functions": plan.functions,
        "annual_tasks": plan.annual_tasks,
        "long_term_goal": plan.long_term_goal,
        "annual_goal": plan.annual_goal,
        "contact_person": plan.contact_person,
        "contact_phone": plan.contact_phone,
        "funding": [
            {
                "kind": line.kind,
                "name": line.name,
                "amount": money(line.amount),
                "share": number(line.share),
                "prior_amounts": [money(line.prior_amount_1), money(line.prior_amount_2)],
            }
            for line in plan.funding_lines.all()
        ],
        "indicators": [dict(_indicator(i, on_indicators), table=i.horizon) for i in plan.indicators.all()],
        "is_template": plan.is_template,
        "status": plan.status,
        "revision": plan.revision,
        "flags": flags,
    }


def export(tables, plans) -> dict:
    tables = tables.select_related("unit").with_structure().prefetch_related("goals", "indicators__level2__level1")
    plans = plans.select_related("unit", "framework").prefetch_related(
        "items", "funding_lines", "indicators__level1", "indicators__level2__level1"
    )
    return {
        "format": "perfgoals",
        "version": FORMAT_VERSION,
        "tables": [table_to_dict(t) for t in tables],
        "plans": [plan_to_dict(p) for p in plans],
    }
