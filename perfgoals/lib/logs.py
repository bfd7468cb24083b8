"""Logging helpers named in settings.LOGGING: one line per event, each carrying the id of
the request (or Celery task) it belongs to.

- `request_id` is a context variable set by perfgoals.middleware.request_id for the time
  of a request (and by perfgoals/celery.py for the time of a task); `WithRequestId` puts it
  on every record as `record.request_id` ("-" outside any request).
- `TextFormatter` writes `time level logger request_id=… msg="…"` (key=value, quoted where
  needed) and `JsonFormatter` one JSON object; settings.LOG_FORMAT chooses. A traceback is
  kept, escaped into the same line, so a log collector never splits an event.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str] = ContextVar("request_id", default="-")

# What an id from a proxy may look like (nginx's $request_id is 32 hex digits; a UUID has
# dashes). Anything else — CR/LF, spaces, quotes, a kilobyte — is replaced, never echoed.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def new_id() -> str:
    return uuid.uuid4().hex


def accepted_id(header: str | None) -> str:
    """The proxy's X-Request-ID when it is well formed, else a new id."""
    if header and WELL_FORMED.fullmatch(header):
        return header
    return new_id()


class WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class OneLineForRefusals(logging.Filter):
    """A refused request (a 4xx answer: 403 permission denied, 400 suspicious operation)
    is logged as its one line, without the traceback of the exception that refused it.

    It changes the record itself, so the handlers it propagates to (and pytest's caplog)
    see the one line too. Errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        refused = (status is not None and status < 500) or record.name.startswith("django.security")
        if refused and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


def _fields(formatter: logging.Formatter, record: logging.LogRecord) -> dict:
    fields = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "request_id": getattr(record, "request_id", request_id.get()),
        "msg": record.getMessage(),
    }
    if record.exc_info:
        fields["exc"] = formatter.formatException(record.exc_info)
    elif record.exc_text:
        fields["exc"] = record.exc_text
    return fields


PLAIN = re.compile(r"[^\s\"'=\\]+")


def _value(value: str) -> str:
    value = str(value)
    return value if PLAIN.fullmatch(value) else json.dumps(value, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """2026-11-30T21:20:00.123+00:00 level=INFO logger=perfgoals.audit request_id=… msg="…"."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(self, record)
        time = fields.pop("time")
        return " ".join([time, *(f"{key}={_value(value)}" for key, value in fields.items())])


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(self, record), ensure_ascii=False)
