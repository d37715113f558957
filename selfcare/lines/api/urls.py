"""API routes of the "Prodotti" area, mounted at /api/v1/."""

from django.urls import path

from . import devices, lines, pools

urlpatterns = [
    path("lines/", lines.LineListView.as_view(), name="lines"),
    path("lines/<int:line_id>/", lines.LineDetailView.as_view(), name="line"),
    path("lines/<int:line_id>/secrets/", lines.LineSecretsView.as_view(), name="line_secrets"),
    path("pools/", pools.PoolListView.as_view(), name="pools"),
    path("pools/<int:pool_id>/", pools.PoolDetailView.as_view(), name="pool"),
    path("pools/<int:pool_id>/sims/<int:line_id>/", pools.PoolSimView.as_view(), name="pool_sim"),
    path("devices/", devices.DeviceListView.as_view(), name="devices"),
]
