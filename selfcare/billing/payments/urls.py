"""Online payment pages, mounted at /pagamenti/ (SPEC F-BIL-2, F-BIL-5)."""

from django.urls import path

from . import sandbox_views, views

app_name = "payments"
urlpatterns = [
    path("fatture/<int:invoice_id>/paga/", views.invoice_pay, name="invoice_pay"),
    path("<int:payment_id>/esito/", views.payment_outcome, name="outcome"),
    path("metodo/carta/", views.card_setup, name="card_setup"),
    path("metodo/carta/esito/", views.card_setup_outcome, name="card_setup_outcome"),
    path("webhook/<slug:provider>/", views.webhook, name="webhook"),
    # The sandbox provider's hosted pages (they stand for the provider's own site).
    path("sandbox/<str:token>/", sandbox_views.sandbox_checkout, name="sandbox_checkout"),
    path("sandbox/<str:token>/3ds/", sandbox_views.sandbox_challenge, name="sandbox_challenge"),
]
