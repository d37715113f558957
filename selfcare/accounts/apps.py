from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "selfcare.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Session lifetime signals (stamp the login time, end sessions of disabled or deleted users)
        # and the ones that drop the cached scope data whenever what it is built from changes.
        from . import sessions, signals  # noqa: F401
