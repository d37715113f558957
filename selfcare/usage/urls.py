from django.urls import path

from . import views

app_name = "traffic"
urlpatterns = [
    path("mobile/", views.mobile, name="mobile"),
    path("fisso/", views.fixed, name="fixed"),
    path("linee/<int:line_id>/", views.line_traffic, name="line"),
    path("linee/<int:line_id>/download.xlsx", views.line_traffic_export, name="export"),
]
