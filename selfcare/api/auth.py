"""The app's login (SPEC F-CH-2): allauth headless in "app" mode, and the session token on our API.

The app logs in with the portal's credentials (the same exact-username backend, rate limits and
TOTP step as the website) at /api/auth/app/v1/..., and receives a session token, which it sends in
the X-Session-Token header of every API call. Only the login endpoints are mounted: signup, email,
phone, password reset and password change stay out, because registration and recovery are our own
services (SPEC §3, §5) and the authenticator setup is on the website.

A token is a server-side session like the browser's, so the website's rules hold for it too: the
idle and absolute timeouts (SPEC F-LOG-3), the required MFA of User Admins and the forced password
change are applied to every API call made with a token.
"""

import time
from functools import wraps

from allauth.headless.account import views as account_views
from allauth.headless.base import views as base_views
from allauth.headless.constants import Client
from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.mfa import views as mfa_views
from django.urls import include, path
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status

from selfcare.accounts.middleware import ForcedPasswordChangeMiddleware
from selfcare.accounts.sessions import LOGIN_AT, SEEN_AT, SEEN_RESOLUTION_SECONDS, session_limits
from selfcare.core.scope import build_scope

TOKEN_HEADER = "X-Session-Token"  # noqa: S105 (a header's name, not a secret)


def _expired(session, user) -> bool:
    """Past the user's idle or absolute limit; otherwise the last activity is brought up to date."""
    now = int(time.time())
    login_at = session.get(LOGIN_AT, now)
    seen_at = session.get(SEEN_AT, now)
    idle, absolute = session_limits(user)
    if now - seen_at > idle or now - login_at > absolute:
        return True
    if now - seen_at >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session or LOGIN_AT not in session:
        session.setdefault(LOGIN_AT, now)
        session[SEEN_AT] = now
        session.save()
    return False


class _Refused(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token authentication with the portal's session rules.

    First in the API's authentication classes, so that an anonymous call gets 401 with a
    WWW-Authenticate header naming the token (a logged-in user without the right gets 403).
    """

    def authenticate_header(self, request):
        return 'Session-Token realm="api", header="X-Session-Token"'

    def authenticate(self, request):
        token = self.get_session_token(request)
        if not token:
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(_("The session has ended: log in again."))
        user, session = result
        if _expired(session, user):
            session.delete()
            raise exceptions.AuthenticationFailed(_("Your session has expired. Please log in again."))
        self._check_gates(request._request, user)
        # The scope comes from the token's user and session, not from the (absent) session cookie.
        request._request.scope = SimpleLazyObject(lambda: build_scope(user, session))
        return user, session

    @staticmethod
    def _check_gates(django_request, user) -> None:
        """The website's middleware gates, which see only the cookie's user, applied to the token's."""
        from selfcare.accounts.adapter import mfa_required
        from selfcare.accounts.sessions import MFARequiredMiddleware, _has_totp

        if getattr(user, "must_change_password", False) and not ForcedPasswordChangeMiddleware._allowed(django_request):
            raise _Refused(_("Change your password before going on."), code="password_change_required")
        if mfa_required(user) and not MFARequiredMiddleware._allowed(django_request) and not _has_totp(user):
            raise _Refused(_("Set up two-factor authentication on the website first."), code="mfa_required")


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """The token in the API's OpenAPI description, beside the session cookie."""

    target_class = SessionTokenAuthentication
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": TOKEN_HEADER,
            "description": "The session token the app receives at login (/api/auth/app/v1/auth/login).",
        }


def _token_timeouts(view):
    """Ends a token's session past its timeouts before allauth reads it (it then answers 410)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

        token = request.headers.get(TOKEN_HEADER)
        result = authenticate_by_x_session_token(token) if token else None
        if result is not None and _expired(result[1], result[0]):
            result[1].delete()
        return view(request, *args, **kwargs)

    return wrapper


def _app(view_class):
    return _token_timeouts(view_class.as_api_view(client=Client.APP))


# allauth's paths and names for the app client, limited to logging in and out.
_app_patterns = [
    path("config", _app(base_views.ConfigView), name="config"),
    path(
        "auth/",
        include(
            [
                path("session", _app(account_views.SessionView), name="current_session"),
                path("login", _app(account_views.LoginView), name="login"),
                path("reauthenticate", _app(account_views.ReauthenticateView), name="reauthenticate"),
                path("2fa/authenticate", _app(mfa_views.AuthenticateView), name="mfa_authenticate"),
                path("2fa/reauthenticate", _app(mfa_views.ReauthenticateView), name="mfa_reauthenticate"),
            ]
        ),
    ),
]

app_name = "headless"
urlpatterns = [path("app/v1/", include((_app_patterns, "headless"), namespace="app"))]
