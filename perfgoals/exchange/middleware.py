"""Refuse an import upload (the import page's, the editor's 导入指标, the admin's) above the
size limit before anything reads its body, and a paste too large for a form (Django's
DATA_UPLOAD_MAX_MEMORY_SIZE) with a message saying so rather than a bare 400.

It sits before the CSRF middleware, which reads a POST's body to find the token.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse


def admin_import(path: str) -> bool:
    """The admin's spreadsheet import (django-import-export: /admin/<app>/<model>/import/)."""
    return path.startswith(reverse("admin:index")) and path.endswith("/import/")


def _back(request) -> str | None:
    """Where the refusal sends the user back to, when the request is an import upload."""
    if admin_import(request.path):
        return request.path
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name == "import_document":
        return reverse("import_document")
    if match.url_name == "indicator_import":
        return reverse("table_edit", args=[match.kwargs["pk"]]) + "#rowfile"
    return None


def upload_limit(get_response):
    def middleware(request):
        if request.method == "POST" and (back := _back(request)) is not None:
            try:
                too_large = int(request.META.get("CONTENT_LENGTH") or 0) > settings.IMPORT_MAX_UPLOAD_BYTES
            except ValueError:
                too_large = True
            if too_large:
                limit = f"{settings.IMPORT_MAX_UPLOAD_BYTES / (1024 * 1024):g} MB"
                message = f"上传的内容超过 {limit}，未读取，未导入任何内容。请拆分文件后分别导入。"
                return render(request, "exchange/too_large.html", {"message": message, "back": back}, status=413)
            try:
                request.POST  # parsed here, before the CSRF check would fail on it with a bare 400
            except RequestDataTooBig:
                limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):g} MB"
                message = (f"粘贴的内容超过 {limit}，未读取，未导入任何内容。"
                           "请分几次粘贴，或把表格存为 Word、Excel 文件后上传。")
                return render(request, "exchange/too_large.html", {"message": message, "back": back}, status=413)
        return get_response(request)

    return middleware
