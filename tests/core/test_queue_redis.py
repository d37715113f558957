"""The Redis-backed job queue used in production: enqueue, consume, result. Needs REDIS_URL."""

import os
import uuid

import pytest
from huey import RedisHuey

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the Redis queue is tested in CI")


def test_task_goes_through_redis_and_runs():
    huey = RedisHuey(f"selfcare-test-{uuid.uuid4().hex}", url=REDIS_URL)

    @huey.task()
    def add(a, b):
        return a + b

    try:
        result = add(2, 3)
        assert huey.pending_count() == 1
        task = huey.dequeue()
        huey.execute(task)
        assert result.get() == 5
        assert huey.pending_count() == 0
    finally:
        huey.storage.flush_all()


def test_settings_switch_cache_sessions_and_queue_to_redis():
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"


def test_cache_round_trip():
    from django.core.cache import cache

    key = f"probe-{uuid.uuid4().hex}"
    cache.set(key, {"ok": 1}, 10)
    assert cache.get(key) == {"ok": 1}
    cache.delete(key)
