"""导出指标 / 导入指标: a table's indicator rows as .xlsx or .csv, edited in Excel and imported back.

The import is previewed first (rows added, changed, deleted, each row's problems with its Excel
row number; exchange.rowfile) and written on 确认导入, in the edit's one transaction. The file
waits between the two in the default storage (lib/uploads), named by a token kept in the session with the
table's rows as they were previewed: a confirmation after someone changed them is refused.
"""

from __future__ import annotations

import secrets
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from perfgoals.exchange import rowfile
from perfgoals.goals.access import get_document_for_user
from perfgoals.goals.views.common import editing, tables
from perfgoals.goals.views.editor import page
from perfgoals.lib import uploads

SESSION_KEY = "indicator_rows_import"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
@require_GET
def indicator_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    table = get_document_for_user(request, "table", pk, "view")
    response = HttpResponse(rowfile.export(table, fmt), content_type=CONTENT_TYPES[fmt])
    name = f"{table.project_name or '绩效目标表'}-绩效指标.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _pending(token: str) -> str:
    return uploads.pending_name(token, prefix="rows-")


@login_required
@require_POST
def indicator_import(request: HttpRequest, pk: int) -> HttpResponse:
    """预览 an uploaded file (action=preview), or 确认导入 the one previewed (action=confirm)."""
    if request.POST.get("action") == "confirm":
        return _confirm(request, pk)
    upload = request.FILES.get("file")
    box: dict = {}
    with editing(request, "table", pk, tables()) as table:
        if upload is None:
            box["error"] = "请选择要导入的 .xlsx 或 .csv 文件。"
        elif upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            box["error"] = f"文件“{upload.name}”超过 {settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB，未读取。"
        else:
            content = upload.read()
            try:
                box["preview"] = rowfile.run(table, rowfile.read(upload.name, content))
            except rowfile.RowsRefused as e:
                box["error"] = f"{e}（未导入任何内容）"
    if preview := box.get("preview"):
        if not preview.errors:
            token = secrets.token_urlsafe(16)
            uploads.keep_pending(_pending(token), content)
            if old := request.session.get(SESSION_KEY):
                uploads.forget_pending(_pending(old["token"]))
            request.session[SESSION_KEY] = {"token": token, "name": upload.name, "table": table.pk,
                                            "signature": preview.signature}  # fmt: skip
            box["token"] = token
    response = page(request, table, editable=True, rowfile=box)
    return response


def _confirm(request: HttpRequest, pk: int) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    expired = "导入的预览已过期，请重新上传文件。"
    with editing(request, "table", pk, tables()) as table:
        if pending.get("token") != request.POST.get("token") or pending.get("table") != table.pk:
            message = expired
        elif rowfile.signature(table) != pending["signature"]:
            message = "本表的指标在预览后已被修改，请重新上传文件，核对新的预览后再确认。"
        else:
            try:
                content = uploads.read_pending(_pending(pending["token"]))
                preview = rowfile.run(table, rowfile.read(pending["name"], content), commit=True)
            except (OSError, rowfile.RowsRefused):
                preview = None
            message = "" if preview and preview.committed else expired
    if message:
        messages.error(request, message)
        return redirect(f"{table.get_absolute_url()}#rowfile")
    uploads.forget_pending(_pending(pending["token"]))
    del request.session[SESSION_KEY]
    messages.success(request, f"已从“{preview.source}”导入指标：{preview.summary}。")
    return redirect(f"{table.get_absolute_url()}#grid")
