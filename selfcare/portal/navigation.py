import functools

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The portal's areas, in menu order: (slug, label). Slugs are the Italian names users know.
AREAS = [
    ("home", _("Home")),
    ("prodotti", _("Products")),
    ("traffico", _("Traffic")),
    ("conto", _("Account")),
    ("fai-da-te", _("Self-service")),
]


@functools.cache
def _area_urls() -> dict[str, str]:
    # The menu is on every page: its addresses are worked out once per process.
    return {slug: reverse("portal:area", args=[slug]) for slug, _ in AREAS} | {"home": reverse("portal:home")}


def areas():
    urls = _area_urls()
    return [{"slug": slug, "label": label, "url": urls[slug]} for slug, label in AREAS]
