"""The "Conto" area: invoices, the e-invoice data, the payment method and the top-up history."""

from django.urls import include, path

from .views import invoices

app_name = "billing"
urlpatterns = [
    path("fatture/", invoices.invoice_list, name="invoices"),
    path("fatture/<int:invoice_id>/", invoices.invoice_detail, name="invoice"),
    path("fatture/<int:invoice_id>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("fatture/<int:invoice_id>/xml/", invoices.invoice_xml, name="invoice_xml"),
    path("fatture/<int:invoice_id>/condividi/", invoices.invoice_share_view, name="invoice_share"),
    path("fatture/<int:invoice_id>/dettaglio.<str:fmt>", invoices.call_detail, name="call_detail"),
    # Billing profile (PEC and SDI code, payment method) and the top-up history.
    path("", include("selfcare.billing.profile_urls")),
]
