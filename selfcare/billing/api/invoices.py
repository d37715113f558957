"""API of the company's invoices (SPEC F-BIL-1, F-BIL-3): list, detail, PDF, FatturaPA XML, sharing."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.billing.documents.fatturapa import einvoice_file_name, einvoice_generate
from selfcare.billing.documents.pdf import invoice_pdf_or_job, pdf_download_name
from selfcare.billing.models import Invoice
from selfcare.billing.selectors import invoices as selectors
from selfcare.billing.services.sharing import invoice_share
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

VIEW = Access("capability", Cap.INVOICES_VIEW)
# The statuses of the list's filter: the invoice's own, and "unpaid" for the three that are.
STATUS_FILTER_CHOICES = [("unpaid", "To pay, overdue or partially paid"), *Invoice.Status.choices]


class InvoiceQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Invoice.Kind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=STATUS_FILTER_CHOICES, required=False, allow_blank=True)
    date_from = serializers.DateField(required=False, help_text="Issued on or after (YYYY-MM-DD)")
    date_to = serializers.DateField(required=False, help_text="Issued on or before (YYYY-MM-DD)")
    cursor = serializers.CharField(required=False, allow_blank=True, help_text="next_cursor or previous_cursor")

    def validate(self, data):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("The end of the period must not be before its start.")]})
        return data


class InvoiceSerializer(serializers.ModelSerializer):
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "status", "issued_on", "due_on", "period_start", "period_end",
                  "taxable_amount", "vat_amount", "total_amount", "paid_amount", "amount_due", "paid_at",
                  "sdi_status"]  # fmt: skip


class InvoiceChargeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=8)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class InvoiceCentreTotalSerializer(serializers.Serializer):
    cost_centre = serializers.CharField(source="name", help_text="Code · name; empty for charges without one")
    lines = serializers.IntegerField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)


class InvoiceDetailSerializer(InvoiceSerializer):
    cost_centres = InvoiceCentreTotalSerializer(many=True, help_text="The invoice's taxable amount by cost centre")

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "cost_centres"]


class InvoiceChargeRowSerializer(InvoiceChargeSerializer):
    line = serializers.CharField(source="line.number", allow_null=True, default=None, help_text="E.164")
    cost_centre = serializers.CharField(source="cost_centre.code", allow_null=True, default=None)


class InvoiceChargePageSerializer(serializers.Serializer):
    results = InvoiceChargeRowSerializer(many=True, source="page.rows")
    next_cursor = serializers.CharField(source="page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="page.previous_cursor", allow_null=True)


class InvoiceSummarySerializer(serializers.Serializer):
    to_pay = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdue = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdue_count = serializers.IntegerField()


class InvoicePageSerializer(serializers.Serializer):
    results = InvoiceSerializer(many=True, source="page.rows")
    summary = InvoiceSummarySerializer()
    next_cursor = serializers.CharField(source="page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="page.previous_cursor", allow_null=True)


class InvoiceListView(APIView):
    access = VIEW

    @extend_schema(parameters=[InvoiceQuerySerializer], responses=InvoicePageSerializer, operation_id="invoices_list",
                   summary="The company's invoices of the last 24 months, newest first, a page at a time")  # fmt: skip
    def get(self, request):
        query = InvoiceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = selectors.InvoiceFilters(kind=data.get("kind", ""), status=data.get("status", ""),
                                           date_from=data.get("date_from"), date_to=data.get("date_to"))  # fmt: skip
        invoices = selectors.invoice_list(scope=request.scope, filters=filters, cursor=data.get("cursor") or None)
        return Response(InvoicePageSerializer(invoices).data)


class InvoiceDetailView(APIView):
    access = VIEW

    @extend_schema(responses=InvoiceDetailSerializer, summary="One invoice with its totals by cost centre")
    def get(self, request, invoice_id):
        invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
        invoice.cost_centres = selectors.invoice_centre_totals(invoice)
        return Response(InvoiceDetailSerializer(invoice).data)


class CursorSerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, allow_blank=True, help_text="next_cursor or previous_cursor")


class InvoiceChargesView(APIView):
    access = VIEW

    @extend_schema(parameters=[CursorSerializer], responses=InvoiceChargePageSerializer,
                   summary="An invoice's charges by cost centre and line, a page at a time")  # fmt: skip
    def get(self, request, invoice_id):
        query = CursorSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
        charges = selectors.invoice_charges(invoice, cursor=query.validated_data.get("cursor") or None)
        return Response(InvoiceChargePageSerializer(charges).data)


class InvoicePdfView(APIView):
    access = VIEW

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(description="A large invoice's copy is being prepared: ask again after Retry-After"),
        },
        summary="The invoice's PDF copy (not valid for tax purposes)",
    )
    def get(self, request, invoice_id):
        invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
        ready = invoice_pdf_or_job(invoice_id=invoice.pk)
        if ready is None:
            body = {"status": "preparing", "message": _("The PDF copy is being prepared: ask again in a minute.")}
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": "30"})
        return FileResponse(ready.pdf.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=pdf_download_name(ready))  # fmt: skip


class InvoiceXmlView(APIView):
    access = VIEW

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY},
                   summary="The invoice as FatturaPA XML (FPR12), as sent to SDI")  # fmt: skip
    def get(self, request, invoice_id):
        invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
        invoice = einvoice_generate(invoice_id=invoice.pk)  # an ApplicationError is answered as JSON
        return FileResponse(invoice.einvoice_xml.open("rb"), as_attachment=True, content_type="application/xml",
                            filename=einvoice_file_name(invoice))  # fmt: skip


class InvoiceShareSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, help_text="Where to send the PDF copy")
    message = serializers.CharField(max_length=500, required=False, allow_blank=True)


class InvoiceShareView(APIView):
    access = VIEW

    @extend_schema(request=InvoiceShareSerializer, responses={202: OpenApiResponse(description="Queued")},
                   summary="Email the invoice's PDF copy to an address (rate limited)")  # fmt: skip
    def post(self, request, invoice_id):
        selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)  # another company's: 404 first
        body = InvoiceShareSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoice_share(scope=request.scope, invoice_id=invoice_id, email=body.validated_data["email"],
                      message=body.validated_data.get("message", ""), ip=client_ip(request))  # fmt: skip
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)
