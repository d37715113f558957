from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "selfcare.billing"
    verbose_name = _("Billing")

    def ready(self):
        # The job consumer imports each app's tasks module only: online payments' jobs live a
        # package below, so they are registered here.
        from .payments import tasks  # noqa: F401
