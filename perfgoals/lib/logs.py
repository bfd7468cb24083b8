"""Logging helpers named in settings.LOGGING."""

import logging


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
