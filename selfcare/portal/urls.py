from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("area/<slug:slug>/", views.area, name="area"),
    path("linea-corrente/", views.switch_line, name="switch_line"),
]
