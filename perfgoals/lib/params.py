"""Request parameters, which anyone can craft: numbers read strictly, and a NUL refused.

A crafted parameter is answered 400 (templates/400.html, in Chinese) or ignored like an
absent filter, never with a 500: `str.isdigit()` accepts "²", which `int()` refuses, and a
number past 64 bits overflows SQLite; PostgreSQL refuses a NUL character in a string.
"""

from django.core.exceptions import BadRequest

MAX_ID = 2**63 - 1  # the largest bigint, the databases' integer


def to_int(text, default=None):
    """An id or a year from a parameter: ASCII digits within a database integer; else `default`."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 <= text <= MAX_ID else default
    if not isinstance(text, str):
        return default
    text = text.strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return default
    number = int(text)
    return number if number <= MAX_ID else default


def refuse_nul(get_response):
    """Middleware: a query string or form field with a NUL character is a 400 (no one types
    one; PostgreSQL would refuse it with a 500 wherever it reached a query)."""

    def middleware(request):
        fields = [request.GET]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                 "multipart/form-data"):  # fmt: skip
            fields.append(request.POST)
        for data in fields:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest(f"NUL character in parameter {key!r}")
        return get_response(request)

    return middleware
