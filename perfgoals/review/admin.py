"""The review's data in the admin: which rules each framework switches on or off.

The switches are edited on the framework's own page (指标体系 → 审核规则开关), next to its
categories, and listed on their own for an overview across frameworks.
"""

from django.contrib import admin

from perfgoals.frameworks.admin import FrameworkAdmin
from perfgoals.frameworks.models import Framework
from perfgoals.review.models import RuleSwitch
from perfgoals.review.rules import RULES


class RuleSwitchInline(admin.TabularInline):
    model = RuleSwitch
    fields = ["code", "enabled", "severity"]
    extra = 0
    verbose_name_plural = "审核规则开关（未列出的规则按默认：一般规则启用，特定版式的规则停用；见“审核规则说明”）"


# The framework's page, with its rule switches below its categories.
admin.site.unregister(Framework)


@admin.register(Framework)
class FrameworkWithRulesAdmin(FrameworkAdmin):
    inlines = [*FrameworkAdmin.inlines, RuleSwitchInline]


@admin.register(RuleSwitch)
class RuleSwitchAdmin(admin.ModelAdmin):
    list_display = ["framework", "code", "title", "enabled", "severity"]
    list_filter = ["framework", "enabled", "severity"]
    search_fields = ["code", "framework__name"]
    list_select_related = ["framework"]

    @admin.display(description="检查内容")
    def title(self, switch: RuleSwitch) -> str:
        return next((r.title for r in RULES if r.code == switch.code), "（系统中已没有这条规则）")
