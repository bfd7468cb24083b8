"""The department plan editor: overall goal, sub-goals, safeguards, indicator tables, Hubei funding."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals.frameworks.models import Framework
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, PlanItem, Status

HTMX = {"HTTP_HX_REQUEST": "true"}
THIS_YEAR = date.today().year


@pytest.fixture
def hubei(db):
    return Framework.objects.get(code="hubei-department")


@pytest.fixture
def plan(unit, hubei):
    return DepartmentPlan.objects.create(unit=unit, year=THIS_YEAR, framework=hubei, overall_goal="做好招商")


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def indicator_data(level2, **changes) -> dict:
    data = {
        "level2": level2.pk, "name": "公用经费控制率", "description": "", "value_kind": "quantitative",
        "operator": "≤", "number": "100", "unit": "%", "text": "", "basis": "年初预算",
        "basis_category": "plan", "prior_value_1": "≤100%", "prior_value_2": "≤100%",
    }  # fmt: skip
    data.update(changes)
    return data


def test_it_shows_every_part_of_the_hubei_form(signed_in, plan):
    html = signed_in.get(reverse("plan_edit", args=[plan.pk])).content.decode()
    for label in ["总体绩效目标", "分项绩效目标", "工作保障措施", "长期绩效指标", "年度绩效指标", "部门职能概述",
                  "年度工作任务", "填报人", "联系电话", "收入构成", "支出构成", "指标分类", "上年指标值"]:  # fmt: skip
        assert label in html, label


def test_it_saves_the_main_fields(signed_in, plan):
    data = {"overall_goal": "全年签约亿元以上项目 330 个", "functions": "拟订招商引资政策", "annual_tasks": "",
            "long_term_goal": "", "annual_goal": "", "contact_person": "方凯萍", "contact_phone": "027-56909587"}  # fmt: skip
    r = signed_in.post(reverse("plan_main", args=[plan.pk]), data, **HTMX)
    assert r.status_code == 200 and "已保存" in r.content.decode()
    plan.refresh_from_db()
    assert plan.overall_goal.startswith("全年签约") and plan.contact_person == "方凯萍"


def test_it_adds_edits_reorders_and_removes_items(signed_in, plan):
    url = reverse("plan_child_create", args=[plan.pk, "sub_goal"])
    signed_in.post(url, {"text": "完善招商基础工作"}, **HTMX)
    signed_in.post(url, {"text": "做好招商服务工作"}, **HTMX)
    r = signed_in.post(url, {"text": ""}, **HTMX)
    assert "请填写内容" in r.content.decode()
    first, second = plan.sub_goals
    signed_in.post(reverse("plan_child_move", args=[plan.pk, "sub_goal", second.pk]), {"direction": "up"}, **HTMX)
    assert [i.text for i in plan.sub_goals] == ["做好招商服务工作", "完善招商基础工作"]
    signed_in.post(reverse("plan_child_update", args=[plan.pk, "sub_goal", first.pk]), {"text": "改写"}, **HTMX)
    signed_in.post(reverse("plan_child_delete", args=[plan.pk, "sub_goal", second.pk]), **HTMX)
    assert [i.text for i in plan.sub_goals] == ["改写"]
    signed_in.post(reverse("plan_child_create", args=[plan.pk, "safeguard"]), {"text": "加强内部监督"}, **HTMX)
    assert [i.text for i in plan.safeguards] == ["加强内部监督"]


def test_it_adds_a_department_indicator_with_prior_values_and_category(signed_in, plan, hubei):
    level2 = hubei.level2_list()[0]
    r = signed_in.post(reverse("plan_child_create", args=[plan.pk, "annual"]), indicator_data(level2), **HTMX)
    assert r.status_code == 200
    indicator = DepartmentIndicator.objects.get(plan=plan)
    assert indicator.horizon == "annual" and indicator.level1 == level2.level1
    assert indicator.value_display == "≤100%" and indicator.basis_category == "plan"
    assert indicator.prior_value_2 == "≤100%"


def test_it_rejects_a_bad_department_indicator_and_keeps_the_text(signed_in, plan, hubei):
    level2 = hubei.level2_list()[0]
    data = indicator_data(level2, name="", number="很多", basis="我写的依据")
    r = signed_in.post(reverse("plan_child_create", args=[plan.pk, "long_term"]), data, **HTMX)
    html = r.content.decode()
    assert "请填写三级指标名称" in html and "指标值的数值应为数字" in html and "我写的依据" in html
    assert not DepartmentIndicator.objects.filter(plan=plan).exists()


def test_it_edits_funding_lines_and_rejects_bad_money(signed_in, plan):
    url = reverse("plan_child_create", args=[plan.pk, "income"])
    signed_in.post(url, {"name": "财政拨款", "amount": "509.41", "prior_amount_1": "", "prior_amount_2": ""}, **HTMX)
    line = FundingLine.objects.get(plan=plan)
    assert line.kind == "income" and line.amount == Decimal("509.41")
    assert 'name="amount" value="509.41"' in signed_in.get(reverse("plan_edit", args=[plan.pk])).content.decode()
    r = signed_in.post(reverse("plan_child_update", args=[plan.pk, "income", line.pk]),
                       {"name": "财政拨款", "amount": "-3", "prior_amount_1": "abc", "prior_amount_2": ""}, **HTMX)  # fmt: skip
    html = r.content.decode()
    assert "金额不能为负数" in html and "“abc”不是金额" in html
    line.refresh_from_db()
    assert line.amount == Decimal("509.41")


def test_html_in_a_plan_shows_as_text(signed_in, plan):
    evil = "<img src=x onerror=alert(1)>"
    signed_in.post(reverse("plan_child_create", args=[plan.pk, "safeguard"]), {"text": evil}, **HTMX)
    DepartmentPlan.objects.filter(pk=plan.pk).update(functions=evil)  # printed on the Hubei form, so in the preview
    for url in (reverse("plan_edit", args=[plan.pk]), reverse("plan_preview", args=[plan.pk])):
        html = signed_in.get(url).content.decode()
        assert evil not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_another_units_plan_is_not_found(client, other_clerk, plan):
    client.force_login(other_clerk)
    assert client.get(reverse("plan_edit", args=[plan.pk])).status_code == 404
    r = client.post(reverse("plan_child_create", args=[plan.pk, "sub_goal"]), {"text": "x"})
    assert r.status_code == 404 and not PlanItem.objects.filter(plan=plan).exists()


def test_anonymous_is_sent_to_login(client, plan):
    r = client.get(reverse("plan_edit", args=[plan.pk]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_an_approved_plan_cannot_be_changed(signed_in, plan):
    plan.status = Status.APPROVED
    plan.save()
    r = signed_in.post(reverse("plan_child_create", args=[plan.pk, "sub_goal"]), {"text": "x"})
    assert r.status_code == 403


def test_a_new_plan_starts_blank_from_a_seed_or_from_last_year(signed_in, unit, hubei):
    r = signed_in.post(reverse("plan_new"), {"unit": unit.pk, "year": THIS_YEAR, "framework": hubei.pk})
    blank = DepartmentPlan.objects.get(unit=unit, year=THIS_YEAR, is_template=False)
    assert r["Location"] == reverse("plan_edit", args=[blank.pk])
    html = signed_in.post(reverse("plan_new"), {"unit": unit.pk, "year": THIS_YEAR, "framework": ""}).content.decode()
    assert "本单位该年度已有部门整体绩效目标" in html

    seed = DepartmentPlan.objects.filter(is_template=True).first()
    signed_in.post(reverse("plan_copy", args=[seed.pk]), {"unit": unit.pk, "year": THIS_YEAR + 1})
    from_seed = DepartmentPlan.objects.get(unit=unit, year=THIS_YEAR + 1)
    assert from_seed.copied_from == seed

    signed_in.post(reverse("plan_copy", args=[from_seed.pk]), {"unit": unit.pk, "year": THIS_YEAR + 2})
    assert DepartmentPlan.objects.get(unit=unit, year=THIS_YEAR + 2).copied_from == from_seed


def test_the_preview_is_laid_out_like_the_printed_form(signed_in, unit):
    seed = DepartmentPlan.objects.filter(is_template=True, funding_lines__isnull=False).distinct().first()
    html = signed_in.get(reverse("plan_preview", args=[seed.pk])).content.decode()
    assert "部门总体资金情况" in html and "收入构成" in html and "年度绩效指标" in html
    assert re.search(r'<td rowspan="\d+">运行成本</td>', html)  # merged as printed


# The template library, and edits racing a submit


@pytest.fixture
def template_plan(db):
    return DepartmentPlan.objects.get(unit__code="321001", is_template=True)


def test_a_clerk_of_the_seed_unit_may_read_but_not_edit_a_template_plan(client, template_plan):
    from perfgoals.units.models import Membership
    from tests.conftest import make_user

    client.force_login(make_user("seedclerk", template_plan.unit, Membership.CLERK))
    item = template_plan.items.first()
    before = (template_plan.overall_goal, item.text, template_plan.items.count())

    assert client.get(reverse("plan_edit", args=[template_plan.pk])).status_code == 200
    refused = [
        client.post(reverse("plan_main", args=[template_plan.pk]), {"overall_goal": "改写"}, **HTMX),
        client.post(reverse("plan_child_create", args=[template_plan.pk, item.kind]), {"text": "新增"}, **HTMX),
        client.post(reverse("plan_child_update", args=[template_plan.pk, item.kind, item.pk]), {"text": "改写"}, **HTMX),
        client.post(reverse("plan_child_delete", args=[template_plan.pk, item.kind, item.pk]), **HTMX),
    ]  # fmt: skip

    assert [r.status_code for r in refused] == [403] * len(refused)
    template_plan.refresh_from_db()
    item.refresh_from_db()
    assert (template_plan.overall_goal, item.text, template_plan.items.count()) == before


def test_an_administrator_edits_a_template_plan(client, admin_user, template_plan):
    client.force_login(admin_user)

    r = client.post(reverse("plan_child_create", args=[template_plan.pk, "safeguard"]), {"text": "加强督导"}, **HTMX)

    assert r.status_code == 200 and "已保存" in r.content.decode()
    assert template_plan.items.filter(kind=PlanItem.SAFEGUARD, text="加强督导").exists()


def test_an_edit_after_the_plan_was_submitted_elsewhere_is_refused_and_changes_nothing(signed_in, plan):
    item = PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="完善招商基础工作", order=1)
    DepartmentPlan.objects.filter(pk=plan.pk).update(status=Status.SUBMITTED)  # submitted from another tab

    r = signed_in.post(reverse("plan_child_update", args=[plan.pk, "sub_goal", item.pk]), {"text": "迟到的修改"}, **HTMX)
    r_main = signed_in.post(reverse("plan_main", args=[plan.pk]), {"overall_goal": "迟到的修改"}, **HTMX)

    assert (r.status_code, r_main.status_code) == (403, 403)
    item.refresh_from_db()
    plan.refresh_from_db()
    assert item.text == "完善招商基础工作" and plan.overall_goal == "做好招商"

