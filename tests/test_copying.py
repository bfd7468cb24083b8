"""copy_table / copy_plan: from templates, from last year (复制上年), as revisions."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.urls import reverse

from perfgoals.frameworks.models import Framework
from perfgoals.goals.copying import carry_over, copy_plan, copy_table, placed
from perfgoals.goals.models import (
    DepartmentIndicator, DepartmentPlan, FundingLine, Indicator, PlanItem, ProjectTable, Status,
)  # fmt: skip


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


# ---------------------------------------------------------------- into another framework (the province changed its form)


@pytest.fixture
def mof(db):
    return Framework.objects.prefetch_related("levels1__levels2").get(code="mof-2021")


@pytest.fixture
def chengde(db):
    return Framework.objects.prefetch_related("levels1__levels2").get(code="chengde-2020")


def categories_of(table) -> dict[str, str]:
    """Indicator name → "一级 / 二级" as the copy files it."""
    return {i.name: f"{i.level2.level1.name} / {i.level2.name}" for i in table.indicators.select_related("level2__level1")}


def test_categories_are_carried_into_another_framework_by_meaning(make_table, mof, chengde, unit, clerk):
    last = make_table(year=2025)
    into_chengde = {c.indicator.name: c for c in carry_over(last, chengde)}
    economic = into_chengde["企业生产事故损失下降"]  # 效益指标 / 经济效益指标 in Hebei
    assert (economic.level2.level1.name, economic.level2.name, economic.fuzzy) == ("效果指标", "经济效益指标", True)
    assert into_chengde["培训人员人次"].level2.name == "数量指标" and not into_chengde["培训人员人次"].fuzzy

    chengde_table = copy_table(last, unit=unit, year=2026, user=clerk, framework=chengde,
                               categories=placed(list(into_chengde.values()), {}))  # fmt: skip
    back = {c.indicator.name: c for c in carry_over(chengde_table, last.framework)}
    assert f"{back['企业生产事故损失下降'].level2}" == "效益指标 / 经济效益指标"  # 效果 → 效益

    into_mof = {c.indicator.name: c for c in carry_over(last, mof)}
    cost = into_mof["培训经费"]  # 产出指标 / 成本指标: 101号 has 成本指标 as a level 1 of its own
    assert cost.level2 is None and "成本指标" in cost.problem
    assert [f"{l2}" for l2 in cost.options[:2]] == ["成本指标 / 经济成本指标", "成本指标 / 社会成本指标"]
    assert len(cost.options) == len(mof.level2_list())  # the clerk may pick any of them
    assert all(c.level2 is not None for name, c in into_mof.items() if name != "培训经费")


def preview_url(table, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("table_copy_framework", args=[table.pk]) + "?" + query


def test_the_copy_page_previews_every_indicator_and_asks_where_the_unmapped_go(client, make_table, mof, clerk, unit):
    last = make_table(year=2025)
    client.force_login(clerk)
    before = ProjectTable.objects.count()
    page = client.get(reverse("table_copy_framework", args=[last.pk]))
    assert page.status_code == 200 and "今年的指标体系" in page.text and "2026" in page.text

    page = client.get(preview_url(last, unit=unit.pk, year=2026, framework=mof.pk))
    assert page.status_code == 200
    text = page.text
    for name in ["培训人员人次", "企业生产事故损失下降", "参训企业满意度", "培训经费"]:
        assert name in text
    assert "1 个</strong>在新指标体系中没有对应的二级指标" in text
    assert f'name="map-{last.indicators.get(name="培训经费").pk}"' in text
    assert "成本指标 / 经济成本指标（最接近）" in text and "不复制" in text
    assert "效益指标 / 经济效益指标" in text
    assert ProjectTable.objects.count() == before  # a preview writes nothing


def confirm(client, table, framework, unit, **picks):
    data = {"unit": unit.pk, "year": 2026, "framework": framework.pk}
    data.update({f"map-{table.indicators.get(name=name).pk}": value for name, value in picks.items()})
    return client.post(reverse("table_copy_framework", args=[table.pk]), data)


def test_the_copy_honours_the_clerks_pick_and_lists_what_had_no_category(client, make_table, mof, clerk, unit):
    last = make_table(year=2025)
    social_cost = next(l2 for l2 in mof.level2_list() if l2.name == "社会成本指标")
    client.force_login(clerk)
    response = confirm(client, last, mof, unit, 培训经费=social_cost.pk)
    copy = ProjectTable.objects.get(unit=unit, year=2026)
    assert response.status_code == 302 and response.url == copy.get_absolute_url()
    assert copy.framework == mof and copy.copied_from == last
    filed = categories_of(copy)
    assert filed["培训经费"] == "成本指标 / 社会成本指标"
    assert filed["培训人员人次"] == "产出指标 / 数量指标" and filed["企业生产事故损失下降"] == "效益指标 / 经济效益指标"
    assert copy.indicators.count() == 9
    carried = copy.indicators.get(name="培训人员人次")
    assert carried.prior_value_2 == "≥150人次" and carried.history.count() == 1
    assert (copy.budget_total, copy.fund_use, copy.spend_dec) == (last.budget_total, last.fund_use, last.spend_dec)
    assert [g.text for g in copy.goals.all()] == [g.text for g in last.goals.all()]
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("“培训经费”（原“产出指标 / 成本指标”）归入“成本指标 / 社会成本指标”" in m for m in said)


def test_an_indicator_the_clerk_does_not_copy_is_left_out_and_named(client, make_table, mof, clerk, unit):
    last = make_table(year=2025)
    client.force_login(clerk)
    response = confirm(client, last, mof, unit, 培训经费="skip")
    copy = ProjectTable.objects.get(unit=unit, year=2026)
    assert "培训经费" not in categories_of(copy) and copy.indicators.count() == 8
    assert any("“培训经费”（原“产出指标 / 成本指标”）未复制" in str(m) for m in get_messages(response.wsgi_request))


def test_a_pick_from_another_framework_is_refused_and_nothing_is_written(client, make_table, mof, hebei, clerk, unit):
    last = make_table(year=2025)
    forged = hebei.level2_list()[3]  # Hebei's 产出指标 / 成本指标: not a category of 101号
    client.force_login(clerk)
    before = (ProjectTable.objects.count(), Indicator.objects.count())
    response = confirm(client, last, mof, unit, 培训经费=forged.pk)
    assert response.status_code == 400
    assert "所选类别不在指标体系“财政部2021年项目支出核心绩效指标体系”中，请为“培训经费”重新选择。" in response.text
    response = confirm(client, last, mof, unit)  # no pick at all
    assert response.status_code == 400 and "请为“培训经费”选择新的二级指标，或选“不复制”。" in response.text
    assert (ProjectTable.objects.count(), Indicator.objects.count()) == before


def test_only_a_clerk_of_the_unit_copies_into_another_framework(client, make_table, mof, unit, other_clerk, supervisor):
    last = make_table(year=2025)
    before = ProjectTable.objects.count()
    client.force_login(other_clerk)
    assert client.get(preview_url(last, unit=unit.pk, year=2026, framework=mof.pk)).status_code == 404
    assert confirm(client, last, mof, unit, 培训经费="skip").status_code == 404
    client.force_login(supervisor)
    assert confirm(client, last, mof, unit, 培训经费="skip").status_code == 403
    assert ProjectTable.objects.count() == before


def test_choosing_the_same_framework_on_the_page_is_the_ordinary_copy(client, make_table, hebei, clerk, unit):
    last = make_table(year=2025)
    client.force_login(clerk)
    page = client.get(preview_url(last, unit=unit.pk, year=2026, framework=hebei.pk))
    assert "所选指标体系与原表相同" in page.text and reverse("table_copy", args=[last.pk]) in page.text
    response = client.post(reverse("table_copy", args=[last.pk]), {"unit": unit.pk, "year": 2026})
    copy = ProjectTable.objects.get(unit=unit, year=2026)
    assert response.status_code == 302 and copy.framework == hebei and copy.indicators.count() == 9


def test_the_page_preselects_the_framework_the_units_tables_of_that_year_use(client, make_table, chengde, hebei, clerk):
    last = make_table(year=2025)
    make_table(year=2026, framework=chengde, project_code="13099926P000000000002")  # the new form, already in use
    client.force_login(clerk)
    page = client.get(reverse("table_copy_framework", args=[last.pk]))
    assert f'<option value="{chengde.pk}" selected>' in page.text

    page = client.get(preview_url(last, unit=last.unit_id, year=2026, framework=chengde.pk))
    assert "效果指标 / 经济效益指标 <small class=\"muted\">（按含义）</small>" in page.text
    assert "都已按名称或含义找到新的类别" in page.text


def test_a_year_that_already_has_the_project_is_refused_beside_the_year(client, make_table, mof, clerk, unit):
    last = make_table(year=2025)
    make_table(year=2026)  # the same project code already exists in 2026
    client.force_login(clerk)
    before = ProjectTable.objects.count()
    response = confirm(client, last, mof, unit, 培训经费="skip")
    assert response.status_code == 400 and 'id="ct-year-error"' in response.text
    assert ProjectTable.objects.count() == before


def test_a_template_goes_into_another_framework_in_the_clerks_unit(client, make_table, mof, clerk, unit):
    template = make_table(year=2021, is_template=True)
    client.force_login(clerk)
    response = confirm(client, template, mof, unit, 培训经费="skip")
    copy = ProjectTable.objects.get(unit=unit, year=2026, is_template=False)
    assert response.status_code == 302 and copy.framework == mof and copy.project_code == ""
    assert copy.indicators.get(name="培训人员人次").prior_value_2 == ""  # a template's values stay as they are
