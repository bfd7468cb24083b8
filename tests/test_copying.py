"""copy_table / copy_plan: from templates, from last year (复制上年), as revisions."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from perfgoals.goals.copying import copy_plan, copy_table
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, PlanItem, ProjectTable, Status


def change_indicator(table, name: str, **fields) -> None:
    """Set `fields` on the table's indicator called `name`, and save it."""
    indicator = table.indicators.get(name=name)
    for field, value in fields.items():
        setattr(indicator, field, value)
    indicator.save()


def test_copying_last_year_moves_values_into_the_prior_year_columns(make_table, unit, clerk):
    last = make_table(year=2025)
    change_indicator(last, "培训人员人次", prior_value_2="≥120人次")
    copy = copy_table(last, unit=unit, year=2026, user=clerk)
    carried = copy.indicators.get(name="培训人员人次")
    assert carried.value_display == "≥150人次"  # the starting point for this year
    assert carried.prior_value_2 == "≥150人次"  # last year's value
    assert carried.prior_value_1 == "≥120人次"  # the year before
    assert copy.indicators.count() == last.indicators.count() == 9
    assert [g.text for g in copy.goals.all()] == [g.text for g in last.goals.all()]


def test_a_copy_is_a_fresh_draft_that_remembers_its_source(make_table, unit, clerk):
    last = make_table(year=2025, status=Status.APPROVED)
    copy = copy_table(last, unit=unit, year=2026, user=clerk)
    assert copy.pk != last.pk and copy.status == Status.DRAFT and copy.revision == 1
    assert copy.copied_from == last and copy.previous is None
    assert copy.project_code == last.project_code and copy.budget_total == last.budget_total
    last.refresh_from_db()
    assert last.indicators.count() == 9 and last.status == Status.APPROVED  # source untouched


def test_copying_a_template_keeps_values_and_drops_the_code(make_table, other_unit, clerk):
    template = make_table(year=2021, is_template=True)
    copy = copy_table(template, unit=other_unit, year=2026, user=clerk)
    assert copy.unit == other_unit and not copy.is_template and copy.project_code == ""
    carried = copy.indicators.get(name="培训人员人次")
    assert carried.value_display == "≥150人次" and carried.prior_value_2 == ""


def test_a_revision_keeps_values_and_points_back(make_table, unit, clerk):
    approved = make_table(year=2026, status=Status.APPROVED)
    revision = copy_table(approved, unit=unit, year=2026, user=clerk, revision=2)
    assert revision.revision == 2 and revision.previous == approved
    assert revision.indicators.get(name="培训人员人次").prior_value_2 == ""


def test_flagged_values_are_copied_verbatim(make_table, unit, clerk):
    last = make_table(year=2025)
    change_indicator(last, "参训企业满意度", value_raw="≥90企业满意度")
    copy = copy_table(last, unit=unit, year=2026, user=clerk)
    assert copy.indicators.get(name="参训企业满意度").value_raw == "≥90企业满意度"


def test_a_failed_copy_leaves_nothing_behind(make_table, unit, clerk):
    last = make_table(year=2025)
    make_table(year=2026)  # the same project code already exists in 2026
    before = ProjectTable.objects.count()
    with pytest.raises(IntegrityError, match="table_unique_code_per_year|UNIQUE constraint failed"):
        copy_table(last, unit=unit, year=2026, user=clerk)
    assert ProjectTable.objects.count() == before


def test_copies_are_recorded_in_the_history(make_table, unit, clerk):
    copy = copy_table(make_table(year=2025), unit=unit, year=2026, user=clerk)
    assert copy.indicators.first().history.count() == 1


@pytest.fixture
def plan(unit):
    from perfgoals.frameworks.models import Framework

    hubei = Framework.objects.get(code="hubei-department")
    plan = DepartmentPlan.objects.create(unit=unit, year=2025, framework=hubei, overall_goal="做好招商", contact_person="方凯萍")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="完善招商基础工作", order=1)
    PlanItem.objects.create(plan=plan, kind=PlanItem.SAFEGUARD, text="完善制度建设", order=1)
    level2 = hubei.level2_list()[0]
    DepartmentIndicator.objects.create(
        plan=plan, horizon="annual", level1=level2.level1, level2=level2, name="公用经费控制率",
        value_kind="quantitative", operator="≤", number=100, unit="%", prior_value_1="≤100%", prior_value_2="≤98%",
    )  # fmt: skip
    FundingLine.objects.create(plan=plan, kind="income", name="财政拨款", amount=Decimal("509.41"),
                               prior_amount_1=Decimal("651.74"), prior_amount_2=Decimal("655.81"))  # fmt: skip
    return plan


def test_copying_last_years_plan_carries_everything_over(plan, unit, clerk):
    copy = copy_plan(plan, unit=unit, year=2026, user=clerk)
    assert copy.overall_goal == "做好招商" and copy.contact_person == "方凯萍"
    assert [i.text for i in copy.sub_goals] == ["完善招商基础工作"]
    assert [i.text for i in copy.safeguards] == ["完善制度建设"]
    indicator = copy.indicators.get()
    assert (indicator.prior_value_1, indicator.prior_value_2, indicator.value_display) == ("≤98%", "≤100%", "≤100%")
    line = copy.funding_lines.get()
    assert (line.prior_amount_1, line.prior_amount_2) == (Decimal("655.81"), Decimal("509.41"))


def test_a_seed_plan_can_be_copied(unit, clerk):
    seed = DepartmentPlan.objects.filter(is_template=True, funding_lines__isnull=False).distinct().first()
    copy = copy_plan(seed, unit=unit, year=2026, user=clerk)
    assert not copy.is_template and copy.unit == unit
    assert copy.indicators.count() == seed.indicators.count()
    assert copy.funding_lines.count() == seed.funding_lines.count()
