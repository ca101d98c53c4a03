from django.contrib import admin

from .models import (
    Dhis2DataSet,
    Dhis2Indicator,
    Dhis2OrgUnit,
    Dhis2SendLog,
    MonthlyReport,
    MonthlyReportVersion,
)


class IndicatorInline(admin.TabularInline):
    model = Dhis2Indicator
    extra = 1


@admin.register(Dhis2DataSet)
class Dhis2DataSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [IndicatorInline]


@admin.register(Dhis2Indicator)
class Dhis2IndicatorAdmin(admin.ModelAdmin):
    list_display = ("table", "row", "column", "data_element", "category_option_combo", "data_set")
    list_filter = ("data_set", "table")
    search_fields = ("row", "data_element")


@admin.register(Dhis2OrgUnit)
class Dhis2OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("msc", "code")


@admin.register(Dhis2SendLog)
class Dhis2SendLogAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "month",
        "data_set",
        "dry_run",
        "status",
        "imported",
        "updated",
        "ignored",
        "completed",
    )
    readonly_fields = [f.name for f in Dhis2SendLog._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = MonthlyReportVersion
    fields = ("number", "submitted_at", "submitted_by")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ("msc", "month", "status")
    list_filter = ("status", "msc")
    readonly_fields = ("msc", "month", "status", "typed")
    inlines = [VersionInline]

    def has_add_permission(self, request) -> bool:
        return False
