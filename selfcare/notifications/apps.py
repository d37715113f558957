from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "selfcare.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # The bell's cached count is dropped when a notification changes (receiver in selectors).
        from . import selectors  # noqa: F401
