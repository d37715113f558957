from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "company", "object_type", "object_id"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    raw_id_fields = ["actor", "company"]


def ask_then_act(model_admin, request, *, form, queryset, labels, action, title, intro, submit):
    """The page of an action that needs a note before it runs: the selected objects and the form."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "submit": submit,
        "form": form,
        "selected": [(obj.pk, labels(obj)) for obj in queryset],
        "action": action,
        "opts": model_admin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/ask_then_act.html", context)
