from django.contrib import admin

from perfgoals.frameworks.models import Framework, Level1, Level2


class Level1Inline(admin.TabularInline):
    model = Level1
    fields = ["order", "name"]
    extra = 0
    show_change_link = True  # the level-2 categories are edited on the level-1 page


class Level2Inline(admin.TabularInline):
    model = Level2
    fields = ["order", "name", "is_cost"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "value_layout", "prints_every_level2", "order"]
    list_filter = ["kind", "value_layout"]
    search_fields = ["name", "code", "source"]
    inlines = [Level1Inline]


@admin.register(Level1)
class Level1Admin(admin.ModelAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework"]
    search_fields = ["name", "framework__name"]
    list_select_related = ["framework"]
    inlines = [Level2Inline]


@admin.register(Level2)
class Level2Admin(admin.ModelAdmin):
    list_display = ["name", "level1", "framework", "is_cost", "order"]
    list_filter = ["level1__framework", "is_cost"]
    search_fields = ["name", "level1__name", "level1__framework__name"]
    list_select_related = ["level1__framework"]

    @admin.display(description="指标体系", ordering="level1__framework")
    def framework(self, level2: Level2) -> Framework:
        return level2.level1.framework
