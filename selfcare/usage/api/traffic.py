"""API of a line's traffic (F-TRF-1, F-TRF-2): totals and days of a period, records, the .xlsx."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.decorators import Access
from selfcare.core.errors import ApplicationError
from selfcare.core.permissions import Cap

from .. import export, selectors
from ..forms import EXPORT_MAX_DAYS, PERIOD_CHOICES, TrafficExportForm
from ..models import UsageRecord
from ..views import XLSX


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIOD_CHOICES, default=selectors.Period.MONTH)
    cursor = serializers.CharField(required=False, max_length=400)


class TotalsSerializer(serializers.Serializer):
    calls = serializers.IntegerField()
    call_seconds = serializers.IntegerField()
    messages = serializers.IntegerField(help_text="SMS and MMS")
    data_bytes = serializers.IntegerField()
    options = serializers.IntegerField()
    options_cost = serializers.DecimalField(max_digits=12, decimal_places=4)
    other = serializers.IntegerField()
    other_cost = serializers.DecimalField(max_digits=12, decimal_places=4)
    cost = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="Every type, euro")


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    data_bytes = serializers.IntegerField()
    call_seconds = serializers.IntegerField()
    messages = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    period = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    totals = TotalsSerializer()
    days = DaySerializer(many=True)


class TrafficRecordSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="category")

    class Meta:
        model = UsageRecord
        fields = [
            "record_id", "started_at", "type", "direction", "other_party", "duration_seconds", "volume_bytes",
            "roaming_zone", "cost",
        ]  # fmt: skip


class RecordPageSerializer(serializers.Serializer):
    results = TrafficRecordSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


def _query(request) -> dict:
    query = PeriodQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class TrafficSummaryView(APIView):
    access = Access("capability", Cap.TRAFFIC_VIEW)

    @extend_schema(parameters=[PeriodQuerySerializer], responses=SummarySerializer,
                   summary="A line's traffic of a period: totals by type and per day")  # fmt: skip
    def get(self, request, line_id: int):
        line = selectors.traffic_line(scope=request.scope, line_id=line_id)
        summary = selectors.traffic_summary(line_id=line.pk, period=_query(request)["period"])
        return Response(SummarySerializer(summary).data)


class TrafficRecordsView(APIView):
    access = Access("capability", Cap.TRAFFIC_VIEW)

    @extend_schema(parameters=[PeriodQuerySerializer], responses=RecordPageSerializer,
                   summary="A line's records of a period, newest first, paginated by cursor")  # fmt: skip
    def get(self, request, line_id: int):
        line = selectors.traffic_line(scope=request.scope, line_id=line_id)
        query = _query(request)
        page = selectors.traffic_records(line_id=line.pk, period=query["period"], cursor=query.get("cursor"))
        data = {"results": page.rows, "next_cursor": page.next_cursor, "previous_cursor": page.previous_cursor}
        return Response(RecordPageSerializer(data).data)


class ExportQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField(help_text=f"At most {EXPORT_MAX_DAYS} days after date_from, included")


class TrafficExportView(APIView):
    access = Access("capability", Cap.TRAFFIC_EXPORT)

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The .xlsx file")},
        summary="Download a line's records of a date range (at most 90 days) as .xlsx",
    )
    def get(self, request, line_id: int):
        line = selectors.traffic_line(scope=request.scope, line_id=line_id)
        form = TrafficExportForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError({field: list(errors) for field, errors in form.errors.items()})
        try:
            name, content = export.traffic_export(line, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        except ApplicationError as error:
            raise serializers.ValidationError({"date_to": [str(error)]}) from None
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
