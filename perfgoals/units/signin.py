"""Signing in and out: the audit trail and the client's address for the lock-out.

Every sign-in, sign-out, wrong password and lock-out is one line in the `perfgoals.audit`
log; django-axes also keeps them in the admin (访问日志 for sign-in and sign-out, 访问失败
for wrong passwords, 访问尝试 for the counts that lock, where an administrator unlocks).
"""

import logging

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete
from django.dispatch import receiver

audit = logging.getLogger("perfgoals.audit")


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXIES reverse proxies the address the first of
    them saw (counted from the right of X-Forwarded-For, which a client can prepend to)."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _where(request) -> str:
    return (client_ip(request) or "-") if request is not None else "-"


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit.info("sign-in: %s from %s", user.get_username(), _where(request))


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    audit.info("sign-out: %s from %s", user.get_username() if user else "-", _where(request))


@receiver(user_login_failed)
def _wrong_password(sender, credentials, request=None, **kwargs) -> None:
    audit.warning("sign-in refused: %s from %s", credentials.get("username", "-"), _where(request))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit.warning("locked out: %s from %s after %d wrong passwords", username, ip_address, settings.AXES_FAILURE_LIMIT)


@receiver(post_delete, sender=AccessAttempt)
def _cleared(sender, instance, **kwargs) -> None:
    """An administrator unlocked (the admin's 访问尝试, manage.py axes_reset_username), the
    right password came before the limit, or the cool-off passed."""
    audit.info("sign-in failures cleared: %s from %s (%d)", instance.username, instance.ip_address,
               instance.failures_since_start)


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (the app's login page and the admin's), in Chinese."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
