from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopupsConfig(AppConfig):
    name = "selfcare.topups"
    verbose_name = _("Top-ups")
