"""Settings for perfgoals.

Every setting is read from the environment, with defaults that work for one office
on SQLite. See README.md for the variables.
"""

import os
from pathlib import Path

from perfgoals.lib.env import envbool, envint

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.getenv("DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.getenv("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    # Development and tests only: bin/setup writes var/secret_key on first run.
    return "perfgoals-development-key-not-for-production"


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "perfgoals.exchange.middleware.upload_limit",  # before CSRF, which reads the body
    "perfgoals.middleware.EditorAnswers",  # before CSRF, which reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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

if os.getenv("DB", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.getenv("DB_NAME", "perfgoals"),
            "USER": os.getenv("DB_USER", "postgres"),
            "PASSWORD": os.getenv("DB_PASSWORD", ""),
            "HOST": os.getenv("DB_HOST", "127.0.0.1"),
            "PORT": envint("DB_PORT", "5432"),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "0"),
            "TEST": {"NAME": os.getenv("DB_TEST_NAME", "test_perfgoals")},
        }
    }
elif os.getenv("DB", "sqlite") == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("DB_NAME", str(DATA_DIR / "perfgoals.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DB must be 'sqlite' or 'postgres'")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "SAMEORIGIN"  # the PDF preview is shown in a frame of our own

IMPORT_EXPORT_USE_TRANSACTIONS = True

# Printing (perfgoals/printing). PRINT_WORKERS: processes that lay out PDFs (0: in the
# process that asks, no pool). PRINT_CACHE_DIR: the print cache, unless STORAGES has a
# "print_cache" alias (another Storage, e.g. off this machine).
PRINT_WORKERS = envint("PRINT_WORKERS", str(min(2, os.cpu_count() or 1)))
if PRINT_WORKERS < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"PRINT_WORKERS={PRINT_WORKERS} must be 0 or more")
PRINT_CACHE_DIR = Path(os.getenv("PRINT_CACHE_DIR", DATA_DIR / "print-cache"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "perfgoals": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
        # Refused requests (403 forged edits, 404 other units' objects) are worth seeing.
        "django.request": {"handlers": ["console"], "level": "WARNING"},
    },
}

# Importing documents (perfgoals/exchange): an upload above this many bytes is refused
# before it is read.
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))
