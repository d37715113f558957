from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from selfcare.core.decorators import public

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    path("v1/me/", views.me, name="me"),
    path("v1/account/", include("selfcare.accounts.api.urls")),
]
