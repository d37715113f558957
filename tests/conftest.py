import os

import pytest

# Playwright runs its own event loop in the test thread; the live server's ORM calls are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are reused between tests, cached rows must not be."""
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:  # the page shell's local cache too
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Stored files (invoice PDFs, ticket documents) go to the test's own folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def company(db):
    from tests.factories import CompanyFactory

    return CompanyFactory()


@pytest.fixture
def other_company(db):
    from tests.factories import CompanyFactory

    return CompanyFactory(name="Concorrente S.p.A.")


@pytest.fixture
def profiles(db, company):
    """One user per portal profile of `company`, plus an operator staff member."""
    from selfcare.accounts.models import User
    from selfcare.core.permissions import Role
    from tests.factories import EmployeeFactory, UserFactory

    users = {
        "employee": EmployeeFactory(company=company),
        "admin": UserFactory(company=company, role=Role.ADMIN),
        "manager": UserFactory(company=company, role=Role.MANAGER),
        "referent": UserFactory(company=company, role=Role.REFERENT),
        "staff": User.objects.create_user("operator", password="x", is_staff=True),
    }
    return users


@pytest.fixture
def client_as(client, profiles):
    """client_as("admin") → the test client logged in as that profile ("anonymous": logged out)."""

    def login(profile):
        client.logout()
        if profile != "anonymous":
            client.force_login(profiles[profile])
        return client

    return login
