"""The ingestion API for the operator's mediation system (F-TRF-3): usage records in JSON batches.

It is not a customer endpoint: the caller authenticates with an ingestion client's bearer token
(created with `manage.py create_ingestion_client`), and a portal login gets nothing here.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.decorators import SYSTEM

from .. import services
from ..models import IngestionClient, UsageImport
from ..records import COLUMNS


class IngestionTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` of an active ingestion client."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != self.keyword:
            return None
        if len(parts) != 2 or len(parts[1]) > 200:
            raise exceptions.AuthenticationFailed(_("Malformed bearer token."))
        digest = services.token_hash(parts[1].decode(errors="replace"))
        client = IngestionClient.objects.filter(token_hash=digest, is_active=True).first()
        if client is None:
            raise exceptions.AuthenticationFailed(_("Unknown or disabled ingestion token."))
        IngestionClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return (None, client)

    def authenticate_header(self, request):
        return f'{self.keyword} realm="usage-ingestion"'


class IngestionTokenScheme(OpenApiAuthenticationExtension):
    target_class = IngestionTokenAuthentication
    name = "ingestionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An ingestion client's token (operator systems only)",
        }


class IsIngestionClient(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, IngestionClient)


class UsageRecordInSerializer(serializers.Serializer):
    """One usage record; the fields are checked row by row by the import, which reports each problem."""

    record_id = serializers.CharField()
    number = serializers.CharField()
    started_at = serializers.CharField(help_text="ISO 8601 with a UTC offset")
    type = serializers.ChoiceField(choices=["voice", "sms", "mms", "data", "option", "other"])
    direction = serializers.ChoiceField(choices=["out", "in"], required=False)
    other_party = serializers.CharField(required=False)
    duration_seconds = serializers.IntegerField(required=False, min_value=0)
    volume_bytes = serializers.IntegerField(required=False, min_value=0)
    roaming_zone = serializers.CharField(required=False, help_text="empty at home, EU, or a zone code")
    cost = serializers.DecimalField(max_digits=10, decimal_places=4, required=False, min_value=0)


class BatchSerializer(serializers.Serializer):
    records = serializers.ListField(child=serializers.JSONField(), allow_empty=False)

    def validate_records(self, records):
        limit = settings.USAGE_API_MAX_RECORDS
        if len(records) > limit:
            raise serializers.ValidationError(_("At most %(limit)d records per call.") % {"limit": limit})
        return records


class BatchDocSerializer(serializers.Serializer):
    records = UsageRecordInSerializer(many=True)


class RejectedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Position of the record in the batch, from 1")
    reason = serializers.CharField()


class ImportReportSerializer(serializers.ModelSerializer):
    errors = RejectedRowSerializer(many=True, help_text="The first rejected records (all are counted)")

    class Meta:
        model = UsageImport
        fields = ["id", "status", "rows", "stored", "duplicates", "rejected", "errors"]


class UsageBatchView(APIView):
    """Deliver a batch of usage records: each is stored once, whatever the retries."""

    access = SYSTEM
    authentication_classes = [IngestionTokenAuthentication]
    permission_classes = [IsIngestionClient]
    throttle_classes = []

    @extend_schema(
        request=BatchDocSerializer,
        responses={200: ImportReportSerializer},
        summary="Deliver usage records (operator systems)",
        description="Fields as in the CSV format: " + ", ".join(COLUMNS) + ". Records already stored "
        "(same record_id and started_at) are skipped; invalid ones are reported and the rest is stored.",
    )
    def post(self, request):
        batch = BatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        report = services.usage_batch_import(client=request.auth, records=batch.validated_data["records"])
        return Response(ImportReportSerializer(report).data, status=status.HTTP_200_OK)
