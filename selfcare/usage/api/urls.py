"""API routes of traffic and of usage ingestion, mounted at /api/v1/."""

from django.urls import path

from . import ingest, traffic

urlpatterns = [
    path("lines/<int:line_id>/traffic/", traffic.TrafficSummaryView.as_view(), name="line_traffic"),
    path("lines/<int:line_id>/traffic/records/", traffic.TrafficRecordsView.as_view(), name="line_traffic_records"),
    path("lines/<int:line_id>/traffic/export/", traffic.TrafficExportView.as_view(), name="line_traffic_export"),
    path("ingest/usage/", ingest.UsageBatchView.as_view(), name="usage_ingest"),
]
