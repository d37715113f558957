from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.accounts.forms.password import NewPasswordMixin


class StartForm(forms.Form):
    username = forms.CharField(
        label=_("Username or mobile number"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
        help_text=_("Employees: your company mobile number. Managers: your username."),
    )  # fmt: skip


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    channel = forms.ChoiceField(
        label=_("Send me the code by"), choices=[("sms", _("SMS")), ("email", _("Email"))], initial="sms",
        widget=forms.RadioSelect,
    )  # fmt: skip


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )  # fmt: skip


class NewPasswordForm(NewPasswordMixin, forms.Form):
    """The new password after recovery; TRE heritage: a new security question and answer too."""

    def __init__(self, *args, user=None, tre: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_new_password_fields(user=user, tre=tre)
