"""Fixtures shared by the Prodotti tests."""

import pytest
from django.conf import settings


@pytest.fixture
def english(client):
    """Pages in English (the source strings), whatever the Italian catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def manager(profiles):
    return profiles["manager"]
