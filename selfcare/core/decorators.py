"""Who may open a route, declared on the view itself.

Every page and API view says whether it is public, for any portal user, or for the holders of a
capability; the access-matrix test reads these declarations from the URL map and checks every
route against every profile, so a new route is covered as soon as it exists (and fails the test
if it declares nothing).
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .permissions import Cap


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "portal" | "capability" | "system"
    cap: Cap | None = None


PUBLIC = Access("public")
PORTAL = Access("portal")
# The operator's own systems (the mediation delivering usage records), with their own token: no
# portal user, whatever his role, and no staff session may call these.
SYSTEM = Access("system")


def public(view):
    """Anyone, logged in or not (registration, recovery, health probes)."""
    view.access = PUBLIC
    return view


def portal_login_required(view):
    """A logged-in portal user; operator staff (no portal profile) go to the back office instead."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.scope.is_authenticated:
            return redirect("admin:index")
        return view(request, *args, **kwargs)

    wrapper.access = PORTAL
    return wrapper


def capability_required(cap: Cap):
    """A portal user whose role has `cap` (SPEC §1); others get 403."""

    def decorator(view):
        @portal_login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.scope.can(cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = Access("capability", cap)
        return wrapper

    return decorator
