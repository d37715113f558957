from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "purpose", "status", "attempts"]
    list_filter = ["channel", "status", "purpose"]
    search_fields = ["recipient"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
