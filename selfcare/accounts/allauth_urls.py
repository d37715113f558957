"""The allauth pages we use, under the names allauth reverses (not namespaced) and Italian paths.

Only these are exposed: allauth's signup, email and password-reset pages are not, because
registration and recovery are our own flows (SPEC §3, §5).
"""

from django.urls import path

from .views import login as views

urlpatterns = [
    path("accedi/", views.login, name="account_login"),
    path("esci/", views.logout, name="account_logout"),
    path("disattivato/", views.account_inactive, name="account_inactive"),
    path("conferma-password/", views.reauthenticate, name="account_reauthenticate"),
    path("verifica/", views.mfa_authenticate, name="mfa_authenticate"),
    path("verifica/conferma/", views.mfa_reauthenticate, name="mfa_reauthenticate"),
    path("sicurezza/", views.mfa_index, name="mfa_index"),
    path("sicurezza/app/attiva/", views.activate_totp, name="mfa_activate_totp"),
    path("sicurezza/app/disattiva/", views.deactivate_totp, name="mfa_deactivate_totp"),
    path("sicurezza/codici/", views.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("sicurezza/codici/genera/", views.generate_recovery_codes, name="mfa_generate_recovery_codes"),
    path("sicurezza/codici/scarica/", views.download_recovery_codes, name="mfa_download_recovery_codes"),
    path("sessioni/", views.user_sessions, name="usersessions_list"),
]
