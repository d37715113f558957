"""Pages of the billing profile and the top-up history, inside the "billing" namespace (/conto/)."""

from django.urls import path

from .views import profile, topups

urlpatterns = [
    path("fatturazione-elettronica/", profile.einvoice_profile, name="einvoice_profile"),
    path("metodo-di-pagamento/", profile.payment_method, name="payment_method"),
    path("ricariche/", topups.topup_list, name="topups"),
]
