"""The Fatture page (SPEC F-BIL-1): the list, an invoice's page (also its print view), its PDF,
FatturaPA XML and call detail, and sharing it by email."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from selfcare.billing.forms_invoices import InvoiceFilterForm, InvoiceShareForm
from selfcare.billing.selectors import invoices as selectors
from selfcare.billing.services.sharing import invoice_share
from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.htmx import is_fragment_request, render_page_or_fragment
from selfcare.core.pagination import InvalidCursor
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
    try:
        invoices = selectors.invoice_list(scope=request.scope, filters=filters, cursor=cursor)
    except InvalidCursor:
        invoices = selectors.invoice_list(scope=request.scope, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "invoices": invoices, "query": query.urlencode(), **_area(request)}
    return render_page_or_fragment(request, "billing/invoices.html", "billing/_invoices_table.html", context)


@capability_required(Cap.INVOICES_VIEW)
def invoice_detail(request, invoice_id):
    """An invoice: its totals by cost centre and its charges by cost centre and line, a page at a time
    (a large company's invoice has tens of thousands); printable as it is."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    try:
        charges = selectors.invoice_charges(invoice, cursor=request.GET.get("cursor") or None)
    except InvalidCursor:
        charges = selectors.invoice_charges(invoice)
    context = {"invoice": invoice, "charges": charges, "query": "", **_area(request)}
    return render(request, "billing/invoice_detail.html", context)


@capability_required(Cap.INVOICES_VIEW)
def invoice_pdf(request, invoice_id):
    """The stored PDF copy (rendered on the first request if the billing run has not yet)."""
    from selfcare.billing.documents.pdf import invoice_pdf_ensure

    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    invoice = invoice_pdf_ensure(invoice_id=invoice.pk)
    name = f"fattura-{invoice.number.replace('/', '-')}.pdf"
    return FileResponse(invoice.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@capability_required(Cap.INVOICES_VIEW)
def invoice_xml(request, invoice_id):
    """The FatturaPA XML of the invoice (generated on the first request if it is not there yet)."""
    from selfcare.billing.documents.fatturapa import einvoice_generate

    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    invoice = einvoice_generate(invoice_id=invoice.pk)
    name = invoice.einvoice_xml.name.rsplit("/", 1)[-1]
    return FileResponse(invoice.einvoice_xml.open("rb"), as_attachment=True, filename=name,
                        content_type="application/xml")  # fmt: skip


@capability_required(Cap.INVOICES_VIEW)
def call_detail(request, invoice_id, fmt):
    """The call detail of the invoice's period, as xlsx or PDF, when the company has it enabled."""
    from selfcare.billing.documents import call_detail as documents

    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        return documents.call_detail_response(invoice, fmt=fmt)
    except ApplicationError as exc:
        context = {"invoice": invoice, "error": exc.message, **_area(request)}
        return render(request, "billing/call_detail_unavailable.html", context, status=exc.status)


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
