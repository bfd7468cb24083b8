"""Middleware of the app's own.

`request_id` (first in settings.MIDDLEWARE): each request gets an id, nginx's
X-Request-ID when it is well formed (perfgoals.lib.logs.accepted_id), else a new one; every
log line of the request carries it and the response returns it in X-Request-ID, so a
user's "出错了" can be found in the log. The request runs in a `lib.scope.scope()`.

`EditorAnswers`: what the editor's htmx requests get instead of a page that would be swapped into a form.

- A POST whose form data is over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before anything
  reads it (the CSRF middleware would): 413 with a Chinese message, nothing saved, instead
  of Django's bare 400.
- A signed-out user's htmx request (an expired session) gets 401 and a Chinese message, not
  a redirect to the sign-in page that htmx would follow and swap into the editor. The page
  keeps what was typed (static/js/editor.js) and offers 重试 after signing in elsewhere.
- A row deleted meanwhile (`RowGone`) answers an htmx request with its Chinese message
  (404), and a plain one with the message on the editor page it came from.

`csrf_failure` (settings.CSRF_FAILURE_VIEW): a POST whose CSRF token does not match, because
the page was opened before its user signed out or in elsewhere, or the browser's cookies were
cleared. A signed-out user's htmx request gets the same 401 as an expired session (signing in
elsewhere sets a new token, which the editor reads when it retries); any other request gets a
Chinese page or message that the page has expired and nothing was saved, not Django's page
about CSRF cookies.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from perfgoals.goals.views.common import RowGone
from perfgoals.lib import logs, scope

SESSION_EXPIRED = "登录已过期，请在新窗口登录后点击重试。您填写的内容仍在页面上，未丢失。"
PAGE_EXPIRED = "没有保存：页面已过期（浏览器的登录信息已变化）。请在新窗口打开本系统，再回到这里重新保存。您填写的内容仍在页面上。"
FORM = "application/x-www-form-urlencoded"


def text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def too_large(request) -> HttpResponse | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.method != "POST" or limit is None or not request.META.get("CONTENT_TYPE", "").startswith(FORM):
        return None
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = limit + 1
    if size <= limit:
        return None
    return text(f"提交的内容过长（约 {size / 1024 / 1024:.1f} MB，上限 {limit / 1024 / 1024:.1f} MB），未保存任何内容。请删减后再保存。", 413)


def request_id(get_response):
    def middleware(request):
        rid = logs.accepted_id(request.headers.get("X-Request-ID"))
        request.request_id = rid
        token = logs.request_id.set(rid)
        try:
            with scope.scope():  # what is read once per request (lib.scope)
                response = get_response(request)
        finally:
            logs.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response

    return middleware


class EditorAnswers:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if refused := too_large(request):
            return refused
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and not request.user.is_authenticated
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return text(SESSION_EXPIRED, 401)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, RowGone):
            return None
        if request.headers.get("HX-Request") == "true":
            return text(str(exception), 404)
        messages.error(request, str(exception))
        back = request.META.get("HTTP_REFERER", "")
        if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            return redirect(back)
        return redirect("home")


def csrf_failure(request, reason: str = "") -> HttpResponse:
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    if request.headers.get("HX-Request") == "true":
        return text(PAGE_EXPIRED, 403) if signed_in else text(SESSION_EXPIRED, 401)
    return render(request, "403_csrf.html", status=403)
