from django.contrib import admin

from .models import DailyUsage


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ["line", "day", "category", "count", "volume_bytes", "cost"]
    list_filter = ["category"]
    raw_id_fields = ["line"]
    date_hierarchy = "day"
