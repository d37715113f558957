"""Django's Redis cache with one client object per connection pool instead of one per call.

Django's client builds a new redis.Redis for every cache operation; on a page that reads the
session, the cached scope and a few cached figures that costs more than the Redis round trips
themselves. redis.Redis is thread-safe over its pool, so one per pool is kept and reused.
"""

import hashlib

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


def make_key(name: str, *parts) -> str:
    """A short cache key from a name and any parts (scope, filters, versions): safe for every backend."""
    return f"{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:40]}"
