from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.core.validators import clean_phone_number


class StartForm(forms.Form):
    customer_code = forms.CharField(label=_("TRE customer code"), max_length=20)
    email = forms.EmailField(label=_("Company email"), max_length=254)
    mobile = forms.CharField(
        label=_("Mobile number of the company"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    channel = forms.ChoiceField(
        label=_("Send me the code by"), choices=[("sms", _("SMS")), ("email", _("Email"))], initial="sms",
        widget=forms.Select,
    )  # fmt: skip

    def clean_customer_code(self):
        value = self.cleaned_data["customer_code"].strip().upper()
        if not value.isascii() or not value.replace("-", "").isalnum():
            raise forms.ValidationError(_("The customer code has only letters and digits."))
        return value

    def clean_mobile(self):
        return clean_phone_number(self.cleaned_data["mobile"], mobile=True)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip
