"""Fixed-window request counters in Django's cache (``CACHE_URL``; one process's memory by
default, so production with several web processes should point it at a shared cache).

Keys are hashes: neither addresses nor IP addresses are written to the cache in clear.
"""

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 3600


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"irsite.alerts.rate.{kind}.{digest}"


def hit(kind: str, value: str, limit: int) -> bool:
    """Count one request; False once more than ``limit`` came within the window."""
    key = _key(kind, value)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit
