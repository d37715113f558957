"""Forced password change: a user whose password must be changed sees only the change page.

Provisional credentials (a referent's first access, SPEC F-REG-4) or an operator's request set
User.must_change_password; until the user picks a new password every page sends him to the change
page and every API call is refused with `password_change_required` (except the change itself).
Logout, the language switch, static files and the MFA setup pages stay reachable.
"""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from selfcare.accounts.sessions import MFA_SETUP_ALLOWED

CHANGE_PAGE = "accounts:password_change"
ALLOWED = MFA_SETUP_ALLOWED | {
    CHANGE_PAGE,
    "accounts:logout",
    "api:password_change",
    "javascript-catalog",
}


class ForcedPasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._allowed(request)
        ):
            if request.path.startswith("/api/"):
                message = _("Change your password before going on.")
                error = {"code": "password_change_required", "message": message, "fields": {}}
                return JsonResponse({"error": error}, status=403)
            if request.method == "GET":
                messages.warning(request, _("Choose a new password to continue."))
            return redirect(CHANGE_PAGE)
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        static_url = settings.STATIC_URL or "/static/"
        if request.path.startswith(static_url) or request.path.startswith("/i18n/"):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # a 404 reveals nothing and changes nothing
        return match.view_name in ALLOWED or match.url_name in MFA_SETUP_ALLOWED
