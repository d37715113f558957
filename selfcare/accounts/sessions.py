"""Session lifetime (SPEC F-LOG-3, DESIGN §8) and the User Admins' required MFA (SPEC F-LOG-4).

- Idle and absolute timeouts, stricter for managers and operator staff: the login time and the
  last activity are kept in the session; past either limit the user is logged out and sent to the
  login page with a message (an API call simply continues as anonymous, and is refused).
- Disabling or deleting an account ends all its sessions at once (signals below).
- With MFA_REQUIRED_FOR_ADMINS a User Admin without an authenticator app is kept on its setup page.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from selfcare.core.permissions import MANAGER_ROLES

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
# The last activity is written at most this often, not at every request.
SEEN_RESOLUTION_SECONDS = 30


def session_limits(user) -> tuple[int, int]:
    """(idle, absolute) seconds for this user: managers and operator staff have the stricter ones."""
    if user.is_staff or getattr(user, "role", "") in MANAGER_ROLES:
        return settings.SESSION_MANAGER_IDLE_SECONDS, settings.SESSION_MANAGER_ABSOLUTE_SECONDS
    return settings.SESSION_IDLE_SECONDS, settings.SESSION_ABSOLUTE_SECONDS


@receiver(user_logged_in, dispatch_uid="selfcare_session_login_time")
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Logs out a session idle or open for too long (placed after the messages middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            idle, absolute = session_limits(user)
            if now - seen_at > idle or now - login_at > absolute:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("Your session has expired. Please log in again."))
                    return redirect_to_login(request.get_full_path())
            elif now - seen_at >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


# Pages an admin who must set up MFA may still open: the MFA pages themselves, logout, language.
MFA_SETUP_ALLOWED = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
    "account_logout",
    "logout",
    "set_language",
    "healthz",
    "readyz",
}


class MFARequiredMiddleware:
    """With MFA_REQUIRED_FOR_ADMINS on, a User Admin without TOTP is sent to its setup page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from selfcare.accounts.adapter import mfa_required

        user = getattr(request, "user", None)
        if user is not None and mfa_required(user) and not self._allowed(request) and not _has_totp(user):
            if request.path.startswith("/api/"):
                message = _("Set up two-factor authentication on the website first.")
                error = {"code": "mfa_required", "message": message, "fields": {}}
                return JsonResponse({"error": error}, status=403)
            messages.warning(request, _("Set up two-factor authentication to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        try:
            return resolve(request.path_info).url_name in MFA_SETUP_ALLOWED
        except Resolver404:
            return True


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def _ended_for(user, reason: str) -> None:
    from selfcare.accounts.services.sessions import user_sessions_end

    user_sessions_end(user=user, reason=reason)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="selfcare_end_sessions_disabled")
def _end_sessions_of_disabled_user(sender, instance, created, update_fields=None, **kwargs):
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    _ended_for(instance, "account_disabled")


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="selfcare_end_sessions_deleted")
def _end_sessions_of_deleted_user(sender, instance, **kwargs):
    _ended_for(instance, "account_deleted")
