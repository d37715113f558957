from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from selfcare.lines.models import Line


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    company = serializers.CharField(allow_null=True)
    current_line = serializers.CharField(allow_null=True)
    lines = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=MeSerializer, summary="Who I am: profile, company and the lines I may see")
@api_view(["GET"])
def me(request):
    scope = request.scope
    numbers = {}
    if scope.is_employee:
        numbers = dict(scope.lines(Line.objects.all()).values_list("pk", "number"))
    data = {
        "username": request.user.username,
        "role": scope.role or "",
        "company": request.user.company.name if scope.company_id else None,
        "current_line": numbers.get(scope.current_line_id),
        "lines": [numbers[pk] for pk in scope.line_ids if pk in numbers],
    }
    return Response(MeSerializer(data).data)
