from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.core.validators import clean_phone_number


class ManagerForm(forms.Form):
    """A new Telco Manager (SPEC F-REG-2)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254, help_text=_("The activation link is sent here."))
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=64, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def clean_mobile(self):
        return clean_phone_number(self.cleaned_data["mobile"], mobile=True)
