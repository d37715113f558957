from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.core.validators import clean_phone_number


class AddSimForm(forms.Form):
    number = forms.CharField(
        label=_("Number of the SIM to associate"), max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip

    def clean_number(self):
        return clean_phone_number(self.cleaned_data["number"], mobile=True)


class ConfirmSimForm(forms.Form):
    code = forms.CharField(
        label=_("Code received on that SIM"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip
