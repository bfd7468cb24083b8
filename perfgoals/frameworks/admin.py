"""Frameworks in the admin: categories, columns, horizons, money block, header fields and
print layouts, with JSON export / import of a whole definition and 复制为新版本.

A framework (or a print layout) that approved tables use cannot be changed in ways that
would alter their printout: the change is refused in Chinese, pointing to 复制为新版本,
which copies the definition under a new code that new tables can use.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from perfgoals.frameworks import definition
from perfgoals.frameworks.models import HEADER_FIELDS, Column, Framework, Level1, Level2, PrintLayout

IN_USE = ("已有审核通过的绩效目标表使用此指标体系，修改会改变它们的打印结果。"
          "请在指标体系列表中选中它，用“复制为新版本”建一个新版本，再修改新版本。")


def approved_tables(framework: Framework | None) -> bool:
    """Whether approved tables or plans print with this framework (reached by its reverse relations)."""
    if framework is None or framework.pk is None:
        return False
    return framework.projecttable_set.filter(status="approved").exists() or \
        framework.departmentplan_set.filter(status="approved").exists()


class LockedFormSet(forms.BaseInlineFormSet):
    """An inline of a framework that approved tables use: no change allowed."""

    def framework(self):
        return self.instance if isinstance(self.instance, Framework) else getattr(self.instance, "framework", None)

    def clean(self):
        super().clean()
        if any(form.has_changed() for form in self.forms) and approved_tables(self.framework()):
            raise ValidationError(IN_USE)


class ColumnFormSet(LockedFormSet):
    def clean(self):
        super().clean()
        keys = [f.cleaned_data["key"] for f in self.forms
                if f.cleaned_data and f.cleaned_data.get("key") and not f.cleaned_data.get("DELETE")]
        has_weights = any(
            self.data.get(name.replace("-weight", "-DELETE")) not in ("on", "1") and value.strip()
            for name, value in self.data.items() if name.startswith("levels1-") and name.endswith("-weight")
        )
        if problems := definition.column_errors(keys, has_weights):
            raise ValidationError(problems)


class ColumnInline(admin.TabularInline):
    model = Column
    formset = ColumnFormSet
    fields = ["order", "key", "heading", "width"]
    extra = 0
    verbose_name_plural = "指标列（打印顺序、标题、宽度；须有三级指标列）"


class Level1Inline(admin.TabularInline):
    model = Level1
    formset = LockedFormSet
    fields = ["order", "name", "weight"]
    extra = 0
    show_change_link = True  # the level-2 categories are edited on the level-1 page


class Level2Inline(admin.TabularInline):
    model = Level2
    formset = LockedFormSet
    fields = ["order", "name", "is_cost", "requirement"]
    extra = 0


class FrameworkForm(forms.ModelForm):
    header_fields = forms.MultipleChoiceField(
        label="表头项目", required=False, widget=forms.CheckboxSelectMultiple, choices=list(HEADER_FIELDS.items()),
    )
    PRINT_NEUTRAL = {"name", "source", "order"}  # may change while approved tables use the framework

    class Meta:
        model = Framework
        exclude = ["version", "previous"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["header_fields"] = self.instance.header_keys()  # a new one: the model's default

    def clean_header_fields(self):
        return ",".join(self.cleaned_data["header_fields"])

    def clean(self):
        data = super().clean()
        if set(self.changed_data) - self.PRINT_NEUTRAL and approved_tables(self.instance):
            raise ValidationError(IN_USE)
        return data


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    form = FrameworkForm
    list_display = ["name", "code", "kind", "layout", "horizons", "amount_unit", "version", "order"]
    list_filter = ["kind", "horizons", "layout"]
    search_fields = ["name", "code", "source"]
    readonly_fields = ["version", "previous"]
    inlines = [Level1Inline, ColumnInline]
    actions = ["export_definitions", "copy_as_new_version"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "source", "order", "version", "previous"]}),
        ("表格", {"fields": ["layout", "value_layout", "prints_every_level2", "horizons", "long_term_label", "header_fields"]}),
        ("资金", {"fields": ["money_sources", "amount_unit"]}),
    ]

    @admin.action(description="导出所选指标体系的定义（JSON）")
    def export_definitions(self, request, queryset):
        specs = [definition.to_spec(f) for f in queryset]
        body = json.dumps(specs[0] if len(specs) == 1 else specs, ensure_ascii=False, indent=2)
        name = queryset[0].code if len(specs) == 1 else "frameworks"
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response

    @admin.action(description="复制为新版本")
    def copy_as_new_version(self, request, queryset):
        for framework in queryset:
            copy = definition.new_version(framework)
            self.message_user(request, f"已复制为新版本：{copy.name}（{copy.code}）。", messages.SUCCESS)

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="frameworks_framework_import"),
                *super().get_urls()]

    def import_view(self, request):
        """导入指标体系定义: a JSON file export_framework (or 导出) wrote; refused whole when inconsistent."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        problems = []
        if request.method == "POST":
            upload = request.FILES.get("file")
            try:
                spec = json.loads(upload.read().decode("utf-8")) if upload else None
                if spec is None:
                    problems = ["请选择要导入的 JSON 文件。"]
                else:
                    framework = definition.from_spec(spec)
                    self.message_user(request, f"已导入指标体系：{framework.name}（{framework.code}）。", messages.SUCCESS)
                    return redirect("admin:frameworks_framework_change", framework.pk)
            except (UnicodeDecodeError, json.JSONDecodeError):
                problems = ["文件不是 UTF-8 编码的 JSON。"]
            except definition.DefinitionError as e:
                problems = e.problems
            except ValidationError as e:
                problems = e.messages
        context = {**self.admin_site.each_context(request), "title": "导入指标体系定义", "problems": problems,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/frameworks/import.html", context)


@admin.register(PrintLayout)
class PrintLayoutAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "template", "orientation", "merge_categories"]
    search_fields = ["name", "code"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class LockedLayoutForm(form):
            def clean(self):
                data = super().clean()
                if self.instance.pk and self.changed_data and any(
                    approved_tables(f) for f in self.instance.frameworks.all()
                ):
                    raise ValidationError(IN_USE)
                return data

        return LockedLayoutForm


class LockedCategoryForm(forms.ModelForm):
    """A level-1 or level-2 category edited on its own page: refused once approved tables print it."""

    def clean(self):
        data = super().clean()
        category = self.instance
        framework = None
        if category.pk:
            framework = category.framework if isinstance(category, Level1) else category.level1.framework
        if self.changed_data and approved_tables(framework):
            raise ValidationError(IN_USE)
        return data


@admin.register(Level1)
class Level1Admin(admin.ModelAdmin):
    form = LockedCategoryForm
    list_display = ["name", "framework", "order"]
    list_filter = ["framework"]
    search_fields = ["name", "framework__name"]
    list_select_related = ["framework"]
    inlines = [Level2Inline]


@admin.register(Level2)
class Level2Admin(admin.ModelAdmin):
    form = LockedCategoryForm
    list_display = ["name", "level1", "framework", "is_cost", "requirement", "order"]
    list_filter = ["level1__framework", "is_cost", "requirement"]
    search_fields = ["name", "level1__name", "level1__framework__name"]
    list_select_related = ["level1__framework"]

    @admin.display(description="指标体系", ordering="level1__framework")
    def framework(self, level2: Level2) -> Framework:
        return level2.level1.framework
