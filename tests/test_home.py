"""Signing in, 我的绩效目标, the template library and the three ways to start a table."""

import re
from datetime import date

import pytest
from django.urls import reverse

from perfgoals.goals.models import DepartmentPlan, ProjectTable

THIS_YEAR = date.today().year


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def test_the_login_page_is_in_chinese(client):
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html and "用户名" in html and "密码" in html


def test_signing_in_lands_on_my_goals(client, clerk):
    from tests.conftest import PASSWORD

    r = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("home")
    assert "我的绩效目标" in r.content.decode()


def test_anonymous_is_sent_to_login(client):
    for name in ("home", "template_library", "table_new", "plan_new"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_home_lists_this_years_tables_of_my_units_only(signed_in, make_table, other_unit):
    make_table(year=THIS_YEAR, project_name="本单位今年的项目")
    make_table(year=THIS_YEAR - 1, project_name="本单位去年的项目", project_code="LAST")
    make_table(year=THIS_YEAR, unit=other_unit, project_name="别的单位的项目", project_code="OTHER")
    html = signed_in.get(reverse("home")).content.decode()
    assert "本单位今年的项目" in html
    assert "本单位去年的项目" not in html
    assert "别的单位的项目" not in html
    assert "草稿" in html  # status


def test_templates_are_not_my_tables(signed_in, make_table):
    make_table(year=THIS_YEAR, project_name="本单位的范例", is_template=True)
    assert "本单位的范例" not in signed_in.get(reverse("home")).content.decode()
    assert "本单位的范例" in signed_in.get(reverse("template_library")).content.decode()


def test_the_year_switcher_shows_another_year(signed_in, make_table):
    make_table(year=THIS_YEAR - 1, project_name="去年的项目")
    html = signed_in.get(reverse("home"), {"year": THIS_YEAR - 1}).content.decode()
    assert "去年的项目" in html
    assert f'<option value="{THIS_YEAR - 1}" selected>' in html


def test_search_finds_by_name_and_code(signed_in, make_table):
    make_table(year=THIS_YEAR, project_name="招商引资奖励资金", project_code="130322211O1GXXPEQUN7L")
    make_table(year=THIS_YEAR, project_name="办公用房租赁", project_code="ZZZ")
    by_name = tables_section(signed_in.get(reverse("home"), {"q": "招商"}))
    assert "招商引资奖励资金" in by_name and "办公用房租赁" not in by_name
    by_code = tables_section(signed_in.get(reverse("home"), {"q": "ZZZ"}))
    assert "办公用房租赁" in by_code and "招商引资奖励资金" not in by_code


def tables_section(response) -> str:
    return re.search(r'<section aria-labelledby="tables-h">.*?</section>', response.content.decode(), re.S)[0]


def test_home_shows_what_the_department_book_still_lacks(signed_in, make_table):
    make_table(year=THIS_YEAR, project_name="招商引资奖励资金")
    html = signed_in.get(reverse("home")).content.decode()
    assert "部门文本完成情况" in html
    assert "尚未填写部门整体绩效目标" in html and "《招商引资奖励资金》草稿，尚未通过" in html


def test_a_table_being_adjusted_is_told_from_its_approved_version(signed_in, make_table, clerk, supervisor):
    from perfgoals.workflow import workflow

    approved = make_table(year=THIS_YEAR)
    workflow.submit(approved, clerk)
    workflow.approve(approved, supervisor)
    workflow.reopen(approved, clerk)

    html = signed_in.get(reverse("home")).content.decode()

    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if "安全生产培训经费" in r]
    assert len(rows) == 2
    assert sum("版本 2" in r and "草稿" in r for r in rows) == 1 and sum("版本 2" in r for r in rows) == 1


def test_home_counts_open_problems(signed_in, make_table):
    make_table(year=THIS_YEAR, budget_total="9")  # 5 + 0 ≠ 9: the review flags it
    html = signed_in.get(reverse("home")).content.decode()
    assert "个错误" in html


def test_the_library_searches_the_seed_templates(signed_in):
    html = signed_in.get(reverse("template_library"), {"q": "招商引资奖励"}).content.decode()
    assert "2018-2019年度招商引资奖励资金" in html
    assert "办公用房租赁经费" not in html
    assert "使用此模板" in html and "预览" in html


def test_a_template_can_be_previewed_before_use(signed_in):
    template = ProjectTable.objects.filter(is_template=True, project_name="2018-2019年度招商引资奖励资金").first()
    html = signed_in.get(reverse("table_preview", args=[template.pk])).content.decode()
    assert "招商引资奖励项目数量" in html and "≥20项" in html


def test_a_clerk_starts_from_a_template(signed_in, unit):
    template = ProjectTable.objects.filter(is_template=True, project_name="2018-2019年度招商引资奖励资金").first()
    r = signed_in.post(reverse("table_copy", args=[template.pk]), {"unit": unit.pk, "year": THIS_YEAR})
    table = ProjectTable.objects.get(unit=unit, year=THIS_YEAR, is_template=False)
    assert r["Location"] == reverse("table_edit", args=[table.pk])
    assert table.indicators.count() == template.indicators.count()
    assert table.copied_from == template and table.project_code == ""


def test_a_clerk_cannot_copy_into_another_unit(signed_in, other_unit):
    template = ProjectTable.objects.filter(is_template=True).first()
    signed_in.post(reverse("table_copy", args=[template.pk]), {"unit": other_unit.pk, "year": THIS_YEAR})
    assert not ProjectTable.objects.filter(unit=other_unit).exists()


def test_a_clerk_starts_a_blank_table(signed_in, unit, hebei):
    data = {"unit": unit.pk, "year": THIS_YEAR, "framework": hebei.pk, "project_name": "新项目", "project_code": ""}
    r = signed_in.post(reverse("table_new"), data)
    table = ProjectTable.objects.get(project_name="新项目")
    assert r["Location"] == reverse("table_edit", args=[table.pk])
    assert table.framework == hebei and table.unit == unit


def test_a_blank_table_needs_a_name_and_a_year(signed_in, unit, hebei):
    data = {"unit": unit.pk, "year": "明年", "framework": hebei.pk, "project_name": "", "project_code": ""}
    html = signed_in.post(reverse("table_new"), data).content.decode()
    assert "请填写项目名称" in html and "请输入四位年份" in html


def test_the_new_page_shows_the_frameworks_skeleton(signed_in, hebei):
    html = signed_in.get(reverse("framework_skeleton"), {"framework": hebei.pk}).content.decode()
    for name in ("数量指标", "可持续影响指标", "服务对象满意度指标"):
        assert name in html


def test_copying_last_year_refuses_a_duplicate_code(signed_in, make_table):
    last = make_table(year=THIS_YEAR - 1)
    make_table(year=THIS_YEAR)  # same code already there this year
    r = signed_in.post(reverse("table_copy", args=[last.pk]), {"unit": last.unit_id, "year": THIS_YEAR}, follow=True)
    assert "本单位该年度已有相同项目编码的绩效目标表" in r.content.decode()
    assert ProjectTable.objects.filter(year=THIS_YEAR, unit=last.unit).count() == 1


def test_another_units_table_cannot_be_copied(client, other_clerk, make_table):
    table = make_table(year=THIS_YEAR - 1)
    client.force_login(other_clerk)
    r = client.post(reverse("table_copy", args=[table.pk]), {"unit": table.unit_id, "year": THIS_YEAR})
    assert r.status_code == 404


def test_plans_of_my_units_are_listed(signed_in, unit):
    DepartmentPlan.objects.create(unit=unit, year=THIS_YEAR, overall_goal="做好招商")
    html = signed_in.get(reverse("home")).content.decode()
    assert f"{unit.name} {THIS_YEAR}年部门整体绩效目标" in html
