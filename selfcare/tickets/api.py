"""API of support tickets: list and open, one ticket with its history, its documents.

Opening takes JSON, or multipart form data when documents are attached (an IMEI block needs
three); the service checks every field, so errors come back on the field they concern."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

from . import selectors, services
from .models import NOTES_MAX_LENGTH, AttachmentKind, NotifyBy, Reason, Status, Topic
from .views import document_response

ACCESS = Access("capability", Cap.TICKETS_CREATE)


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    status = serializers.ChoiceField(choices=Status.choices)
    message = serializers.CharField(help_text="The operator's message to the customer; may be empty")
    by_operator = serializers.SerializerMethodField()

    def get_by_operator(self, event) -> bool:
        return bool(event.author and event.author.is_staff)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file_name = serializers.CharField()
    size = serializers.IntegerField()


class TicketRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(help_text="The number to quote, TK and seven digits")
    reason = serializers.ChoiceField(choices=Reason.choices)
    topic = serializers.ChoiceField(choices=Topic.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    number = serializers.CharField(source="line.number", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TicketSerializer(TicketRowSerializer):
    service = serializers.CharField()
    domain = serializers.CharField()
    offer_name = serializers.CharField()
    device_model = serializers.CharField()
    serial_number = serializers.CharField()
    loss_kind = serializers.CharField()
    imei = serializers.CharField()
    delivery_site = serializers.IntegerField(source="delivery_site_id", allow_null=True)
    invoice_number = serializers.CharField()
    site = serializers.IntegerField(source="site_id", allow_null=True)
    notes = serializers.CharField()
    referent_name = serializers.CharField()
    referent_phone = serializers.CharField()
    referent_email = serializers.CharField()
    notify_by = serializers.ChoiceField(choices=NotifyBy.choices)
    requester_name = serializers.CharField()
    requester_phone = serializers.CharField()
    requester_email = serializers.CharField()
    events = EventSerializer(many=True, source="events.all")
    attachments = AttachmentSerializer(many=True, source="attachments.all")


class TicketPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total")
    results = TicketRowSerializer(many=True, source="page.rows")
    next_cursor = serializers.CharField(source="page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="page.previous_cursor", allow_null=True)


def _text(max_length=200, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=max_length, **kwargs)


class TicketOpenSerializer(serializers.Serializer):
    """Which fields a topic needs is in the description of each; the others are ignored."""

    reason = serializers.ChoiceField(choices=Reason.choices)
    topic = serializers.ChoiceField(choices=Topic.choices, help_text="One of the reason's topics")
    number = _text(20, help_text="The line concerned (line topics and SIM replacement)")
    service = _text(5, help_text="voice or data (line problems, theft or loss)")
    domain = _text(6, help_text="mobile or fixed (device topics and administrative requests)")
    device_model = _text(10, help_text="router, smartphone or accessory (device topics)")
    serial_number = _text(40, help_text="Serial number or IMEI (device topics)")
    loss_kind = _text(5, help_text="theft or loss (theft or loss)")
    imei = _text(20, help_text="IMEI to block (IMEI block)")
    delivery_site = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="A site id")
    invoice_number = _text(20, help_text="Required for wrong charging, wrong top-up charge, wrong invoice format")
    site = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A site id; required when the company has sites"
    )
    notes = _text(NOTES_MAX_LENGTH)
    referent_name = _text()
    referent_phone = _text(20, help_text="Required when notify_by is sms")
    referent_email = _text(254, help_text="Required when notify_by is email")
    notify_by = serializers.ChoiceField(choices=NotifyBy.choices)
    requester_name = _text()
    requester_phone = _text(20)
    requester_email = _text(254)
    request_form = serializers.FileField(required=False, help_text="IMEI block: the filled request form")
    identity_document = serializers.FileField(required=False, help_text="IMEI block: an identity document")
    police_report = serializers.FileField(required=False, help_text="IMEI block: the police report")

    def request(self) -> services.TicketRequest:
        data = dict(self.validated_data)
        attachments = {k: data.pop(k) for k in services.IMEI_BLOCK_DOCUMENTS if k in data}
        data["site_id"] = data.pop("site")
        data["delivery_site_id"] = data.pop("delivery_site")
        return services.TicketRequest(attachments=attachments, **data)


class TicketListView(APIView):
    access = ACCESS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_list",
        parameters=[
            OpenApiParameter("shown", str, enum=["open", "closed", "all"], description="Default: open"),
            OpenApiParameter("cursor", str, description="next_cursor or previous_cursor of a previous page"),
        ],
        responses=TicketPageSerializer,
        summary="The tickets you may follow, newest first, one page at a time",
    )
    def get(self, request):
        shown = request.query_params.get("shown") or selectors.Shown.OPEN
        if shown not in (selectors.Shown.OPEN, selectors.Shown.CLOSED, selectors.Shown.ALL):
            raise serializers.ValidationError({"shown": [_("Choose open, closed or all.")]})
        result = selectors.ticket_list(scope=request.scope, shown=shown, cursor=request.query_params.get("cursor"))
        return Response(TicketPageSerializer(result).data)

    @extend_schema(
        request={"application/json": TicketOpenSerializer, "multipart/form-data": TicketOpenSerializer},
        responses={201: TicketSerializer},
        summary="Open a ticket",
    )
    def post(self, request):
        data = TicketOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_open(scope=request.scope, data=data.request(), ip=client_ip(request))
        ticket = selectors.ticket_get(scope=request.scope, ticket_id=ticket.pk)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    access = ACCESS

    @extend_schema(responses=TicketSerializer, summary="One ticket with its history and documents")
    def get(self, request, ticket_id: int):
        return Response(TicketSerializer(selectors.ticket_get(scope=request.scope, ticket_id=ticket_id)).data)


class ReplySerializer(serializers.Serializer):
    message = serializers.CharField(max_length=NOTES_MAX_LENGTH)


class TicketReplyView(APIView):
    access = ACCESS

    @extend_schema(
        request=ReplySerializer,
        responses={201: TicketSerializer},
        summary="Add a message to an open ticket (one waiting for you goes back to the operator)",
    )
    def post(self, request, ticket_id: int):
        selectors.ticket_get(scope=request.scope, ticket_id=ticket_id)  # another company's ticket: 404 first
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_reply(
            scope=request.scope, ticket_id=ticket_id, message=data.validated_data["message"], ip=client_ip(request)
        )
        ticket = selectors.ticket_get(scope=request.scope, ticket_id=ticket_id)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketAttachmentView(APIView):
    access = ACCESS

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes}, summary="A document of a ticket, as it was sent"
    )
    def get(self, request, ticket_id: int, attachment_id: int):
        document = selectors.attachment_get(scope=request.scope, ticket_id=ticket_id, attachment_id=attachment_id)
        services.document_read(actor_id=request.user.pk, document=document, ip=client_ip(request))
        return document_response(document)
