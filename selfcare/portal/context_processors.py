from django.conf import settings

from .navigation import areas


def portal(request):
    """Brand, menu areas and demo flags for every template."""
    return {
        "brand": settings.BRAND,
        "show_dev_inbox": settings.DEBUG or settings.DEMO,
        "portal_areas": areas() if getattr(request, "user", None) and request.user.is_authenticated else [],
    }
