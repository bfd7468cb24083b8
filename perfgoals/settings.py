"""Settings for perfgoals.

Every setting is read from the environment, with defaults that work for one office
on SQLite. See README.md for the variables.
"""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from import_export.formats import base_formats

from perfgoals.lib.env import envbool, envint, envlist, envorigins

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.getenv("DATA_DIR", BASE_DIR / "var"))


def _private_data_dir(path: Path) -> None:
    """DATA_DIR holds the database and the secret key: only its owner may enter it (0700),
    and the files already there that say something are 0600, whoever created them."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid != os.getuid():
        return  # not ours to change (a shared, read-only copy); its owner decides
    path.chmod(0o700)
    for name in ("secret_key", "perfgoals.sqlite3", "perfgoals.sqlite3-wal", "perfgoals.sqlite3-shm",
                 "demo-accounts.txt"):  # fmt: skip
        file = path / name
        if file.is_file() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


_private_data_dir(DATA_DIR)

DEBUG = envbool("DEBUG", "False")
DEVELOPMENT_KEY = "perfgoals-development-key-not-for-production"


def _secret_key() -> str:
    key = os.getenv("SECRET_KEY", "").strip()
    key_file = DATA_DIR / "secret_key"
    if not key and key_file.exists():
        key = key_file.read_text().strip()
    if key and (key != DEVELOPMENT_KEY or DEBUG):
        return key
    if DEBUG:
        return DEVELOPMENT_KEY  # development only: bin/install writes DATA_DIR/secret_key
    raise ImproperlyConfigured(
        f"perfgoals will not start without a secret key while DEBUG is off: set SECRET_KEY in the "
        f"environment (50 random characters), or run bin/install, which writes {key_file}."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envorigins("CSRF_TRUSTED_ORIGINS")

# HTTPS=true: the site is served over HTTPS, by a reverse proxy (nginx) that sets
# X-Forwarded-Proto. Plain HTTP is redirected, browsers are told to use HTTPS only (HSTS),
# and the session and CSRF cookies are only sent over HTTPS.
HTTPS = envbool("HTTPS", "false")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer asks over plain HTTP
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "31536000" if HTTPS else "0", minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", "true")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "import_export",
    "simple_history",
    "perfgoals.units",
    "perfgoals.frameworks",
    "perfgoals.goals",
    "perfgoals.exchange",
    "perfgoals.review",
    "perfgoals.printing",
    "perfgoals.workflow",
]

MIDDLEWARE = [
    "perfgoals.middleware.request_id",  # first: every later line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "perfgoals.exchange.middleware.upload_limit",  # before CSRF, which reads the body
    "perfgoals.middleware.EditorAnswers",  # before CSRF, which reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "perfgoals.lib.params.refuse_nul",  # after CSRF: a forged POST is refused before its body is read here
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "perfgoals.urls"
WSGI_APPLICATION = "perfgoals.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "perfgoals.units.context_processors.navigation",
            ],
        },
    },
]


def _database() -> dict:
    """DATABASE_URL (sqlite:///path, postgres://user:password@host:port/name), or the
    older DB=postgres with DB_NAME, DB_USER, DB_PASSWORD, DB_HOST, DB_PORT; the default is
    SQLite in DATA_DIR (DB_NAME, when set, names its file)."""
    url, kind = os.getenv("DATABASE_URL", "").strip(), os.getenv("DB", "").strip()
    if url and kind:
        raise ImproperlyConfigured(f"DATABASE_URL and DB={kind} are both set: keep one of them")
    conn_max_age = envint("DB_CONN_MAX_AGE", "0", minimum=0)
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=conn_max_age)
        except ValueError as e:  # an unknown scheme or a malformed URL
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {e}") from None
    elif kind == "postgres":
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.getenv("DB_NAME", "perfgoals"),
            "USER": os.getenv("DB_USER", "postgres"),
            "PASSWORD": os.getenv("DB_PASSWORD", ""),
            "HOST": os.getenv("DB_HOST", "127.0.0.1"),
            "PORT": envint("DB_PORT", "5432"),
            "CONN_MAX_AGE": conn_max_age,
        }
    elif kind in ("", "sqlite"):
        config = dj_database_url.parse(f"sqlite:///{os.getenv('DB_NAME', DATA_DIR / 'perfgoals.sqlite3')}")
    else:
        raise ImproperlyConfigured(f"DB={kind!r}: use DATABASE_URL, or DB=sqlite or DB=postgres")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Writers queue for the lock at BEGIN instead of failing halfway; readers never wait.
        config.setdefault("OPTIONS", {}).update(
            {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
        )
    elif test_name := os.getenv("DB_TEST_NAME"):  # bin/test: a test database of this run's own
        config["TEST"] = {"NAME": test_name}
    return config


DATABASES = {"default": _database()}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name from
# one address, that pair is refused for AXES_COOLOFF_MINUTES (a person behind the same
# office address can still sign in; someone elsewhere cannot lock a colleague out).
# An administrator unlocks in the admin (访问尝试) or with manage.py axes_reset_username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5", minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15", minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "perfgoals.units.signin.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "perfgoals.units.signin.client_ip"
# Behind a reverse proxy REMOTE_ADDR is the proxy: TRUSTED_PROXIES=1 takes the client's
# address from the last entry of X-Forwarded-For, which that proxy appends.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", "0", minimum=0)

# A signed-in session ends when the browser closes, and at the latest SESSION_HOURS after
# it was last changed (signing in changes it).
SESSION_COOKIE_AGE = envint("SESSION_HOURS", "8", minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "perfgoals.middleware.csrf_failure"  # in Chinese: the page has expired
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
# No page may be framed, but the PDFs (perfgoals/printing/views.py), which the book
# preview shows in a frame of our own: they say SAMEORIGIN.
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from this
# site's own files (no inline script or style="" attribute), framed only by this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [SELF],
    },
}

# The admin's spreadsheets (django-import-export): imported from CSV or Excel only (the HTML
# reader was a 500), at most ADMIN_IMPORT_MAX_ROWS rows a file (perfgoals/units/admin.py).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]
EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX, base_formats.TSV, base_formats.JSON]
ADMIN_IMPORT_MAX_ROWS = envint("ADMIN_IMPORT_MAX_ROWS", "1000", minimum=1)

# Printing (perfgoals/printing). PRINT_WORKERS: processes that lay out PDFs (0: in the
# process that asks, no pool). With a broker (CELERY_BROKER_URL, below) the Celery workers
# print, and a web process keeps no pool of its own unless told to: 0 by default. PRINT_CACHE_DIR:
# the print cache, unless STORAGES has a "print_cache" alias (another Storage, e.g. off this machine).
PRINT_WORKERS = envint("PRINT_WORKERS", "0" if os.getenv("CELERY_BROKER_URL", "").strip() else str(min(2, os.cpu_count() or 1)))
if PRINT_WORKERS < 0:
    raise ImproperlyConfigured(f"PRINT_WORKERS={PRINT_WORKERS} must be 0 or more")
PRINT_CACHE_DIR = Path(os.getenv("PRINT_CACHE_DIR", DATA_DIR / "print-cache"))
# PRINT_TIME_LIMIT: seconds one render (a table, a plan, a book's pieces) may take before it
# is stopped and the reader told so in Chinese; below gunicorn's --timeout (bin/setup: 120).
PRINT_TIME_LIMIT = envint("PRINT_TIME_LIMIT", "60", minimum=1)
# Seconds a print worker's own alarm waits beyond PRINT_TIME_LIMIT before it ends the worker,
# for the process that asked to act first (perfgoals/printing/runner.py).
PRINT_ALARM_GRACE = 5

# Files (perfgoals/printing, perfgoals/exchange): uploads waiting for their import's
# confirmation and the books of a batch print go through Django's storage API, so that
# several app servers and task workers share them: the "default" storage, a directory
# under DATA_DIR (FILES_DIR) unless S3_BUCKET names a bucket of an S3-compatible store
# (MinIO, a cloud's object storage), which then also holds the print cache.
FILES_DIR = Path(os.getenv("FILES_DIR", DATA_DIR / "files"))


def _storages() -> dict:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": FILES_DIR}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    bucket = os.getenv("S3_BUCKET", "").strip()
    if not bucket:
        return storages
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "S3_BUCKET is set but django-storages is not installed: .venv/bin/pip install 'django-storages[s3]'"
        )
    options = {
        "bucket_name": bucket,
        "endpoint_url": os.getenv("S3_ENDPOINT_URL") or None,  # MinIO: http://minio.example:9000
        "region_name": os.getenv("S3_REGION") or None,
        "access_key": os.getenv("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.getenv("S3_SECRET_ACCESS_KEY") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": True,  # the print cache's names are content hashes; uploads' random tokens
    }
    storages["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "files"}}
    storages["print_cache"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "print-cache"}}
    return storages


STORAGES = _storages()

# The task queue (Celery, perfgoals/celery.py; perfgoals/printing/tasks.py): rendering a
# table when it is submitted or approved, a unit's book, a batch print. CELERY_BROKER_URL
# (redis://127.0.0.1:6379/0, amqp://…) sends them to `celery -A perfgoals worker`
# processes on any machine; without it they run at once in the process that asks
# (the web process), so one office PC needs no broker.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "").strip()
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_QUEUE", "perfgoals").strip() or "perfgoals"
CELERY_TASK_IGNORE_RESULT = True  # what a task did is in the database (PrintBatchItem, the print cache)
CELERY_TASK_ACKS_LATE = True  # a worker killed in the middle of a book: another one prints it
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # books take seconds: one at a time per worker process
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# Logs: one line per event, each with the id of its request (X-Request-ID, from nginx or
# made here; perfgoals.middleware.request_id) or of its Celery task. LOG_FORMAT=text writes
# key=value lines, LOG_FORMAT=json one JSON object a line (perfgoals/lib/logs.py).
LOG_FORMAT = os.getenv("LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "perfgoals.lib.logs.WithRequestId"},
        # A refused request (4xx) is one line: what and where, without a traceback.
        "one_line_4xx": {"()": "perfgoals.lib.logs.OneLineForRefusals"},
    },
    "formatters": {
        "text": {"()": "perfgoals.lib.logs.TextFormatter"},
        "json": {"()": "perfgoals.lib.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
        "refusals": {"class": "logging.StreamHandler", "filters": ["request_id", "one_line_4xx"],
                     "formatter": LOG_FORMAT},
    },
    "loggers": {
        "perfgoals": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
        # Refused requests (403 forged edits, 404 other units' objects) are worth seeing.
        "django.request": {"handlers": ["refusals"], "level": "WARNING"},
        "django.security": {"handlers": ["refusals"], "level": "WARNING"},
        # Sign-in, sign-out, wrong passwords and lock-outs are perfgoals.audit lines
        # (perfgoals/units/signin.py); django-axes' own, with the names masked, add nothing.
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # WeasyPrint's INFO lines (each step of each layout) would fill a Celery worker's log.
        "weasyprint": {"level": "WARNING"},
    },
}

# Importing documents (perfgoals/exchange): an upload above this many bytes is refused
# before it is read.
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))

# Bounded work. A table or plan holds at most MAX_ROWS_PER_TABLE rows (goals and indicators;
# a plan's items, indicators and funding lines): the editor, the importers and the admin
# refuse more (goals/checks.rows_over_limit). The admin's change form of the largest
# allowed document posts about 16 fields a row (a department indicator's row is the widest):
# Django's default of 1,000 fields refused a 90-indicator table.
MAX_ROWS_PER_TABLE = envint("MAX_ROWS_PER_TABLE", "200", minimum=1)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000 + 20 * MAX_ROWS_PER_TABLE
