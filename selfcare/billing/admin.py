from django import forms
from django.contrib import admin
from django.contrib.messages import ERROR, WARNING
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from selfcare.core.admin import ask_then_act
from selfcare.core.errors import ApplicationError

from .models import Invoice, InvoiceLine, PaymentMethod
from .selectors.profile import payment_method_label
from .services.einvoice import NOTE_MAX_LENGTH, einvoice_mark
from .services.profile import REASON_MAX_LENGTH, payment_method_mark_invalid


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    raw_id_fields = ["line", "cost_centre"]
    extra = 0


class EInvoiceOutcomeForm(forms.Form):
    note = forms.CharField(
        label=_("SDI note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_("For a rejection, SDI's error code and message (e.g. 00305 recipient VAT number not valid)."),
    )


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "company", "kind", "issued_on", "total_amount", "status", "sdi_status"]
    list_filter = ["status", "sdi_status", "kind", "year"]
    search_fields = ["number", "company__name", "company__vat_number"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
    inlines = [InvoiceLineInline]
    actions = ["mark_einvoice_delivered", "mark_einvoice_rejected"]

    @admin.action(description=_("Mark e-invoice delivered by SDI"), permissions=["change"])
    def mark_einvoice_delivered(self, request, queryset):
        return self._mark_einvoice(request, queryset, Invoice.SdiStatus.DELIVERED, "mark_einvoice_delivered")

    @admin.action(description=_("Mark e-invoice rejected by SDI"), permissions=["change"])
    def mark_einvoice_rejected(self, request, queryset):
        return self._mark_einvoice(request, queryset, Invoice.SdiStatus.REJECTED, "mark_einvoice_rejected")

    def _mark_einvoice(self, request, queryset, status, action):
        """Asks for SDI's note on a page of its own, then records the outcome (einvoice_mark)."""
        form = EInvoiceOutcomeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            ids = list(queryset.values_list("pk", flat=True))
            result = einvoice_mark(invoice_ids=ids, status=status, note=form.cleaned_data["note"], actor=request.user)
            if result.marked:
                self.message_user(
                    request,
                    ngettext("%(n)d e-invoice marked.", "%(n)d e-invoices marked.", len(result.marked))
                    % {"n": len(result.marked)},
                )
            if result.skipped:
                self.message_user(
                    request,
                    _("Skipped, as they are neither to send nor sent: %(numbers)s")
                    % {"numbers": ", ".join(result.skipped)},
                    level=WARNING,
                )
            return None
        title = Invoice.SdiStatus(status).label
        return ask_then_act(
            self, request, form=form, queryset=queryset.select_related("company"), action=action, title=title,
            labels=lambda i: f"{i.number} — {i.company} ({i.get_sdi_status_display()})",
            intro=_("SDI's outcome will be recorded on these e-invoices: “%(title)s”. Only e-invoices to send or "
                    "sent change; the others are skipped.") % {"title": title},
            submit=_("Record"),
        )  # fmt: skip


# --- Payment methods (SPEC F-BIL-5): read-only here; the back office only marks one invalid. ----------


class MarkInvalidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        initial=_("Direct debit refused by the bank."),
        help_text=_("The company's managers read it in the notification and on the payment method page."),
    )


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["company", "kind", "description", "status", "is_current", "created_at"]
    list_filter = ["kind", "status", "is_current"]
    search_fields = ["company__name", "company__vat_number", "mandate_reference"]
    list_select_related = ["company"]
    exclude = ["provider_token"]
    readonly_fields = [f.name for f in PaymentMethod._meta.fields if f.name not in ("id", "provider_token")]
    actions = ["mark_invalid"]

    def has_add_permission(self, request):
        return False  # a company chooses its method in the portal, a card comes from the payment provider

    def has_delete_permission(self, request, obj=None):
        return False  # kept for the history of mandates and for the audit

    @admin.display(description=_("payment method"))
    def description(self, obj):
        return payment_method_label(obj)

    @admin.action(description=_("Mark invalid (e.g. direct debit refused by the bank)"), permissions=["change"])
    def mark_invalid(self, request, queryset):
        """Asks for the reason on a page of its own, then marks each selected method and tells its managers."""
        form = MarkInvalidForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed = 0
            try:
                for pk in queryset.order_by("pk").values_list("pk", flat=True):
                    changed += payment_method_mark_invalid(
                        method_id=pk, reason=form.cleaned_data["reason"], actor_id=request.user.pk
                    )
            except ApplicationError as exc:
                self.message_user(request, exc.message, level=ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "%(n)d payment method marked invalid; its company's managers have been told.",
                    "%(n)d payment methods marked invalid; their companies' managers have been told.",
                    changed,
                )
                % {"n": changed},
            )
            return None
        return ask_then_act(
            self, request, form=form, queryset=queryset.select_related("company"), action="mark_invalid",
            labels=lambda m: f"{m.company} — {m.get_kind_display()} ({m.get_status_display()})",
            title=_("Mark payment methods invalid"),
            intro=_("These payment methods will be marked invalid. For each one that is its company's current "
                    "method, the managers get a notification in the portal and an email."),
            submit=_("Mark invalid"),
        )  # fmt: skip
