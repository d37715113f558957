"""The forms of the Fatture page: the list's filters (GET) and sharing an invoice by email."""

from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.billing.models import Invoice
from selfcare.billing.selectors.invoices import InvoiceFilters, history_start

STATUS_CHOICES = [("", _("All")), ("unpaid", _("To pay, overdue or partially paid")), *Invoice.Status.choices]


class InvoiceFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *Invoice.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        if start and start < history_start():
            self.add_error(
                "date_from",
                _("Invoices are shown for the last 24 months: from %(date)s on.")
                % {"date": history_start().strftime("%d/%m/%Y")},
            )
        return data

    def filters(self) -> InvoiceFilters:
        """The filters of the fields that are valid (an invalid one is shown as an error and ignored)."""
        if not self.is_bound:
            return InvoiceFilters()
        self.is_valid()
        data = self.cleaned_data
        return InvoiceFilters(
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class InvoiceShareForm(forms.Form):
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=500, widget=forms.TextInput())
