"""Forms of online payments: the "PAGA" button and the sandbox provider's card form."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn

from selfcare.billing.models import Payment


class PayForm(forms.Form):
    """The "PAGA" button: only the way of paying, card unless PayPal is asked for."""

    method = forms.ChoiceField(choices=Payment.Method.choices, required=False)

    def clean_method(self):
        return self.cleaned_data.get("method") or Payment.Method.CARD


class SandboxCardForm(forms.Form):
    """The card form of the sandbox's hosted page. It stands for the provider's own page: the
    number is checked here and forgotten, only a token and the last digits go further."""

    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    expiry = forms.CharField(
        label=_("Expiry date (MM/YY)"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "inputmode": "numeric"}),
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    name = forms.CharField(
        label=_("Name on the card"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "cc-name"})
    )

    def clean_number(self):
        number = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn.is_valid(number):
            raise forms.ValidationError(_("This card number is not valid."))
        return number

    def clean_expiry(self):
        match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})", self.cleaned_data["expiry"].strip())
        if not match or not 1 <= int(match[1]) <= 12:
            raise forms.ValidationError(_("Write the expiry date as MM/YY, for example 12/30."))
        month, year = int(match[1]), int(match[2])
        year = year + 2000 if year < 100 else year
        today = timezone.localdate()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("This card has expired."))
        if datetime.date(year, month, 1) > today.replace(day=1).replace(year=today.year + 20):
            raise forms.ValidationError(_("Write the expiry date as MM/YY, for example 12/30."))
        return (month, year)

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"].strip()
        if not re.fullmatch(r"\d{3,4}", cvc):
            raise forms.ValidationError(_("The security code has 3 or 4 digits."))
        return cvc
