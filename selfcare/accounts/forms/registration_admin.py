from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from selfcare.accounts.services.activation import clean_username
from selfcare.core.validators import clean_fiscal_code, clean_phone_number, clean_vat_number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def check_birth_date(value):
    today = timezone.localdate()
    if value > today or value.year < today.year - 120:
        raise ValidationError(_("Enter a real date of birth."), code="birth_date")
    return value


class AdminRegistrationForm(forms.Form):
    """The legal representative's data as in the signed contract (SPEC F-REG-1)."""

    vat_number = forms.CharField(
        label=_("Company partita IVA"), max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    first_name = forms.CharField(
        label=_("Legal representative's first name"), max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )  # fmt: skip
    last_name = forms.CharField(
        label=_("Legal representative's last name"), max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )  # fmt: skip
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=DateInput(attrs={"autocomplete": "bday"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )  # fmt: skip
    fiscal_code = forms.CharField(
        label=_("Legal representative's codice fiscale"), max_length=64,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Email as in the contract"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    mobile = forms.CharField(
        label=_("Mobile number as in the contract"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )  # fmt: skip

    def clean_vat_number(self):
        return clean_vat_number(self.cleaned_data["vat_number"])

    def clean_fiscal_code(self):
        return clean_fiscal_code(self.cleaned_data["fiscal_code"])

    def clean_mobile(self):
        return clean_phone_number(self.cleaned_data["mobile"], mobile=True)

    def clean_birth_date(self):
        return check_birth_date(self.cleaned_data["birth_date"])


class ActivationForm(forms.Form):
    """First access: the username and password the user chooses."""

    username = forms.CharField(
        label=_("Username"), max_length=200,
        help_text=_("From 4 to 30 letters (without accents) and digits; capitals count."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )  # fmt: skip
    password = forms.CharField(
        label=_("Password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("Repeat the password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def __init__(self, *args, password_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_help

    def clean_username(self):
        return clean_username(self.cleaned_data["username"])

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords are different."))
        return data
