import pytest
from django.conf import settings
from django.urls import reverse

from tests.access import LOGIN, PROFILES, ROUTES

CASES = [(route, profile) for route in ROUTES for profile in PROFILES]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "profile"), CASES, ids=[f"{r.name}{list(r.args) or ''}-{p}" for r, p in CASES])
def test_access(client_as, route, profile):
    client = client_as(profile)
    url = reverse(route.name, args=route.args)
    response = getattr(client, route.method)(url, route.data)
    expected = route.expect[profile]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == expected, response.content[:300]
