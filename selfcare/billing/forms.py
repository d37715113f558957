"""Forms of the billing profile pages and the top-up history.

They check shapes; the rules (a valid IBAN, a PEC address with the code 0000000...) are the services'
checks, called here so that every field shows its own message at once.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from selfcare.billing.models import PaymentMethod
from selfcare.billing.selectors.topups import TopupFilters, history_start
from selfcare.billing.services import profile as services


class EinvoiceProfileForm(forms.Form):
    """Where e-invoices go (PEC address, SDI recipient code) and whether invoices come with the call detail."""

    sdi_code = forms.CharField(
        label=_("Recipient code (codice destinatario)"),
        required=False,
        max_length=20,
        help_text=_("7 letters or digits, given by your invoicing software or intermediary. 0000000 if you use PEC."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    pec = forms.CharField(
        label=_("PEC address"),
        required=False,
        max_length=services.PEC_MAX_LENGTH,
        help_text=_("Certified email (posta elettronica certificata) where SDI delivers the e-invoices."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    call_detail_enabled = forms.BooleanField(
        label=_("Attach the call detail to invoices"),
        required=False,
        help_text=_(
            "Lists the calls, messages and internet sessions of every line in each invoice's period, with the "
            "numbers called, dates and times, to download from the invoice's page. It contains your employees' "
            "personal data."
        ),
    )

    def clean(self):
        data = super().clean()
        if not self.errors:
            checked = services.billing_profile_check(pec=data.get("pec", ""), sdi_code=data.get("sdi_code", ""))
            for name, message in checked.errors.items():
                self.add_error(name, message)
            data.update(checked.values)
        return data


class PaymentMethodForm(forms.Form):
    """A direct debit (account, holder, the mandate accepted) or a bank transfer; a card has its own flow."""

    kind = forms.ChoiceField(
        label=_("How do you want to pay?"),
        choices=[
            (PaymentMethod.Kind.DIRECT_DEBIT, _("Bank direct debit (SEPA)")),
            (PaymentMethod.Kind.TRANSFER, _("Bank transfer")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how to pay."), "invalid_choice": _("Choose how to pay.")},
    )
    iban = forms.CharField(
        label=_("IBAN"),
        required=False,
        max_length=64,
        help_text=_("Of an account in the SEPA area, for example IT60 X054 2811 1010 0000 0123 456."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    account_holder = forms.CharField(
        label=_("Account holder"),
        required=False,
        max_length=140,
        help_text=_("The name of the person or company the account is in, as the bank knows it."),
    )
    account_holder_fiscal_code = forms.CharField(
        label=_("Account holder's codice fiscale or partita IVA"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    mandate_accepted = forms.BooleanField(
        label=_(
            "I authorise the operator to send instructions to my bank to debit the account, and my bank to debit "
            "it accordingly (SEPA direct debit mandate)."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if "kind" in data:
            fields = {name: data.get(name) for name in services.DIRECT_DEBIT_FIELDS}
            checked = services.payment_method_check(kind=data["kind"], fields=fields, allow_card=False)
            for name, message in checked.errors.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        return data

    def service_fields(self) -> dict:
        """kind and the fields of that kind, for payment_method_set()."""
        kind = self.cleaned_data["kind"]
        names = services.DIRECT_DEBIT_FIELDS if kind == PaymentMethod.Kind.DIRECT_DEBIT else ()
        return {"kind": kind} | {name: self.cleaned_data.get(name) for name in names}


class TopupFilterForm(forms.Form):
    """The top-up history's filters: part of a number, a period of the last 24 months, the page."""

    line = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=20,
        help_text=_("All or part of the number, for example 347 123"),
        widget=forms.TextInput(attrs={"type": "search", "inputmode": "tel", "autocomplete": "off"}),
    )
    cursor = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.earliest = history_start(self.today)
        bounds = {"type": "date", "min": self.earliest.isoformat(), "max": self.today.isoformat()}
        # "from" and "to" are Python keywords: the fields are added by name.
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=bounds))
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=bounds))
        self.order_fields(["line", "from", "to", "cursor"])

    def clean_line(self) -> str:
        value = self.cleaned_data.get("line", "")
        digits = "".join(ch for ch in value if ch not in " .-/()+")
        if digits and not digits.isdigit():
            raise forms.ValidationError(_("Enter digits only: all or part of the number."))
        return digits

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data.get(name)
        if day is None:
            return None
        if day < self.earliest:
            raise forms.ValidationError(
                _("The history goes back to %(date)s: choose that day or a later one.")
                % {"date": date_format(self.earliest, "SHORT_DATE_FORMAT")}
            )
        if day > self.today:
            raise forms.ValidationError(_("Choose today or an earlier day."))
        return day

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            if name not in self.errors:
                try:
                    data[name] = self._clean_day(name)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        first, last = data.get("from"), data.get("to")
        if first and last and last < first:
            self.add_error("to", _("The end of the period is before its start."))
        return data

    def filters(self):
        """The valid filters (an invalid one is left out, its error shown)."""
        data = self.cleaned_data if self.is_bound else {}
        return TopupFilters(
            line=data.get("line", "") if "line" not in self.errors else "",
            first_day=data.get("from") if "from" not in self.errors else None,
            last_day=data.get("to") if "to" not in self.errors else None,
        )
