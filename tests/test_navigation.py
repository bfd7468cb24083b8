"""No dead ends: navigation by role, error pages in Chinese inside the layout, the library's books."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from perfgoals.goals.models import DepartmentPlan

DESK_LINK = f'href="{reverse("desk")}"'


def test_a_clerk_is_never_offered_the_desk(client, clerk, make_table):
    table = make_table()
    client.force_login(clerk)

    home = client.get(reverse("home")).content.decode()
    assert "新建项目绩效目标表" in home
    for url in (reverse("home"), reverse("template_library"), table.get_absolute_url(),
                reverse("workflow_table", args=[table.pk]), reverse("table_preview", args=[table.pk])):
        assert DESK_LINK not in client.get(url).content.decode(), url


def test_a_supervisor_finds_the_desk_on_every_page_and_is_not_offered_to_write(client, supervisor, make_table):
    table = make_table()
    client.force_login(supervisor)

    home = client.get(reverse("home")).content.decode()
    assert DESK_LINK in home and "新建项目绩效目标表" not in home
    for url in (reverse("template_library"), reverse("workflow_table", args=[table.pk])):
        assert DESK_LINK in client.get(url).content.decode(), url


def test_an_administrator_has_the_desk(client, admin_user):
    client.force_login(admin_user)
    assert DESK_LINK in client.get(reverse("home")).content.decode()


def test_a_refusal_is_a_chinese_page_inside_the_layout_with_a_way_back(client, clerk):
    client.force_login(clerk)

    response = client.get(reverse("desk"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1 id=\"error-h\">无权执行此操作</h1>" in page
    assert "只有审核人可以查看待审核列表。" in page  # the reason the view gave
    assert 'class="site"' in page and f'href="{reverse("home")}"' in page
    assert "Forbidden" not in page


def test_a_missing_page_is_a_chinese_page_inside_the_layout_with_a_way_back(client, clerk, other_unit, make_table):
    foreign = make_table(unit=other_unit)
    client.force_login(clerk)

    for url in ("/no/such/page/", reverse("table_edit", args=[foreign.pk])):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 404, url
        assert "没有找到该页面" in page and 'class="site"' in page and f'href="{reverse("home")}"' in page
        assert "Not Found" not in page and "ProjectTable" not in page


def test_the_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")

    assert "服务器出错了" in page and 'href="/"' in page and "app.css" in page


def test_a_server_error_shows_the_chinese_page(client, clerk, monkeypatch):
    from perfgoals.workflow import books

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(books, "book_statuses", broken)
    client.raise_request_exception = False
    client.force_login(clerk)

    response = client.get(reverse("home"))

    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


@pytest.mark.parametrize("name", ["print_book_preview", "print_book"])
def test_the_book_of_a_template_unit_with_only_a_plan_is_found(client, clerk, name):
    plan = DepartmentPlan.objects.get(is_template=True, unit__name="鄂州市招商和投资促进中心")
    client.force_login(clerk)

    response = client.get(reverse(name, args=[plan.unit.code, plan.year]))

    assert response.status_code == 200
    if name == "print_book":
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
