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


def areas():
    return [
        {
            "slug": slug,
            "label": label,
            "url": reverse("portal:home") if slug == "home" else reverse("portal:area", args=[slug]),
        }
        for slug, label in AREAS
    ]
