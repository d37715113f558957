"""API of online payments (SPEC F-BIL-2), sharing the pages' services and selectors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.billing.models import Payment
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

from . import selectors, services
from .messages import failure_message
from .views import base_url


class PaymentStartSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=Payment.Method.choices,
        required=False,
        default=Payment.Method.CARD,
        help_text="The way of paying shown first on the provider's page (card by default)",
    )


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    invoice_id = serializers.IntegerField()
    invoice_number = serializers.CharField(source="invoice.number")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.SerializerMethodField(help_text="Always EUR")
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    status = serializers.ChoiceField(
        choices=Payment.Status.choices,
        help_text="pending until the provider confirms; succeeded, failed or cancelled afterwards",
    )
    checkout_url = serializers.SerializerMethodField(
        help_text="The provider's page where the payment is made, while it is pending; null afterwards"
    )
    failure_reason = serializers.CharField(
        help_text="Why it did not go through: card_declined, insufficient_funds, authentication_failed, "
        "payment_failed, cancelled_by_user, expired, provider_unavailable; empty otherwise"
    )
    failure_message = serializers.SerializerMethodField(help_text="The reason in words; null when there is none")
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)

    def get_currency(self, payment) -> str:
        return services.CURRENCY

    def get_checkout_url(self, payment) -> str | None:
        return payment.checkout_url if payment.status == Payment.Status.PENDING else None

    def get_failure_message(self, payment) -> str | None:
        return str(failure_message(payment.failure_reason)) if payment.failure_reason else None


class InvoicePayView(APIView):
    access = Access("capability", Cap.INVOICES_PAY)

    @extend_schema(
        operation_id="invoice_pay",
        request=PaymentStartSerializer,
        responses={
            201: OpenApiResponse(PaymentSerializer, description="A new attempt: send the customer to checkout_url"),
            200: OpenApiResponse(PaymentSerializer, description="The invoice's open attempt, reused"),
            409: OpenApiResponse(description="The invoice is already paid"),
            503: OpenApiResponse(description="The payment service cannot be reached: nothing was charged"),
        },
        summary="Pay an invoice online: its amount due, on the payment provider's hosted page (needs invoices.pay)",
    )
    def post(self, request, invoice_id: int):
        invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
        data = PaymentStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        started = services.payment_start(
            scope=request.scope,
            invoice_id=invoice.pk,
            method=data.validated_data["method"],
            base_url=base_url(request),
            ip=client_ip(request),
        )
        code = status.HTTP_201_CREATED if started.created else status.HTTP_200_OK
        return Response(PaymentSerializer(started.payment).data, status=code)


class PaymentDetailView(APIView):
    access = Access("capability", Cap.INVOICES_VIEW)

    @extend_schema(
        operation_id="payment_retrieve",
        responses=PaymentSerializer,
        summary="An online payment and its status, as the provider's notifications left it",
    )
    def get(self, request, payment_id: int):
        payment = selectors.payment_get(scope=request.scope, payment_id=payment_id)
        return Response(PaymentSerializer(payment).data)
