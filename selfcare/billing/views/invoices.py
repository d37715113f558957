"""The Fatture page (SPEC F-BIL-1): the list, an invoice's page (also its print view), its PDF,
FatturaPA XML and call detail, and sharing it by email."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from selfcare.billing.documents import call_detail as documents
from selfcare.billing.documents.fatturapa import einvoice_file_name, einvoice_generate
from selfcare.billing.documents.pdf import invoice_pdf_or_job, pdf_download_name
from selfcare.billing.forms_invoices import InvoiceFilterForm, InvoiceShareForm
from selfcare.billing.selectors import invoices as selectors
from selfcare.billing.services.sharing import invoice_share
from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.htmx import is_fragment_request, render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip


def _area(request) -> dict:
    from selfcare.billing.selectors.profile import conto_title

    return {
        "active_area": "conto",
        "conto_title": conto_title(request.scope),
        "can_pay": request.scope.can(Cap.INVOICES_PAY),
    }


@capability_required(Cap.INVOICES_VIEW)
def invoice_list(request):
    """The page, or only its table when the filter form or a page link asks through htmx."""
    form = InvoiceFilterForm(request.GET)
    filters = form.filters()
    cursor = request.GET.get("cursor") or None
    invoices = first_page_if_invalid(selectors.invoice_list, scope=request.scope, filters=filters, cursor=cursor)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "invoices": invoices, "query": query.urlencode(), **_area(request)}
    return render_page_or_fragment(request, "billing/invoices.html", "billing/_invoices_table.html", context)


@capability_required(Cap.INVOICES_VIEW)
def invoice_detail(request, invoice_id):
    """An invoice: its totals by cost centre and its charges by cost centre and line, a page at a time
    (a large company's invoice has tens of thousands); printable as it is."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    charges = first_page_if_invalid(selectors.invoice_charges, invoice, cursor=request.GET.get("cursor") or None)
    context = {"invoice": invoice, "charges": charges, "query": "", **_area(request)}
    return render(request, "billing/invoice_detail.html", context)


@capability_required(Cap.INVOICES_VIEW)
def invoice_pdf(request, invoice_id):
    """The stored PDF copy; a small invoice's is rendered on its first download, a large one's by a job
    (meanwhile the page says so and looks again by itself)."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    ready = invoice_pdf_or_job(invoice_id=invoice.pk)
    if ready is None:
        context = {"invoice": invoice, **_area(request)}
        return render(request, "billing/invoice_pdf_pending.html", context, status=202)
    return FileResponse(ready.pdf.open("rb"), as_attachment=True, filename=pdf_download_name(ready),
                        content_type="application/pdf")  # fmt: skip


@capability_required(Cap.INVOICES_VIEW)
def invoice_xml(request, invoice_id):
    """The FatturaPA XML of the invoice (generated on the first request if it is not there yet)."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    try:
        invoice = einvoice_generate(invoice_id=invoice.pk)
    except ApplicationError as exc:
        context = {"invoice": invoice, "title": _("Electronic invoice"), "error": exc.message, **_area(request)}
        return render(request, "billing/document_unavailable.html", context, status=409)
    return FileResponse(invoice.einvoice_xml.open("rb"), as_attachment=True, filename=einvoice_file_name(invoice),
                        content_type="application/xml")  # fmt: skip


@capability_required(Cap.INVOICES_VIEW)
def call_detail(request, invoice_id, fmt):
    """The call detail of the invoice's period, as xlsx or PDF, when the company has it enabled."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        return documents.call_detail_response(invoice, fmt=fmt)
    except ApplicationError as exc:
        context = {"invoice": invoice, "title": _("Call detail"), "error": exc.message, **_area(request)}
        return render(request, "billing/document_unavailable.html", context, status=exc.status)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.INVOICES_VIEW)
def invoice_share_view(request, invoice_id):
    """The share form; htmx swaps the form with the confirmation or its errors."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    form = InvoiceShareForm(request.POST or None)
    sent_to = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            invoice_share(scope=request.scope, invoice_id=invoice.pk, email=form.cleaned_data["email"],
                          message=form.cleaned_data["message"], ip=client_ip(request))  # fmt: skip
            sent_to = form.cleaned_data["email"]
            form = InvoiceShareForm()
        except ApplicationError as exc:
            add_error_to_form(form, exc)
            status = exc.status
    elif request.method == "POST":
        status = 400
    context = {"invoice": invoice, "form": form, "sent_to": sent_to, **_area(request)}
    if is_fragment_request(request):
        status = 200  # htmx swaps only successful answers: the errors are in the form it swaps in
    return render_page_or_fragment(request, "billing/invoice_share.html", "billing/_invoice_share_form.html",
                                   context, status=status)  # fmt: skip
