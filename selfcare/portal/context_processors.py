import functools
from functools import partial

from django.conf import settings
from django.utils.translation import get_language_info

from selfcare.notifications.selectors import unread_count

from .navigation import areas
from .selectors import switcher_lines


@functools.cache
def _languages() -> list[tuple[str, str]]:
    # Each language named in itself ("Italiano", "English"), for the switch in the footer.
    return [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]


def portal(request):
    """Brand, menu areas, demo flags and (read only when a page shows it) the employee's lines."""
    logged_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "brand": settings.BRAND,
        "show_dev_inbox": settings.DEBUG or settings.DEMO,
        "portal_languages": _languages(),
        # Callables: the template calls them only where it draws them (the menu is mostly served
        # from the shell's cache; pages without the switcher run no query).
        "portal_areas": areas if logged_in else list,
        "switcher_lines": partial(switcher_lines, scope=request.scope) if logged_in else list,
        "unread_notifications": partial(unread_count, user_id=request.user.pk) if logged_in else int,
    }
