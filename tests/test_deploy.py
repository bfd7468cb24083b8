"""The samples in deploy/ name commands and files that exist in this repository, and their
limits agree with the settings (a larger upload than the app accepts, timeouts above the
print time limit)."""

import re
import runpy
import shlex
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
CHECKOUT = "/srv/perfgoals"


def unit(name: str) -> dict[str, str]:
    lines = (DEPLOY / name).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def in_repo(path: str) -> Path:
    assert path.startswith(CHECKOUT + "/"), path
    return ROOT / path.removeprefix(CHECKOUT + "/")


def nginx_directive(name: str) -> str:
    return re.search(rf"^\s*{name}\s+([^;]+);", (DEPLOY / "nginx-perfgoals.conf").read_text(), re.M).group(1)


def seconds(value: str) -> int:
    return int(value.removesuffix("s"))


@pytest.mark.parametrize("name", ["perfgoals-web.service", "perfgoals-worker.service"])
def test_the_units_run_the_repositorys_programs_from_its_checkout(name):
    service = unit(name)
    assert service["WorkingDirectory"] == CHECKOUT
    assert service["EnvironmentFile"] == "/etc/perfgoals/env"
    command = shlex.split(service["ExecStart"])
    assert in_repo(command[0]).exists()  # .venv/bin/gunicorn, .venv/bin/celery
    if "gunicorn" in command[0]:
        module, app = command[1].split(":")
        assert (ROOT / (module.replace(".", "/") + ".py")).exists() and app == "application"
        assert (ROOT / command[command.index("--config") + 1]).exists()
    else:
        assert command[1:4] == ["-A", "perfgoals", "worker"] and (ROOT / "perfgoals" / "celery.py").exists()


def test_the_worker_takes_only_the_cpu_the_web_leaves_on_a_shared_machine():
    # Between services systemd's control groups share the CPU by weight (default 100); a
    # nice value counts only inside the worker's own group.
    web, worker = unit("perfgoals-web.service"), unit("perfgoals-worker.service")
    assert int(worker["CPUWeight"]) * 5 <= int(web.get("CPUWeight", 100))


def test_the_env_file_they_read_is_documented_by_env_example():
    example = (ROOT / ".env.example").read_text()
    assert "CELERY_BROKER_URL=" in example and "LOG_FORMAT" in example
    assert ".env.example" in (DEPLOY / "README.md").read_text()


def test_nginx_lets_through_what_the_app_accepts_and_waits_longer_than_it_prints():
    size = nginx_directive("client_max_body_size")
    assert size.endswith("m") and int(size[:-1]) * 1024 * 1024 > settings.IMPORT_MAX_UPLOAD_BYTES
    gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings.PRINT_TIME_LIMIT < gunicorn["timeout"] < seconds(nginx_directive("proxy_read_timeout"))
    assert gunicorn["worker_class"] == "gthread"


def test_nginx_sets_the_request_id_and_leaves_the_private_data_dir_to_the_app():
    assert nginx_directive("proxy_set_header X-Request-ID") == "$request_id"
    assert "alias" not in (DEPLOY / "nginx-perfgoals.conf").read_text()  # DATA_DIR is 0700: static files by WhiteNoise
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert "proxy_set_header X-Forwarded-Proto" in (DEPLOY / "nginx-perfgoals.conf").read_text()
