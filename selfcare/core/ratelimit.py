"""Fixed-window rate limits kept in the cache (Redis in production, local memory otherwise)."""

from django.core.cache import cache

from .errors import ApplicationError


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under `key`; True while the count is within `limit` for the window."""
    cache_key = f"rl:{key}"
    # add() only sets when missing, so the window starts at the first attempt and is not extended.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def count(key: str) -> int:
    """Attempts counted under `key` in the current window."""
    return cache.get(f"rl:{key}") or 0


def is_limited(key: str, *, limit: int) -> bool:
    """True when `key` has already used up its attempts (without counting one more)."""
    return (cache.get(f"rl:{key}") or 0) >= limit


def reset(key: str) -> None:
    cache.delete(f"rl:{key}")


def enforce(key: str, *, limit: int, window_seconds: int, message, field: str | None = None) -> None:
    """Count one attempt and raise a 429 ApplicationError with `message` past the limit."""
    if not hit(key, limit=limit, window_seconds=window_seconds):
        raise ApplicationError(message, field=field, code="rate_limited", status=429)


def client_ip(request) -> str:
    """The client address as the server saw it (REMOTE_ADDR; a proxy must set it correctly)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
