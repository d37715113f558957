from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from selfcare.core.decorators import public
from selfcare.portal import api as portal_api

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    path("v1/me/", views.me, name="me"),
    path("v1/account/", include("selfcare.accounts.api.urls")),
    path("v1/home/", portal_api.HomeView.as_view(), name="home"),
    path("v1/", include("selfcare.lines.api.urls")),
    path("v1/", include("selfcare.costs.api.urls")),
    path("v1/", include("selfcare.usage.api.urls")),
    path("v1/", include("selfcare.billing.api.urls")),
    path("v1/", include("selfcare.tickets.api_urls")),
]
