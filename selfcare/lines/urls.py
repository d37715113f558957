"""The "Prodotti" area: mobile and fixed lines, line detail, Giga Smart Share pools, devices."""

from django.urls import path

from .views import devices, lines, pools

app_name = "lines"
urlpatterns = [
    path("mobile/", lines.mobile_list, name="mobile"),
    path("mobile/export.csv", lines.mobile_export, name="mobile_export"),
    path("fisso/", lines.fixed_list, name="fixed"),
    path("fisso/export.csv", lines.fixed_export, name="fixed_export"),
    path("linee/<int:line_id>/", lines.line_detail, name="detail"),
    path("linee/<int:line_id>/pin-puk/", lines.reveal_secrets, name="reveal_secrets"),
    path("giga-smart-share/", pools.pool_list, name="pools"),
    path("giga-smart-share/<int:pool_id>/", pools.pool_detail, name="pool"),
    path("giga-smart-share/<int:pool_id>/sim/<int:line_id>/", pools.pool_sim, name="pool_sim"),
    path("dispositivi/", devices.device_list, name="devices"),
]
