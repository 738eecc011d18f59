"""A cache that is never the reason a page fails.

`TolerantRedisCache` is Django's built-in Redis backend (settings swap it in for any
``CACHE_URL=redis://...``) with one difference: when Redis cannot be reached, every call behaves
like a miss (reads return the default, writes do nothing), a warning is logged, and for the next
few seconds the server is not asked at all, so an outage costs each request no more than the
pages rendered without a cache, instead of a connection timeout per cache call or a 500.

A Redis that answers but is full (``maxmemory`` reached under ``maxmemory-policy noeviction``,
Redis's default policy) refuses writes with "OOM command not allowed" and still serves reads and
deletes: that is not an outage. The write is dropped (one warning per `retry_after` window) and
reads go on, so what is cached is still served from the cache; `out_of_memory` says so for
``/healthz``. Publication stays right meanwhile: a generation that cannot be replaced in Redis
is still retired by the count of changes in PostgreSQL (`irsite.http.pagecache`).
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import OutOfMemoryError, RedisError

logger = logging.getLogger("irsite.http.redis")

# Short socket timeouts: a cache that answers slowly is worse than no cache at all.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` (and its table of ~170 reply callbacks) for
    every cache call, a visible share of a cached page's cost (figures:
    bench/results/design-measurements.md). A `redis.Redis` is thread-safe over its connection
    pool, so one per pool serves the process."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    _servers: list[str]  # RedisCache's, set by it; its stubs leave it out

    # After a failure, skip Redis for this long before trying again (and logging again).
    retry_after = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0
        self._full_until = 0.0
        self._lock = threading.Lock()

    def validate_key(self, key: str) -> None:
        """Nothing to check: Redis keys are binary-safe. Django's default walks every character
        of every key for what memcached would refuse (a warning only), twice per cached hit;
        its documentation names overriding this for backends that accept a wider range of
        keys."""

    def ping(self) -> bool:
        """Ask Redis itself, raising if it does not answer (for /healthz, which must see it)."""
        return self._cache.get_client(write=True).ping()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    @property
    def is_full(self) -> bool:
        """A write was refused for lack of memory within the last `retry_after` seconds: an
        `add` answering False may mean "not stored", not "someone else holds it"."""
        return time.monotonic() < self._full_until

    def out_of_memory(self) -> str | None:
        """Why Redis refuses writes for lack of memory, or None: a write this process saw
        refused lately, or Redis's own figures (at ``maxmemory`` under a policy that evicts
        nothing). Raises like `ping` when Redis does not answer."""
        memory = self._cache.get_client(write=True).info("memory")
        limit, used = int(memory.get("maxmemory", 0)), int(memory.get("used_memory", 0))
        policy = memory.get("maxmemory_policy", "?")
        if self.is_full or (limit and used >= limit and policy == "noeviction"):
            return (
                f"out of memory: Redis refuses writes (used {used} of maxmemory {limit} bytes, "
                f"maxmemory-policy {policy}); pages are served, nothing new is cached. Set "
                "maxmemory-policy allkeys-lru (docs/deployment.md, Redis)"
            )
        return None

    def _tolerate(self, default: Any, call: Callable[[], Any]) -> Any:
        if self.is_down:
            return default
        try:
            return call()
        except OutOfMemoryError as error:
            # Full, not down: drop this write and keep reading (the cached pages stay served).
            with self._lock:
                first = not self.is_full
                self._full_until = time.monotonic() + self.retry_after
            if first:
                logger.warning(
                    "Cache server %s is out of memory (%s); writes are dropped, reads go on. "
                    "Give it maxmemory-policy allkeys-lru (docs/deployment.md, Redis).",
                    ",".join(self._servers),
                    error,
                )
            return default
        except (RedisError, OSError) as error:
            with self._lock:
                first = not self.is_down
                self._down_until = time.monotonic() + self.retry_after
            if first:
                logger.warning(
                    "Cache server %s unreachable (%s: %s); serving without the cache, "
                    "retrying in %.0f s.",
                    ",".join(self._servers),
                    type(error).__name__,
                    error,
                    self.retry_after,
                )
            return default

    def get(self, key, default=None, version=None):
        return self._tolerate(
            default, lambda: super(TolerantRedisCache, self).get(key, default, version)
        )

    def get_many(self, keys, version=None):
        return self._tolerate({}, lambda: super(TolerantRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._tolerate(False, lambda: super(TolerantRedisCache, self).has_key(key, version))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate(
            False, lambda: super(TolerantRedisCache, self).add(key, value, timeout, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._tolerate(
            None, lambda: super(TolerantRedisCache, self).set(key, value, timeout, version)
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that failed to be stored.
        return self._tolerate(
            list(data), lambda: super(TolerantRedisCache, self).set_many(data, timeout, version)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate(
            False, lambda: super(TolerantRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None):
        return self._tolerate(False, lambda: super(TolerantRedisCache, self).delete(key, version))

    def delete_many(self, keys, version=None):
        self._tolerate(None, lambda: super(TolerantRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._tolerate(False, lambda: super(TolerantRedisCache, self).clear())

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read is a missing key, as Django's contract has it.
        missing = object()
        value = self._tolerate(
            missing, lambda: super(TolerantRedisCache, self).incr(key, delta, version)
        )
        if value is missing:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return value
