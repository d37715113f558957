"""DRF permission that reads the view's access declaration (selfcare.core.decorators)."""

from rest_framework.permissions import BasePermission

from selfcare.core.decorators import PORTAL


class HasCapability(BasePermission):
    """DRF permission: the view's `access` declaration decides (portal user, or a capability)."""

    def has_permission(self, request, view):
        access = getattr(view, "access", PORTAL)
        if access.kind == "public":
            return True
        scope = request.scope
        if not scope.is_authenticated:
            return False
        return access.kind == "portal" or scope.can(access.cap)
