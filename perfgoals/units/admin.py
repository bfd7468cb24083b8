from django.contrib import admin
from django.core.exceptions import PermissionDenied
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

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


class SpreadsheetAdmin(ImportExportModelAdmin):
    """Import and export as spreadsheets; CSV carries a BOM so Excel reads the Chinese."""

    to_encoding = "utf-8-sig"


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
