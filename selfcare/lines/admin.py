from django.contrib import admin

from .models import ActiveOption, Counter, Device, FixedActivation, Line, Pool, Sim


class SimInline(admin.TabularInline):
    model = Sim
    fields = ["iccid", "status", "is_esim", "activated_on"]  # PIN/PUK are never shown here
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "company", "offer", "status"]
    list_filter = ["kind", "status", "offer"]
    search_fields = ["number", "company__name", "company__vat_number"]
    list_select_related = ["company", "offer"]
    raw_id_fields = ["company", "holder", "cost_centre", "site", "pool"]
    inlines = [SimInline]


@admin.register(ActiveOption)
class ActiveOptionAdmin(admin.ModelAdmin):
    list_display = ["line", "option", "status", "activated_at", "expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["line"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["line", "kind", "bucket", "period_start", "used", "allowance"]
    raw_id_fields = ["line"]


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ["pool_code", "kind", "company", "total_gb", "extra_gb"]
    search_fields = ["pool_code", "company__name"]
    raw_id_fields = ["company"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["model", "device_id", "kind", "company", "line"]
    list_filter = ["kind", "maintenance"]
    search_fields = ["device_id", "model"]
    raw_id_fields = ["company", "line"]


@admin.register(FixedActivation)
class FixedActivationAdmin(admin.ModelAdmin):
    list_display = ["line", "stage", "progress", "expected_on"]
    list_filter = ["stage"]
    raw_id_fields = ["line"]
