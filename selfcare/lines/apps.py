from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinesConfig(AppConfig):
    name = "selfcare.lines"
    verbose_name = _("Lines")

    def ready(self):
        # Signals that give a line a new cache version when its data changes.
        from . import cache  # noqa: F401
