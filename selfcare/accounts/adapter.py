"""How django-allauth fits the portal: no open signup, exact usernames, MFA only for managers."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from selfcare.core.permissions import MANAGER_ROLES


class CaseSensitiveUsernameBackend(AuthenticationBackend):
    """allauth's backend with an exact username lookup (SPEC F-LOG-1: usernames are case-sensitive).

    allauth matches usernames case-insensitively; "DemoAdmin" must not open "demoadmin". An unknown
    username still costs one password hash (the parent's timing mitigation), like a wrong password.
    """

    def _authenticate_by_username(self, username: str, password: str):
        if not username:
            return None
        user = get_user_model()._default_manager.filter(username=username).first()
        return self._check_password(user, password)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by our registration services (SPEC §3), never by allauth's signup."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def mfa_offered(user) -> bool:
    """Two-factor authentication is for managers (SPEC F-LOG-4), not for employees nor staff."""
    return bool(user and user.is_authenticated and user.role in MANAGER_ROLES)


def mfa_required(user) -> bool:
    """User Admins must turn MFA on when the operator asks for it (MFA_REQUIRED_FOR_ADMINS)."""
    from selfcare.core.permissions import Role

    return bool(settings.MFA_REQUIRED_FOR_ADMINS and user.is_authenticated and user.role == Role.ADMIN)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return settings.BRAND["name"]
