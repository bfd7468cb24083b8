import re
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from import_export.tmp_storages import BaseStorage
from simple_history.admin import SimpleHistoryAdmin

from perfgoals.lib import uploads
from perfgoals.lib.params import to_int
from perfgoals.units.models import Membership, Region, Unit
from perfgoals.units.resources import UnitResource


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Change history (修改记录) can be read, never reverted or edited: it is the audit trail."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")


class UploadStorage(BaseStorage):
    """Where an admin import keeps the uploaded file between its preview and its confirmation:
    DATA_DIR/import-uploads (private, as DATA_DIR), under a random name of ours. The confirmation
    posts that name back; any other name (`../../tmp/x`, a path) is refused, never opened."""

    @staticmethod
    def folder() -> Path:
        folder = Path(settings.DATA_DIR) / "import-uploads"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def path(self) -> Path:
        if not UPLOAD_NAME.fullmatch(self.name or ""):
            raise SuspiciousOperation(f"import file name {str(self.name)[:40]!r} is not one of ours")
        return self.folder() / self.name

    def save(self, data) -> None:
        self.name = uuid4().hex
        uploads.keep_file(self.folder() / self.name, data if isinstance(data, bytes) else data.encode(self.encoding or "utf-8"))

    def read(self):
        with open(self.path(), self.read_mode, encoding=None if "b" in self.read_mode else self.encoding) as file:
            return file.read()

    def remove(self) -> None:
        self.path().unlink(missing_ok=True)


def data_rows(upload, binary: bool, limit: int) -> int:
    """The rows below the header of an uploaded CSV (every line) or workbook (its first
    sheet's non-empty rows, counted no further than limit + 1: read as a stream)."""
    if not binary:
        lines, last = 0, b"\n"
        for chunk in upload.chunks():
            lines += chunk.count(b"\n")
            last = chunk[-1:] or last
        return max(0, lines + (last != b"\n") - 1)
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — not a workbook: the import says so when it reads it
        return 0
    rows = 0
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows += any(value not in (None, "") for value in row)
            if rows > limit + 1:
                break
    finally:
        book.close()
    return max(0, rows - 1)


class BoundedImportForm(ImportForm):
    """The admin's import form: a file of at most settings.ADMIN_IMPORT_MAX_ROWS rows (an
    import runs in one request; 2,000 rows took 28 s), counted before it is parsed."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean(self):
        data = super().clean()
        upload, index = data.get("import_file"), to_int(data.get("format") or "")
        if upload is None or index is None or not 0 <= index < len(self.formats):
            return data
        limit, binary = settings.ADMIN_IMPORT_MAX_ROWS, self.formats[index]().is_binary()
        rows = data_rows(upload, binary, limit)
        if rows > limit:
            found = f"超过 {limit} 行" if binary else f"有 {rows} 行"  # a workbook is counted only so far
            self.add_error("import_file", f"一次最多导入 {limit} 行，该文件{found}（不含表头），未导入任何内容。"
                                          "请拆分后分别导入。")
        return data


class SpreadsheetAdmin(ImportExportModelAdmin):
    """Import (CSV, .xlsx: settings.IMPORT_FORMATS) and export as spreadsheets; CSV carries a
    BOM so Excel reads the Chinese. An import is bounded: its upload by IMPORT_MAX_UPLOAD_BYTES
    (exchange/middleware.py, before it is read), its rows by ADMIN_IMPORT_MAX_ROWS, and its
    confirmation reads only the file its preview stored (UploadStorage)."""

    to_encoding = "utf-8-sig"
    import_form_class = BoundedImportForm
    tmp_storage_class = UploadStorage

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirming an import: a format, resource or file name the preview did not give is a
        crafted request (400), not a 500 nor a file read from elsewhere."""
        index, resource = to_int(request.POST.get("format", "")), request.POST.get("resource", "")
        if index is None or not 0 <= index < len(self.get_import_formats()):
            raise BadRequest("an import format that is not offered")
        resources = len(self.get_import_resource_classes(request))
        if resource and (to_int(resource) is None or not 0 <= to_int(resource) < resources):
            raise BadRequest("an import resource that is not offered")
        if not UPLOAD_NAME.fullmatch(request.POST.get("import_file_name", "")):
            raise BadRequest("an import file name that is not one of ours")
        return super().process_import(request, **kwargs)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created"]
    readonly_fields = ["created"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(SpreadsheetAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name", "parent", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "region"]
    autocomplete_fields = ["parent", "region"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "unit", "role", "created"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__code", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]
