import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Invoices' PDFs and XML files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Services' messages are checked in English, the source language. Pages follow the language
    cookie (Italian without it); the documents (PDF copy, call detail) are Italian whatever it is."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_in_english(client_as):
    """client_as, keeping English pages after each login (logging in and out drops the cookies)."""

    def login(profile):
        client = client_as(profile)
        client.cookies["django_language"] = "en"
        return client

    return login
