"""Login, logout, two-factor authentication and "my sessions": django-allauth's views in our pages.

allauth does the work (rate limits, login stages, TOTP, recovery codes, user sessions); these
wrappers declare who may open each page (selfcare.core.decorators) and keep two-factor pages for
managers (SPEC F-LOG-4): employees are sent back to their profile.
"""

from functools import wraps

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions import views as usersession_views
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from selfcare.accounts.adapter import mfa_offered
from selfcare.core.decorators import portal_login_required, public


class LoginView(account_views.LoginView):
    """Username and password, both case-sensitive (SPEC F-LOG-1); throttled per address and per username."""

    template_name = "accounts/login.html"


def _manager_page(view):
    """A page for managers; an employee is sent back to his profile with a message."""

    @portal_login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not mfa_offered(request.user):
            messages.info(request, _("Two-factor authentication is available to company managers."))
            return redirect("portal:area", "profilo")
        return view(request, *args, **kwargs)

    return wrapper


def _with_totp(view):
    """Pages about an existing authenticator: without one, the MFA overview instead of a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
            return redirect("mfa_index")
        return view(request, *args, **kwargs)

    return wrapper


login = public(LoginView.as_view())
logout = public(account_views.logout)
account_inactive = public(account_views.account_inactive)
reauthenticate = portal_login_required(account_views.reauthenticate)
# The second step of a login: public, allauth sends back to the login page without a login under way.
mfa_authenticate = public(mfa_views.authenticate)
mfa_reauthenticate = portal_login_required(mfa_views.reauthenticate)
mfa_index = _manager_page(mfa_views.index)
activate_totp = _manager_page(totp_views.activate_totp)
deactivate_totp = _manager_page(_with_totp(totp_views.deactivate_totp))
view_recovery_codes = _manager_page(_with_totp(recovery_code_views.view_recovery_codes))
generate_recovery_codes = _manager_page(_with_totp(recovery_code_views.generate_recovery_codes))
download_recovery_codes = _manager_page(_with_totp(recovery_code_views.download_recovery_codes))
user_sessions = portal_login_required(usersession_views.list_usersessions)
