"""API routes of support tickets, mounted at /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("tickets/", api.TicketListView.as_view(), name="tickets"),
    path("tickets/<int:ticket_id>/", api.TicketDetailView.as_view(), name="ticket"),
    path("tickets/<int:ticket_id>/replies/", api.TicketReplyView.as_view(), name="ticket_replies"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        api.TicketAttachmentView.as_view(),
        name="ticket_attachment",
    ),
]
