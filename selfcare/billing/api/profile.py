"""API of the billing profile (e-invoice recipient, payment method) and of the top-up history,
sharing the pages' checks, services and selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.billing.forms import TopupFilterForm
from selfcare.billing.models import PaymentMethod
from selfcare.billing.selectors import profile as selectors
from selfcare.billing.selectors import topups as topup_selectors
from selfcare.billing.services import profile as services
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.topups.models import Topup

# Reading needs invoices.view; the writes of the same endpoints check billing_profile.edit in the services.
VIEW = Access("capability", Cap.INVOICES_VIEW)


def _raise_field_errors(errors: dict[str, str]) -> None:
    if errors:
        raise serializers.ValidationError({name: [message] for name, message in errors.items()})


# --- E-invoice recipient ----------------------------------------------------------------------------


class BillingProfileSerializer(serializers.Serializer):
    pec = serializers.CharField(help_text="PEC address where SDI delivers the e-invoices; empty when none")
    sdi_code = serializers.CharField(help_text="SDI recipient code (7 characters); 0000000 = deliver to the PEC")
    deliverable = serializers.BooleanField(
        help_text="False when the company has neither a recipient code nor a PEC address: e-invoices cannot be "
        "delivered electronically"
    )
    call_detail_enabled = serializers.BooleanField(
        help_text="True when each invoice comes with its call detail (the calls, messages and internet sessions of "
        "every line in the invoice's period), downloadable as xlsx or PDF"
    )


class BillingProfileWriteSerializer(serializers.Serializer):
    pec = serializers.CharField(required=False, allow_blank=True, max_length=services.PEC_MAX_LENGTH)
    sdi_code = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Stored in capitals, without spaces"
    )
    call_detail_enabled = serializers.BooleanField(
        required=False, help_text="Attach the call detail to invoices (it holds the employees' personal data)"
    )


class BillingProfileView(APIView):
    access = VIEW

    @extend_schema(
        operation_id="billing_profile_retrieve",
        responses=BillingProfileSerializer,
        summary="Where the company's e-invoices go (PEC address, SDI recipient code) and whether invoices come "
        "with the call detail",
    )
    def get(self, request):
        return Response(BillingProfileSerializer(selectors.billing_profile_get(scope=request.scope)).data)

    @extend_schema(
        request=BillingProfileWriteSerializer,
        responses=BillingProfileSerializer,
        summary="Change the PEC address, the SDI recipient code or the call detail (needs billing_profile.edit)",
    )
    def patch(self, request):
        profile = selectors.billing_profile_get(scope=request.scope)
        # partial: a form-encoded PATCH that does not name call_detail_enabled leaves it as it is (not false).
        data = BillingProfileWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {"pec": profile.pec, "sdi_code": profile.sdi_code} | data.validated_data
        recipient = {"pec": values["pec"], "sdi_code": values["sdi_code"]}
        _raise_field_errors(services.billing_profile_check(**recipient).errors)
        services.billing_profile_update(
            scope=request.scope, company_id=profile.company_id, ip=client_ip(request), **values
        )
        return Response(BillingProfileSerializer(selectors.billing_profile_get(scope=request.scope)).data)


# --- Payment method ---------------------------------------------------------------------------------


class PaymentMethodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PaymentMethod.Kind.choices)
    label = serializers.CharField(help_text="The method in a few words, e.g. the masked IBAN or the card's brand")
    status = serializers.ChoiceField(choices=PaymentMethod.Status.choices)
    status_reason = serializers.CharField(help_text="Why it is invalid or expired; empty when valid")
    status_changed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    iban_masked = serializers.CharField(help_text="Direct debit: the IBAN with its middle hidden")
    account_holder = serializers.CharField()
    mandate_reference = serializers.CharField()
    mandate_signed_on = serializers.DateField(allow_null=True)
    card_brand = serializers.CharField()
    card_last4 = serializers.CharField()
    card_exp_month = serializers.IntegerField(allow_null=True)
    card_exp_year = serializers.IntegerField(allow_null=True)


class OperatorBankSerializer(serializers.Serializer):
    beneficiary = serializers.CharField()
    iban = serializers.CharField()


class PaymentMethodStateSerializer(serializers.Serializer):
    current = PaymentMethodSerializer(allow_null=True, help_text="None when the company has no method on file")
    transfer_to = OperatorBankSerializer(help_text="The operator's account, for payments by bank transfer")


class PaymentMethodWriteSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text='"sdd" (bank direct debit) or "transfer" (bank transfer). A card is added only on the '
        "payment provider's hosted page."
    )
    iban = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text="Direct debit")
    account_holder = serializers.CharField(required=False, allow_blank=True, max_length=140, help_text="Direct debit")
    account_holder_fiscal_code = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Direct debit: codice fiscale or partita IVA"
    )
    mandate_accepted = serializers.BooleanField(
        required=False, default=False, help_text="Direct debit: the holder accepts the SEPA mandate (must be true)"
    )

    def validate(self, attrs):
        fields = {name: attrs.get(name) for name in services.DIRECT_DEBIT_FIELDS}
        _raise_field_errors(services.payment_method_check(kind=attrs["kind"], fields=fields, allow_card=False).errors)
        names = services.DIRECT_DEBIT_FIELDS if attrs["kind"] == PaymentMethod.Kind.DIRECT_DEBIT else ()
        return {"kind": attrs["kind"]} | {name: attrs.get(name) for name in names}


def _state(scope) -> dict:
    return {"current": selectors.payment_method_current(scope=scope), "transfer_to": selectors.operator_bank()}


class PaymentMethodView(APIView):
    access = VIEW

    @extend_schema(
        operation_id="payment_method_retrieve",
        responses=PaymentMethodStateSerializer,
        summary="The company's current payment method (the IBAN masked)",
    )
    def get(self, request):
        return Response(PaymentMethodStateSerializer(_state(request.scope)).data)

    @extend_schema(
        request=PaymentMethodWriteSerializer,
        responses=PaymentMethodStateSerializer,
        summary="Pay by direct debit or bank transfer from now on (needs billing_profile.edit)",
    )
    def put(self, request):
        request.scope.require(Cap.BILLING_PROFILE_EDIT)
        data = PaymentMethodWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payment_method_set(
            actor=request.scope, company_id=request.scope.company_id, ip=client_ip(request), **data.validated_data
        )
        return Response(PaymentMethodStateSerializer(_state(request.scope)).data)


# --- Top-up history ---------------------------------------------------------------------------------


class TopupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    line_id = serializers.IntegerField()
    number = serializers.CharField(source="line.number", help_text="E.164")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Euro")
    channel = serializers.ChoiceField(choices=Topup.Channel.choices)
    channel_label = serializers.CharField(source="get_channel_display")
    method = serializers.ChoiceField(choices=Topup.Method.choices)
    method_label = serializers.CharField(source="get_method_display")
    status = serializers.ChoiceField(choices=Topup.Status.choices)
    status_label = serializers.CharField(source="get_status_display")


class TopupPageSerializer(serializers.Serializer):
    results = TopupSerializer(many=True, source="rows")
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


class TopupListView(APIView):
    access = Access("capability", Cap.TOPUPS_VIEW)

    @extend_schema(
        operation_id="topups_list",
        parameters=[
            OpenApiParameter("line", str, description="All or part of the line's number (digits)"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day, YYYY-MM-DD (Rome)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day included, YYYY-MM-DD (Rome)"),
            OpenApiParameter("cursor", str, description="next_cursor or previous_cursor of a previous page"),
        ],
        responses=TopupPageSerializer,
        summary="Top-ups of the lines you may see, newest first, at most 24 months back",
    )
    def get(self, request):
        form = TopupFilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        page = topup_selectors.topup_list(
            scope=request.scope, filters=form.filters(), cursor=form.cleaned_data.get("cursor") or None
        )
        return Response(TopupPageSerializer(page).data)
