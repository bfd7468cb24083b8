"""Read settings from the environment, refusing malformed values loudly."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def envint(name: str, default: str, minimum: int | None = None) -> int:
    value = os.getenv(name, default).strip()
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be {minimum} or more")
    return number


def envlist(name: str, default: str) -> list[str]:
    """A comma-separated list; blanks around and between the commas are ignored."""
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envorigins(name: str) -> list[str]:
    """Origins such as https://perf.example.gov.cn, as CSRF_TRUSTED_ORIGINS wants them."""
    origins = envlist(name, "")
    for origin in origins:
        scheme, sep, rest = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin (scheme and host, such as https://perf.example.gov.cn)"
            )
    return origins
