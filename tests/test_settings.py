"""Settings come from the environment (12-factor), as a server reads them at start-up: each
test reads perfgoals/settings.py afresh with exactly the environment it gives
(tests/startup.py), so what the tests' own settings changed does not count. Start-up as a
whole (a process that refuses to start, `manage.py check --deploy`) runs in a new process."""

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.startup import read_settings

ROOT = Path(__file__).resolve().parent.parent
# The variables these tests set; the rest of the environment (PATH, …) is inherited.
OURS = ("DEBUG", "SECRET_KEY", "DATA_DIR", "DATABASE_URL", "DB", "DB_NAME", "DB_TEST_NAME", "HTTPS", "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS", "SESSION_HOURS", "HSTS_SECONDS", "AXES_FAILURE_LIMIT", "MAX_ROWS_PER_TABLE",
        "PRINT_TIME_LIMIT", "ADMIN_IMPORT_MAX_ROWS",
        "DJANGO_ALLOW_ASYNC_UNSAFE")  # fmt: skip  (the browser tests set the last one in this process)


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in OURS}
    return {**base, "DJANGO_SETTINGS_MODULE": "perfgoals.settings", "DATA_DIR": str(tmp_path / "data"), **env}


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """A new process started with the environment (Django set up, or manage.py)."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          env=environment(tmp_path, **env), timeout=120)  # fmt: skip


def settings_with(tmp_path: Path, **env: str) -> dict:
    """What a process started with this environment would have as its settings (the values
    as JSON gives them back: lists for tuples, strings for paths)."""
    s = read_settings(environment(tmp_path, **env))
    db = s.DATABASES["default"]
    return json.loads(json.dumps({
        "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"), "port": db.get("PORT"),
        "user": db.get("USER"), "options": db.get("OPTIONS", {}), "test_name": db.get("TEST", {}).get("NAME"),
        "conn_max_age": db.get("CONN_MAX_AGE"), "debug": s.DEBUG, "secret_key": s.SECRET_KEY,
        "ssl_redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS, "session_secure": s.SESSION_COOKIE_SECURE,
        "csrf_secure": s.CSRF_COOKIE_SECURE, "proxy_header": s.SECURE_PROXY_SSL_HEADER,
        "session_age": s.SESSION_COOKIE_AGE, "at_browser_close": s.SESSION_EXPIRE_AT_BROWSER_CLOSE,
        "hosts": s.ALLOWED_HOSTS, "origins": s.CSRF_TRUSTED_ORIGINS, "axes_limit": s.AXES_FAILURE_LIMIT,
        "max_rows": s.MAX_ROWS_PER_TABLE, "max_fields": s.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        "print_limit": s.PRINT_TIME_LIMIT, "admin_import_rows": s.ADMIN_IMPORT_MAX_ROWS,
    }))  # fmt: skip


def refusal(tmp_path: Path, **env: str) -> str:
    """The message of the ImproperlyConfigured that stops start-up with this environment."""
    with pytest.raises(ImproperlyConfigured) as refused:
        read_settings(environment(tmp_path, **env))
    return str(refused.value)


def refusal_of_a_new_process(tmp_path: Path, **env: str) -> str:
    """The last line a new process writes when it refuses to start (Django set up)."""
    done = run(["-c", "import django; django.setup()"], tmp_path, **env)
    assert done.returncode != 0, done.stdout
    return done.stderr.strip().splitlines()[-1]


KEY = secrets.token_urlsafe(50)


def production_example() -> dict[str, str]:
    """The variables of .env.example, with a key in place of the empty SECRET_KEY."""
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    assert env["SECRET_KEY"] == "", "the example must not carry a key that someone could copy"
    return {**env, "SECRET_KEY": KEY}


def test_check_deploy_is_clean_for_the_production_example(tmp_path):
    env = {**production_example(), "DATA_DIR": str(tmp_path / "data")}
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_production_example_reads_as_documented(tmp_path):
    s = settings_with(tmp_path, **{**production_example(), "DATA_DIR": str(tmp_path / "data")})
    assert s["engine"] == "django.db.backends.postgresql"
    assert (s["name"], s["host"], s["port"], s["user"]) == ("perfgoals", "127.0.0.1", 5432, "perfgoals")
    assert s["conn_max_age"] == 60 and not s["debug"] and s["secret_key"] == KEY
    assert s["ssl_redirect"] and s["hsts"] == 31536000 and s["session_secure"] and s["csrf_secure"]
    assert s["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["hosts"] == ["perf.example.gov.cn"] and s["origins"] == ["https://perf.example.gov.cn"]
    assert s["session_age"] == 8 * 3600 and s["at_browser_close"]


def test_without_a_secret_key_and_debug_off_it_refuses_to_start(tmp_path):
    message = refusal_of_a_new_process(tmp_path, DEBUG="false")
    assert "ImproperlyConfigured" in message and "SECRET_KEY" in message and "secret_key" in message
    # Nor with the development key set on purpose.
    assert "SECRET_KEY" in refusal(tmp_path, SECRET_KEY="perfgoals-development-key-not-for-production")


def test_the_key_file_written_by_bin_install_counts(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_text(KEY + "\n")
    assert settings_with(tmp_path)["secret_key"] == KEY


def test_debug_runs_on_the_development_key(tmp_path):
    s = settings_with(tmp_path, DEBUG="1")
    assert s["debug"] and s["secret_key"] == "perfgoals-development-key-not-for-production"


def test_sqlite_by_default_with_immediate_transactions_and_wal(tmp_path):
    s = settings_with(tmp_path, SECRET_KEY=KEY)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "data" / "perfgoals.sqlite3")
    assert s["options"] == {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    assert not s["ssl_redirect"] and s["hsts"] == 0 and not s["session_secure"] and s["proxy_header"] is None
    other = settings_with(tmp_path, SECRET_KEY=KEY, DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert other["name"] == f"{tmp_path}/other.sqlite3" and other["options"]["transaction_mode"] == "IMMEDIATE"


def test_the_older_db_variables_still_work(tmp_path):
    s = settings_with(tmp_path, SECRET_KEY=KEY, DB="postgres", DB_NAME="pg", DB_TEST_NAME="test_pg_123")
    assert (s["engine"], s["name"], s["host"], s["test_name"]) == (
        "django.db.backends.postgresql", "pg", "127.0.0.1", "test_pg_123")
    s = settings_with(tmp_path, SECRET_KEY=KEY, DATABASE_URL="postgres://u:p@db.internal:5433/perf",
                      DB_TEST_NAME="test_perf_9")  # fmt: skip
    assert (s["name"], s["host"], s["port"], s["test_name"]) == ("perf", "db.internal", 5433, "test_perf_9")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "postgres://u@h/d", "DB": "postgres"}, "DATABASE_URL and DB"),
        ({"DATABASE_URL": "mysqlx://nowhere"}, "DATABASE_URL"),
        ({"DB": "oracle"}, "DB='oracle'"),
        ({"HTTPS": "maybe"}, "HTTPS"),
        ({"SESSION_HOURS": "eight"}, "SESSION_HOURS"),
        ({"SESSION_HOURS": "0"}, "SESSION_HOURS"),
        ({"CSRF_TRUSTED_ORIGINS": "perf.example.gov.cn"}, "CSRF_TRUSTED_ORIGINS"),
        ({"AXES_FAILURE_LIMIT": "-1"}, "AXES_FAILURE_LIMIT"),
        ({"MAX_ROWS_PER_TABLE": "0"}, "MAX_ROWS_PER_TABLE"),
        ({"PRINT_TIME_LIMIT": "0"}, "PRINT_TIME_LIMIT"),
        ({"ADMIN_IMPORT_MAX_ROWS": "many"}, "ADMIN_IMPORT_MAX_ROWS"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_it(tmp_path, env, named):
    assert named in refusal(tmp_path, SECRET_KEY=KEY, **env)


def test_the_data_dir_and_the_database_are_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("perfgoals.sqlite3", "secret_key"):
        (data / name).write_text(KEY)
        (data / name).chmod(0o644)
    (data / "perfgoals.sqlite3").write_bytes(b"")
    settings_with(tmp_path)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "perfgoals.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    fresh = tmp_path / "fresh"
    settings_with(tmp_path, SECRET_KEY=KEY, DATA_DIR=str(fresh))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_session_lifetime_comes_from_the_environment(tmp_path):
    assert settings_with(tmp_path, SECRET_KEY=KEY, SESSION_HOURS="2")["session_age"] == 7200


def test_the_row_limit_comes_from_the_environment_and_sizes_the_form_field_limit(tmp_path):
    default = settings_with(tmp_path, SECRET_KEY=KEY)
    assert default["max_rows"] == 200 and default["max_fields"] == 5000  # Django's 1,000 refused a 90-row table
    more = settings_with(tmp_path, SECRET_KEY=KEY, MAX_ROWS_PER_TABLE="500")
    assert more["max_rows"] == 500 and more["max_fields"] == 11000


def test_the_print_time_limit_and_the_admin_import_rows_come_from_the_environment(tmp_path):
    default = settings_with(tmp_path, SECRET_KEY=KEY)
    assert (default["print_limit"], default["admin_import_rows"]) == (60, 1000)  # under gunicorn's 120 s
    chosen = settings_with(tmp_path, SECRET_KEY=KEY, PRINT_TIME_LIMIT="90", ADMIN_IMPORT_MAX_ROWS="300")
    assert (chosen["print_limit"], chosen["admin_import_rows"]) == (90, 300)
