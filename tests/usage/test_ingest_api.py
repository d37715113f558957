"""The ingestion API of the mediation system: its own token, JSON batches, retries counted once."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from selfcare.usage.models import DailyUsage, IngestionClient, UsageImport, UsageRecord
from selfcare.usage.services import ingestion_client_create

from .conftest import MB, counters

URL = "/api/v1/ingest/usage/"


@pytest.fixture
def token(db):
    return ingestion_client_create(name="mediation-1")[1]


def post(client, token, payload):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(URL, json.dumps(payload), content_type="application/json", headers=headers)


def record(record_id, moment, **fields):
    return {
        "record_id": record_id,
        "number": "+393471234567",
        "started_at": moment.isoformat(),
        "type": "data",
    } | fields


@pytest.mark.django_db
def test_a_batch_is_stored_and_a_retry_changes_nothing(client, token, line, moment):
    batch = {"records": [record(f"r{i}", moment, volume_bytes=MB) for i in range(3)]}
    first = post(client, token, batch)
    assert first.status_code == 200
    assert first.json() | {"id": 0} == {
        "id": 0, "status": "done", "rows": 3, "stored": 3, "duplicates": 0, "rejected": 0, "errors": [],
    }  # fmt: skip
    retry = post(client, token, batch)
    assert retry.json()["stored"] == 0 and retry.json()["duplicates"] == 3
    assert counters(line)["data_mb"] == (3, 3 * MB)
    assert IngestionClient.objects.get().last_used_at is not None
    assert UsageImport.objects.filter(channel="api", source="mediation-1").count() == 2


@pytest.mark.django_db
def test_bad_records_are_reported_by_position(client, token, line, moment):
    batch = {
        "records": [
            record("ok", moment),
            record("neg", moment, type="voice", duration_seconds=-3),
            "not an object",
            record("x", moment, colour="red"),
        ]
    }
    body = post(client, token, batch).json()
    assert (body["status"], body["rows"], body["stored"], body["rejected"]) == ("errors", 4, 1, 3)
    assert {e["row"] for e in body["errors"]} == {2, 3, 4}
    assert UsageRecord.objects.get().record_id == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [{}, {"records": []}, {"records": "r1"}, []])
def test_a_malformed_batch_is_a_field_error(client, token, payload):
    response = post(client, token, payload)
    assert response.status_code == 400
    assert UsageImport.objects.count() == 0


@pytest.mark.django_db
def test_a_batch_over_the_limit_is_refused(client, token, line, moment, settings):
    settings.USAGE_API_MAX_RECORDS = 2
    response = post(client, token, {"records": [record(f"r{i}", moment) for i in range(3)]})
    assert response.status_code == 400
    assert "records" in json.dumps(response.json())
    assert UsageRecord.objects.count() == 0


@pytest.mark.django_db
def test_only_an_active_ingestion_token_gets_in(client, token, profiles, moment):
    assert post(client, None, {"records": [record("a", moment)]}).status_code == 401
    assert post(client, "wrong-token", {"records": [record("a", moment)]}).status_code == 401
    IngestionClient.objects.update(is_active=False)
    response = post(client, token, {"records": [record("a", moment)]})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    # A portal login, even a User Admin's, is no login here.
    client.force_login(profiles["admin"])
    assert post(client, None, {"records": [record("a", moment)]}).status_code == 401


@pytest.mark.django_db
def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"][URL]["post"]
    assert operation["security"] == [{"ingestionToken": []}]


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_batches_store_each_record_once(token, line, moment):
    """Four clients deliver overlapping batches at the same time (PostgreSQL: real concurrency)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the concurrent case is PostgreSQL's")
    batches = [
        [record(f"r{i}", moment, volume_bytes=MB) for i in range(start, start + 300)] for start in (0, 100, 200, 0)
    ]
    barrier = threading.Barrier(len(batches))
    results = []

    def deliver(records):
        try:
            barrier.wait()
            results.append(post(Client(), token, {"records": records}).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["stored"] for r in results) == 500
    assert sum(r["duplicates"] for r in results) == 700
    assert UsageRecord.objects.count() == 500
    daily = DailyUsage.objects.get(line=line, category="data")
    assert (daily.count, daily.volume_bytes) == (500, 500 * MB)
    assert counters(line)["data_mb"] == (500, 500 * MB)
