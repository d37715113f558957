from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import SimAssociation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "company", "is_active", "last_login"]
    list_filter = ["role", "is_staff", "is_active"]
    raw_id_fields = ["company", "line"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Portal profile"), {"fields": ["role", "company", "line", "mobile", "must_change_password"]}),
    ]


@admin.register(SimAssociation)
class SimAssociationAdmin(admin.ModelAdmin):
    list_display = ["user", "line", "created_at", "ended_at"]
    raw_id_fields = ["user", "line"]
