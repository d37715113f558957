from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.core.validators import clean_phone_number


class StartForm(forms.Form):
    number = forms.CharField(
        label=_("Your company mobile number"), max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )  # fmt: skip
    email = forms.EmailField(label=_("Your email"), max_length=254)

    def clean_number(self):
        return clean_phone_number(self.cleaned_data["number"], mobile=True)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )  # fmt: skip


class SimSecretForm(forms.Form):
    secret = forms.CharField(
        label=_("PUK of the SIM"), max_length=8, widget=forms.PasswordInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args, tre: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if tre:
            self.fields["secret"].label = _("PIN of the SIM")
            self.fields["secret"].max_length = 4


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Avoid common passwords."),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("Repeat the password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    security_question = forms.CharField(label=_("Security question"), max_length=200, required=False)
    security_answer = forms.CharField(label=_("Answer"), max_length=100, required=False)

    def __init__(self, *args, tre: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not tre:
            del self.fields["security_question"]
            del self.fields["security_answer"]
        else:
            self.fields["security_question"].required = True
            self.fields["security_answer"].required = True

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords are different."))
        return data
