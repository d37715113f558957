"""API routes of the account flows, mounted at /api/v1/account/ (one block per flow)."""

from django.urls import path  # noqa: F401

urlpatterns = []
