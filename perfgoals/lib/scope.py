"""What is read once per request: a user's memberships, the review's vocabulary.

Each request runs inside `scope()` (entered by perfgoals.middleware.request_id), and so does
each review (review.rules.registry), each inside the outermost one: `once(key, compute)`
answers from the scope when the key was computed in it, else computes it and keeps it
there. Outside any scope (a management command, a test calling a function directly) it
computes each time, so nothing is ever older than the request that reads it. `forget()`
drops what the current scope keeps (a membership changed during the request).

A ContextVar, so each of a gunicorn worker's threads has its own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("perfgoals_scope", default=None)


@contextmanager
def scope():
    """A scope for `once`, unless one is open already (the request's holds the review's)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(key: tuple | str, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    memo = _memo.get()
    if memo:
        memo.clear()
