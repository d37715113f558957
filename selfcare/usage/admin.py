from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import DailyUsage, IngestionClient, UsageImport


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ["line", "day", "category", "count", "volume_bytes", "cost"]
    list_filter = ["category"]
    raw_id_fields = ["line"]
    date_hierarchy = "day"


@admin.register(UsageImport)
class UsageImportAdmin(admin.ModelAdmin):
    """The import reports: what each delivery brought, and why rows were refused."""

    list_display = ["started_at", "channel", "source", "status", "rows", "stored", "duplicates", "rejected"]
    list_filter = ["status", "channel"]
    search_fields = ["source"]
    date_hierarchy = "started_at"
    fields = [
        "channel", "source", "status", "started_at", "finished_at", "rows", "stored", "duplicates",
        "rejected", "message", "rejected_rows",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("rejected rows"))
    def rejected_rows(self, report):
        rows = ((e["row"], e["reason"]) for e in report.errors)
        return format_html_join("\n", "<div>{}: {}</div>", rows) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IngestionClient)
class IngestionClientAdmin(admin.ModelAdmin):
    """Systems allowed to deliver usage records; new ones get their token from create_ingestion_client."""

    list_display = ["name", "is_active", "created_at", "last_used_at"]
    fields = ["name", "is_active", "created_at", "last_used_at"]
    readonly_fields = ["name", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
