"""API of the two home pages (SPEC F-HOME-1, F-HOME-2): the same selectors as the pages."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.lines.api.lines import ActiveOptionSerializer, CounterSerializer
from selfcare.notifications.selectors import unread_count

from . import selectors


class EmployeeHomeSerializer(serializers.Serializer):
    profile = serializers.CharField(default="employee")
    number = serializers.CharField(source="line.number")
    line_id = serializers.IntegerField(source="line.pk")
    offer = serializers.CharField(source="line.offer.name")
    offer_description = serializers.CharField(source="line.offer.description")
    prepaid = serializers.BooleanField(source="line.offer.is_prepaid")
    credit = serializers.DecimalField(
        source="line.credit", max_digits=10, decimal_places=2, allow_null=True, help_text="Prepaid lines only"
    )
    counters = CounterSerializer(many=True)
    options = ActiveOptionSerializer(many=True)
    lines = serializers.SerializerMethodField(help_text="The lines he can switch to (his own and associated ones)")
    unread_notifications = serializers.IntegerField()

    def get_lines(self, home) -> list[str]:
        return [line.number for line in home.lines]


class MonthSpendSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Invoiced, VAT included")


class TopUsageSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    number = serializers.CharField(source="line.number")
    holder = serializers.CharField(source="line.holder", allow_null=True, default=None)
    kind = serializers.CharField()
    used = serializers.IntegerField()
    allowance = serializers.IntegerField()
    percent_used = serializers.IntegerField()


class ActivatingLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    expected_on = serializers.DateField(source="activation.expected_on", allow_null=True, default=None)
    progress = serializers.IntegerField(source="activation.progress", allow_null=True, default=None)


class OpenTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    topic = serializers.CharField()
    status = serializers.CharField()
    number = serializers.CharField(source="line.number", allow_null=True, default=None)


class OpenTicketsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text="Open tickets waiting for the customer's answer")
    latest = OpenTicketSerializer(many=True)


class ManagerHomeSerializer(serializers.Serializer):
    profile = serializers.CharField(default="manager")
    company = serializers.CharField(source="company_name")
    lines_total = serializers.IntegerField()
    lines_by_kind = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    unpaid_count = serializers.IntegerField()
    unpaid_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdue_count = serializers.IntegerField()
    spend = MonthSpendSerializer(many=True)
    near_allowance_count = serializers.IntegerField(help_text="Lines at or over 80% of an allowance")
    top_usage = TopUsageSerializer(many=True)
    activating_count = serializers.IntegerField()
    activating = ActivatingLineSerializer(many=True)
    open_tickets = OpenTicketsSerializer()
    unread_notifications = serializers.IntegerField()


class HomeView(APIView):
    """The home of whoever asks: the employee's line, or the manager's company dashboard."""

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="Home",
            serializers=[EmployeeHomeSerializer, ManagerHomeSerializer],
            resource_type_field_name="profile",
        ),
        summary="Home: the current line (employee) or the company dashboard (managers)",
    )
    def get(self, request):
        scope = request.scope
        if scope.is_employee:
            home = selectors.employee_home(scope=scope)
            home.unread_notifications = unread_count(user_id=scope.user_id)
            return Response(EmployeeHomeSerializer(home).data)
        home = selectors.manager_home(scope=scope)
        home.unread_notifications = unread_count(user_id=scope.user_id)
        return Response(ManagerHomeSerializer(home).data)
