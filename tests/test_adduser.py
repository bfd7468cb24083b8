"""manage.py adduser and create_demo_users: how people get into the system."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from perfgoals.units.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password.txt"
    path.write_text("Zhaoshang-2026\nsecond line is ignored\n", encoding="utf-8")
    return str(path)


def adduser(*args, **options) -> str:
    out = StringIO()
    call_command("adduser", *args, stdout=out, **options)
    return out.getvalue()


def test_it_creates_a_clerk_who_can_log_in(client, unit, password_file):
    output = adduser("wangli", unit="990001", role="clerk", password_file=password_file)

    user = User.objects.get(username="wangli")
    assert user.check_password("Zhaoshang-2026")
    assert not user.is_staff
    assert list(user.memberships.values_list("unit__code", "role")) == [("990001", "clerk")]
    assert "填报人" in output
    assert client.login(username="wangli", password="Zhaoshang-2026")


def test_running_it_twice_adds_no_second_membership(unit, password_file):
    adduser("wangli", unit="990001", role="clerk", password_file=password_file)
    output = adduser("wangli", unit="990001", role="clerk", password_file=password_file)

    assert Membership.objects.filter(user__username="wangli").count() == 1
    assert User.objects.filter(username="wangli").count() == 1
    assert "未做改动" in output


def test_it_adds_a_role_in_another_unit_to_an_existing_user(unit, other_unit, password_file):
    adduser("wangli", unit="990001", role="clerk", password_file=password_file)
    adduser("wangli", unit="990002", role="supervisor")  # no password needed for an existing user

    roles = set(Membership.objects.filter(user__username="wangli").values_list("unit__code", "role"))
    assert roles == {("990001", "clerk"), ("990002", "supervisor")}
    assert User.objects.get(username="wangli").check_password("Zhaoshang-2026")


def test_an_administrator_can_open_the_admin_site(client, unit, password_file):
    adduser("zhaoadmin", unit="990001", role="admin", password_file=password_file)

    user = User.objects.get(username="zhaoadmin")
    assert user.is_staff
    client.force_login(user)
    response = client.get("/admin/goals/projecttable/")
    assert response.status_code == 200


def test_it_refuses_an_unknown_unit_code(db, password_file):
    with pytest.raises(CommandError, match="没有编码为“999999”的预算单位"):
        adduser("wangli", unit="999999", role="clerk", password_file=password_file)
    assert not User.objects.filter(username="wangli").exists()


def test_it_refuses_an_unknown_role(unit, password_file):
    with pytest.raises(CommandError, match="未知角色“boss”"):
        adduser("wangli", unit="990001", role="boss", password_file=password_file)
    assert not User.objects.filter(username="wangli").exists()


def test_it_refuses_an_empty_password_file(unit, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第一行是空的"):
        adduser("wangli", unit="990001", role="clerk", password_file=str(empty))


def test_it_refuses_a_too_short_password(unit, tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("abc\n", encoding="utf-8")
    with pytest.raises(CommandError, match="密码不符合要求"):
        adduser("wangli", unit="990001", role="clerk", password_file=str(short))
    assert not User.objects.filter(username="wangli").exists()


def test_it_asks_for_the_password_twice_without_a_file(unit, monkeypatch):
    answers = iter(["Zhaoshang-2026", "Zhaoshang-2026"])
    monkeypatch.setattr("perfgoals.units.management.commands.adduser.getpass", lambda prompt: next(answers))

    adduser("wangli", unit="990001", role="supervisor")

    assert User.objects.get(username="wangli").check_password("Zhaoshang-2026")


def test_it_refuses_two_different_typed_passwords(unit, monkeypatch):
    answers = iter(["Zhaoshang-2026", "Zhaoshang-2027"])
    monkeypatch.setattr("perfgoals.units.management.commands.adduser.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="两次输入的密码不一致"):
        adduser("wangli", unit="990001", role="clerk")
    assert not User.objects.filter(username="wangli").exists()


def test_demo_users_are_created_on_an_empty_database(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("create_demo_users", stdout=out)

    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"clerk": "clerk", "supervisor": "supervisor", "admin": "admin"}
    assert set(Membership.objects.values_list("unit__code", flat=True)) == {"321001"}
    saved = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8")
    assert saved.strip() in out.getvalue()
    # The printed password is the one that works.
    clerk_line = next(line for line in saved.splitlines() if "用户名 clerk" in line)
    assert client.login(username="clerk", password=clerk_line.split("密码 ")[1].strip())


def test_demo_users_are_not_created_when_there_are_users(clerk, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("create_demo_users", stdout=out)

    assert list(User.objects.values_list("username", flat=True)) == ["clerk"]
    assert not (tmp_path / "demo-accounts.txt").exists()
    assert "已有用户" in out.getvalue()
