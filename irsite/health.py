"""`/healthz` for load balancers and monitoring: each dependency by name.

503 when the database or the cache does not answer; 200 "degraded" when this process's clock is
further from the database's than ``IRSITE_CLOCK_MAX_SKEW`` (publication still follows the
database's clock, but an operator must fix the host: `irsite.clock`)."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from irsite import clock


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
    checks: dict[str, str | float] = {}
    for name, check in [("database", _database), ("cache", _cache)]:
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"{type(exc).__name__}: {exc}".strip()[:200]
    healthy = all(v == "ok" for v in checks.values())
    status = "ok" if healthy else "unavailable"
    if healthy:
        skew = clock.reading(fresh=True).skew if settings.IRSITE_CLOCK != "process" else 0.0
        checks["clock_skew_seconds"] = round(skew, 3)
        if abs(skew) > settings.IRSITE_CLOCK_MAX_SKEW:
            status = "degraded"
            checks["clock"] = (
                f"this host's clock is {skew:+.2f} s off the database's "
                f"(limit {settings.IRSITE_CLOCK_MAX_SKEW:g} s)"
            )
        else:
            checks["clock"] = "ok"
    response = JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
    patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
    return response
