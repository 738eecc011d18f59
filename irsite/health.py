"""`/healthz` for load balancers and monitoring: the database and the cache, nothing else."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
        return
    # Any other backend: a round trip with a key no other request uses.
    key, value = f"irsite:healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 5)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 otherwise; never touches a release."""
    checks = {}
    for name, check in [("database", _database), ("cache", _cache)]:
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"{type(exc).__name__}: {exc}".strip()[:200]
    healthy = all(v == "ok" for v in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
    patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
    return response
