from django.urls import include, path

urlpatterns = [
    path("", include("selfcare.billing.api.profile_urls")),
    path("", include("selfcare.billing.payments.api_urls")),
]
