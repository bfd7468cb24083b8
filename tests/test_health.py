"""/healthz: 200 JSON when the database, DATA_DIR, the print cache and the fonts answer; 503 when one does not."""

import pytest
from django.urls import reverse

from perfgoals import health
from perfgoals.printing import fonts


def test_healthy(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "data_dir", "print_cache", "storage", "fonts"}  # no broker configured
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


def test_no_sign_in_and_no_redirect_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True  # a load balancer checks over plain HTTP
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("home")).status_code == 301


@pytest.mark.parametrize("what", ["data_dir", "fonts", "database"])
def test_a_failing_check_is_a_503_naming_it(client, db, settings, monkeypatch, tmp_path, caplog, what):
    if what == "data_dir":
        settings.DATA_DIR = tmp_path / "gone"
    elif what == "fonts":
        monkeypatch.setattr(fonts, "OUT_DIR", tmp_path)
    else:
        def broken():
            raise RuntimeError("database at db.internal is down")

        monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and not body["checks"][what]["ok"]
    assert [name for name, check in body["checks"].items() if not check["ok"]] == [what]
    assert str(tmp_path) not in response.text and "db.internal" not in response.text  # the log says where
    assert f"healthz: {what} failed" in caplog.text
