from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.accounts.password_validation import password_rules_text


class NewPasswordMixin:
    """New password twice; with tre=True a new security question and its answer."""

    def add_new_password_fields(self, *, user=None, tre: bool = False) -> None:
        self.fields["new_password"] = forms.CharField(
            label=_("New password"), max_length=128, strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), help_text=password_rules_text(user),
        )  # fmt: skip
        self.fields["new_password2"] = forms.CharField(
            label=_("Repeat the new password"), max_length=128, strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )  # fmt: skip
        if tre:
            self.fields["security_question"] = forms.CharField(
                label=_("New security question"), max_length=200,
                help_text=_("A question only you can answer, for example: what was the name of your first pet?"),
            )  # fmt: skip
            self.fields["security_answer"] = forms.CharField(
                label=_("Answer"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                help_text=_("Capitals, accents and extra spaces do not count."),
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") != data.get("new_password"):
            self.add_error("new_password2", _("The two passwords are different."))
        return data


class ChangePasswordForm(NewPasswordMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip

    def __init__(self, *args, user=None, tre: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_new_password_fields(user=user, tre=tre)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip
