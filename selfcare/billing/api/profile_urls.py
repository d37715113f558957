"""API routes of the billing profile and the top-up history, mounted at /api/v1/."""

from django.urls import path

from . import profile

urlpatterns = [
    path("billing-profile/", profile.BillingProfileView.as_view(), name="billing_profile"),
    path("payment-method/", profile.PaymentMethodView.as_view(), name="payment_method"),
    path("topups/", profile.TopupListView.as_view(), name="topups"),
]
