from django.contrib import admin

from .models import Topup


@admin.register(Topup)
class TopupAdmin(admin.ModelAdmin):
    list_display = ["line", "amount", "channel", "method", "status", "created_at"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["line"]
