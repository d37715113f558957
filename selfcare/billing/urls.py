from django.urls import include, path

app_name = "billing"
urlpatterns = [
    # Billing profile (PEC and SDI code, payment method) and the top-up history.
    path("", include("selfcare.billing.profile_urls")),
]
