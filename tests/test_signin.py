"""Signing in: the throttle (django-axes), the audit trail, changing one's password."""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD

LOCKED = "登录失败次数过多"


@pytest.fixture
def axes(settings):
    """The throttle as in production (the test settings switch it off for client.login)."""
    settings.AXES_ENABLED = True
    return settings


def sign_in(client, url: str, username: str, password: str, address: str = "10.1.1.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_user_out_from_that_address(client, clerk, axes, caplog):
    login = reverse("login")
    with caplog.at_level(logging.INFO, logger="perfgoals.audit"):
        for _ in range(4):
            response = sign_in(client, login, "clerk", "wrong-password")
            assert response.status_code == 200 and "用户名或密码不正确" in response.text
        response = sign_in(client, login, "clerk", "wrong-password")  # the fifth locks
        assert response.status_code == 429 and LOCKED in response.text

        response = sign_in(client, login, "clerk", PASSWORD)  # the right one, now refused
    assert response.status_code == 429
    assert LOCKED in response.text and "15 分钟后再试" in response.text and "联系管理员" in response.text
    assert not signed_in(client)
    assert caplog.text.count("sign-in refused: clerk from 10.1.1.1") == 6  # the right one, refused, too
    assert "locked out: clerk from 10.1.1.1 after 5 wrong passwords" in caplog.text

    # The same person from another address (another office) is not locked out.
    assert sign_in(client, login, "clerk", PASSWORD, address="10.2.2.2").status_code == 302
    assert signed_in(client)


def test_the_admin_site_is_throttled_too(client, admin_user, axes):
    login = reverse("admin:login")
    for _ in range(5):
        assert sign_in(client, login, "admin", "wrong-password").status_code in (200, 429)
    response = sign_in(client, login, "admin", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.text
    assert not signed_in(client)


def test_an_administrator_unlocks_and_it_is_logged(client, clerk, axes, caplog):
    login = reverse("login")
    for _ in range(5):
        sign_in(client, login, "clerk", "wrong-password")
    assert sign_in(client, login, "clerk", PASSWORD).status_code == 429
    with caplog.at_level(logging.INFO, logger="perfgoals.audit"):
        call_command("axes_reset_username", "clerk")
    assert "sign-in failures cleared: clerk from 10.1.1.1 (6)" in caplog.text  # 5 and the refused right one
    assert sign_in(client, login, "clerk", PASSWORD).status_code == 302 and signed_in(client)


def test_an_administrator_unlocks_in_the_admin(client, clerk, admin_user, axes):
    for _ in range(5):
        sign_in(client, reverse("login"), "clerk", "wrong-password")
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="clerk")
    client.force_login(admin_user)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "clerk" in page.text
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()
    assert sign_in(client, reverse("login"), "clerk", PASSWORD).status_code == 302


def test_limit_and_cool_off_come_from_the_settings(client, clerk, axes):
    axes.AXES_FAILURE_LIMIT = 2
    login = reverse("login")
    sign_in(client, login, "clerk", "wrong-password")
    assert sign_in(client, login, "clerk", "wrong-password").status_code == 429


def test_sign_in_and_sign_out_are_in_the_audit_log(client, clerk, axes, caplog):
    with caplog.at_level(logging.INFO, logger="perfgoals.audit"):
        assert sign_in(client, reverse("login"), "clerk", PASSWORD).status_code == 302
        client.post(reverse("logout"), REMOTE_ADDR="10.1.1.1")
    assert "sign-in: clerk from 10.1.1.1" in caplog.text
    assert "sign-out: clerk from 10.1.1.1" in caplog.text
    from axes.models import AccessLog

    entry = AccessLog.objects.get(username="clerk")  # what the admin shows (访问日志)
    assert entry.ip_address == "10.1.1.1" and entry.logout_time is not None


def test_behind_a_proxy_the_forwarded_address_counts(client, clerk, axes, caplog):
    axes.TRUSTED_PROXIES = 1
    with caplog.at_level(logging.INFO, logger="perfgoals.audit"):
        client.post(reverse("login"), {"username": "clerk", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9")  # fmt: skip
    assert "sign-in refused: clerk from 10.9.9.9" in caplog.text  # the one our proxy appended


def test_every_user_can_change_their_password(client, clerk):
    client.force_login(clerk)
    home = client.get(reverse("home"))
    assert reverse("password_change") in home.text and "修改密码" in home.text
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "原密码" in page.text

    weak = client.post(reverse("password_change"),
                       {"old_password": PASSWORD, "new_password1": "20262026", "new_password2": "20262026"})
    assert weak.status_code == 200 and "密码只包含数字" in weak.text
    similar = client.post(reverse("password_change"),
                          {"old_password": PASSWORD, "new_password1": "clerk123x", "new_password2": "clerk123x"})
    assert "太相似" in similar.text
    wrong_old = client.post(reverse("password_change"),
                            {"old_password": "nope", "new_password1": "Qz8-ren-wu", "new_password2": "Qz8-ren-wu"})
    assert wrong_old.status_code == 200 and "原密码" in wrong_old.text

    done = client.post(reverse("password_change"),
                       {"old_password": PASSWORD, "new_password1": "Qz8-ren-wu", "new_password2": "Qz8-ren-wu"})
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    assert "密码已修改" in client.get(done.url).text
    assert signed_in(client)  # still signed in in this browser
    client.logout()
    assert client.login(username="clerk", password="Qz8-ren-wu")
    assert not client.login(username="clerk", password=PASSWORD)


def test_signing_in_needs_no_password_change_page_when_signed_out(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
