from django.contrib.auth import views as auth_views

from selfcare.core.decorators import PUBLIC


class LoginView(auth_views.LoginView):
    """Username and password, both case-sensitive (SPEC F-LOG-1)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    access = PUBLIC
