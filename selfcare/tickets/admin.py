"""Back office of tickets: the operator's staff read them and move them along with a message.

A ticket's fields are what the customer sent and stay as sent; its status changes only through the
"Update the status" action, which writes the history step and tells the customer (services)."""

from django import forms
from django.contrib import admin
from django.contrib.messages import ERROR
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from selfcare.core.admin import ask_then_act
from selfcare.core.errors import ApplicationError
from selfcare.core.ratelimit import client_ip

from .models import Status, Ticket, TicketAttachment, TicketEvent
from .services import MESSAGE_MAX_LENGTH, document_read, ticket_status_set
from .views import document_response


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = ["created_at", "status", "message", "author"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TicketAttachmentInline(admin.TabularInline):
    model = TicketAttachment
    fields = ["kind", "download", "content_type", "size", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("admin:tickets_ticket_document", args=[obj.ticket_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    def has_add_permission(self, request, obj=None):
        return False


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    message = forms.CharField(
        label=_("Message to the customer"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Shown in the ticket's history and sent to the referent by SMS or email."),
    )


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "reason", "topic", "status", "created_at", "updated_at"]
    list_filter = ["status", "reason", "topic"]
    search_fields = ["id", "company__name", "company__vat_number", "line__number", "imei", "serial_number"]
    list_select_related = ["company"]
    readonly_fields = [f.name for f in Ticket._meta.fields]
    inlines = [TicketEventInline, TicketAttachmentInline]
    actions = ["update_status"]

    def has_add_permission(self, request):
        return False  # customers open tickets in the portal or through the API

    def get_urls(self):
        document = path(
            "<int:ticket_id>/documenti/<int:attachment_id>/",
            self.admin_site.admin_view(self.document_view),
            name="tickets_ticket_document",
        )
        return [document, *super().get_urls()]

    def document_view(self, request, ticket_id: int, attachment_id: int):
        """A document the customer sent, for the staff who work the ticket (audited)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(
            TicketAttachment.objects.select_related("ticket"), ticket_id=ticket_id, pk=attachment_id
        )
        document_read(actor_id=request.user.pk, document=document, ip=client_ip(request))
        return document_response(document)

    def has_delete_permission(self, request, obj=None):
        return False  # the history is kept

    @admin.action(description=_("Update the status (with a message to the customer)"), permissions=["change"])
    def update_status(self, request, queryset):
        """Asks for the status and the message on a page of its own, then updates each ticket."""
        form = StatusForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed = 0
            try:
                for pk in queryset.order_by("pk").values_list("pk", flat=True):
                    changed += ticket_status_set(
                        ticket_id=pk, status=form.cleaned_data["status"], message=form.cleaned_data["message"],
                        actor_id=request.user.pk,
                    )  # fmt: skip
            except ApplicationError as exc:
                self.message_user(request, exc.message, level=ERROR)
            self.message_user(
                request, ngettext("%(n)d ticket updated.", "%(n)d tickets updated.", changed) % {"n": changed}
            )
            return None
        return ask_then_act(
            self, request, form=form, queryset=queryset.select_related("company"), action="update_status",
            labels=lambda t: f"{t.reference} — {t.company} ({t.get_topic_display()}, {t.get_status_display()})",
            title=_("Update the status"), submit=_("Update"),
            intro=_("These tickets take the new status; the message goes into their history and to their referent."),
        )  # fmt: skip
