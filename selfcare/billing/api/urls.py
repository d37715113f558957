"""API routes of the "Conto" area, mounted at /api/v1/."""

from django.urls import include, path

from . import invoices

urlpatterns = [
    path("invoices/", invoices.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:invoice_id>/", invoices.InvoiceDetailView.as_view(), name="invoice"),
    path("invoices/<int:invoice_id>/charges/", invoices.InvoiceChargesView.as_view(), name="invoice_charges"),
    path("invoices/<int:invoice_id>/pdf/", invoices.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("invoices/<int:invoice_id>/xml/", invoices.InvoiceXmlView.as_view(), name="invoice_xml"),
    path("invoices/<int:invoice_id>/share/", invoices.InvoiceShareView.as_view(), name="invoice_share"),
    path("", include("selfcare.billing.api.profile_urls")),
    path("", include("selfcare.billing.payments.api_urls")),
]
