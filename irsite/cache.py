"""A Redis cache that an outage makes slower, not broken.

Django's `RedisCache` raises when Redis is unreachable, which would turn every cached page into
a 500. Here a connection or timeout error is logged (at most once every few seconds per
process) and answered like a miss: reads return the default, writes do nothing. Pages are then
rendered from the database, as with the cache switched off. `/healthz` still reports the outage
(see `irsite.health`), because it asks `ping()`, which does raise.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("irsite.cache")

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY_SECONDS = 10.0


def _tolerant(fallback: Callable[..., Any]) -> Callable:
    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self: "TolerantRedisCache", *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as exc:
                self._warn(method.__name__, exc)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


class TolerantRedisCache(RedisCache):
    _last_warning = 0.0

    def _warn(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - TolerantRedisCache._last_warning >= WARN_EVERY_SECONDS:
            TolerantRedisCache._last_warning = now
            logger.warning(
                "cache unavailable, serving without it",
                extra={"operation": operation, "error": f"{type(exc).__name__}: {exc}"},
            )

    def ping(self) -> bool:
        """Raise if Redis does not answer (for the health check)."""
        return self._cache.get_client(write=True).ping()

    @_tolerant(lambda key, default=None, version=None: default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_tolerant(lambda *args, **kwargs: False)
    def add(self, *args, **kwargs):
        return super().add(*args, **kwargs)

    @_tolerant(lambda *args, **kwargs: None)
    def set(self, *args, **kwargs):
        return super().set(*args, **kwargs)

    @_tolerant(lambda *args, **kwargs: False)
    def touch(self, *args, **kwargs):
        return super().touch(*args, **kwargs)

    @_tolerant(lambda *args, **kwargs: False)
    def delete(self, *args, **kwargs):
        return super().delete(*args, **kwargs)

    @_tolerant(lambda *args, **kwargs: {})
    def get_many(self, *args, **kwargs):
        return super().get_many(*args, **kwargs)

    @_tolerant(lambda *args, **kwargs: False)
    def has_key(self, *args, **kwargs):
        return super().has_key(*args, **kwargs)

    @_tolerant(lambda data, *args, **kwargs: list(data))
    def set_many(self, data, *args, **kwargs):
        return super().set_many(data, *args, **kwargs)

    @_tolerant(lambda *args, **kwargs: None)
    def delete_many(self, *args, **kwargs):
        return super().delete_many(*args, **kwargs)

    @_tolerant(lambda *args, **kwargs: False)
    def clear(self):
        return super().clear()

    # incr/decr keep raising: a counter that silently stays put would be a wrong answer.
