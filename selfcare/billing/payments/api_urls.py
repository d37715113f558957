"""API routes of online payments, mounted at /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("invoices/<int:invoice_id>/pay/", api.InvoicePayView.as_view(), name="invoice_pay"),
    path("payments/<int:payment_id>/", api.PaymentDetailView.as_view(), name="payment"),
]
