"""Support tickets ("Segnala", SPEC §10)."""

from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("nuovo/", views.ticket_new, name="new"),
    path("nuovo/<slug:reason>/<slug:topic>/", views.ticket_create, name="create"),
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("<int:ticket_id>/rispondi/", views.ticket_reply, name="reply"),
    path("<int:ticket_id>/documenti/<int:attachment_id>/", views.ticket_attachment, name="attachment"),
]
