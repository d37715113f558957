import pytest
from django.db import OperationalError
from django.urls import reverse
from huey import RedisHuey


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ok_when_database_and_queue_answer(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_readyz_503_when_database_is_unreachable(client, monkeypatch):
    from selfcare.core import views

    class BrokenConnection:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["queue"] == "ok"


@pytest.mark.django_db
def test_readyz_503_when_queue_is_unreachable(client, monkeypatch):
    from selfcare.core import views

    # A Redis queue on a port where nothing listens.
    monkeypatch.setattr(views, "HUEY", RedisHuey("unreachable", url="redis://127.0.0.1:1/0"))
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "queue": "down"}
