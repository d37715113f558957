"""API of the lines' assignments: one line's holder and cost centre, and the CSV file for many."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.decorators import Access
from selfcare.core.errors import ApplicationError
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.costs import assignment_csv
from selfcare.costs.selectors import registry as selectors
from selfcare.costs.services import assignments as services

from . import VIEW


class AssignedHolderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    employee_code = serializers.CharField()


class AssignedCostCentreSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class LineAssignmentSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="pk")
    number = serializers.CharField(help_text="E.164")
    holder = AssignedHolderSerializer(allow_null=True)
    cost_centre = AssignedCostCentreSerializer(allow_null=True)


class LineAssignmentWriteSerializer(serializers.Serializer):
    holder = serializers.IntegerField(allow_null=True, required=False, help_text="A holder id; null: no holder")
    cost_centre = serializers.IntegerField(
        allow_null=True, required=False, help_text="A cost centre id; null: no cost centre"
    )


class LineAssignmentView(APIView):
    access = VIEW

    @extend_schema(responses=LineAssignmentSerializer, summary="A line's holder and cost centre")
    def get(self, request, line_id: int):
        line = selectors.line_for_assignment(scope=request.scope, line_id=line_id)
        return Response(LineAssignmentSerializer(line).data)

    @extend_schema(
        request=LineAssignmentWriteSerializer,
        responses=LineAssignmentSerializer,
        summary="Change a line's holder and/or cost centre; a field left out keeps its value (needs costs.manage)",
    )
    def patch(self, request, line_id: int):
        line = selectors.line_for_assignment(scope=request.scope, line_id=line_id)
        data = LineAssignmentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.line_assign(
            scope=request.scope,
            line_id=line.pk,
            holder_id=values.get("holder", line.holder_id),
            cost_centre_id=values.get("cost_centre", line.cost_centre_id),
            ip=client_ip(request),
        )
        line = selectors.line_for_assignment(scope=request.scope, line_id=line.pk)
        return Response(LineAssignmentSerializer(line).data)


class AssignmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "CSV, at most 2 MB and 20,000 rows, separated by ';' (or ','), UTF-8 or Windows-1252. One row per line: "
            "number; holder's employee code; cost centre code. An empty cell keeps the current value, '-' removes "
            "it. A first row without digits in its first cell is a header."
        )
    )
    check_only = serializers.BooleanField(
        required=False, default=False, help_text="Only check the file and report; change nothing"
    )


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the file, the first row being 1")
    number = serializers.CharField(help_text="The number as written in the file")
    reasons = serializers.ListField(child=serializers.CharField(), source="problems")


class AssignmentReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Data rows in the file")
    changed = serializers.IntegerField(help_text="Rows that change a line (or would, when only checked)")
    unchanged = serializers.IntegerField(help_text="Valid rows that match what the line has already")
    applied = serializers.BooleanField(help_text="True when the changes were saved")
    problems = RowProblemSerializer(many=True, help_text="Refused rows with their reasons")


class AssignmentUploadView(APIView):
    access = Access("capability", Cap.COSTS_MANAGE)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AssignmentUploadSerializer},
        responses=AssignmentReportSerializer,
        summary="Assign many lines to holders and cost centres from a CSV file; valid rows are applied together",
    )
    def post(self, request):
        data = AssignmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > assignment_csv.MAX_BYTES:
            raise ApplicationError(_("The file is larger than 2 MB: split it into smaller files."), field="file")
        rows = assignment_csv.parse_assignment_csv(upload.read())
        report = services.assignments_import(
            scope=request.scope, rows=rows, apply=not data.validated_data["check_only"], ip=client_ip(request)
        )
        return Response(AssignmentReportSerializer(report).data)
