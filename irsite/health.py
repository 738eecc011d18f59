"""`/healthz` for load balancers and monitoring: each dependency by name.

Each of ``database``, ``cache``, ``storage`` and ``pooler`` is "ok" or says what is wrong, and
``clock`` the skew (`irsite.clock`). The status follows the worst of them:

- 503 "unavailable" when the database, the cache or the object storage does not answer;
- 503 "misconfigured" when PostgreSQL is reached through a transaction-mode pooler that
  ``DB_POOLER`` does not name (`irsite.pooler`): pages would fail now and then, so the load
  balancer must not count the server as healthy;
- 200 "degraded" when an app reports a problem of its own (`register_status`: the SEC filings
  list not updated from EDGAR for too long), or when everything answers but this process's clock
  is further from the database's than ``IRSITE_CLOCK_MAX_SKEW`` (publication still follows the
  database's clock), or Redis is full under a policy that evicts nothing (pages are still
  served, and served from the cache for what it holds, but nothing new is cached): an operator
  must act, no server is better than another for it.
"""

import threading
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from irsite import clock, pooler

# What apps report about themselves (registered from their `AppConfig.ready`; this module
# imports no app): a name and a question answering a problem to show, or None when all is well.
# A problem makes the status "degraded" (pages are served; an operator must act).
_statuses: dict[str, Callable[[], str | None]] = {}


def register_status(name: str, status: Callable[[], str | None]) -> None:
    _statuses[name] = status


# The object storage gets this long to answer (a storage that hangs must not hang /healthz).
STORAGE_TIMEOUT = 2.0
# A name no upload ever has: its existence is asked, never its content.
STORAGE_PROBE_NAME = "healthz-probe"


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


def _storage() -> None:
    """One existence check (a HEAD request on S3), given `STORAGE_TIMEOUT` to answer."""
    outcome: list[BaseException | None] = []

    def ask() -> None:
        try:
            default_storage.exists(STORAGE_PROBE_NAME)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    # A thread of its own: a hung storage leaves it behind, not the request.
    asking = threading.Thread(target=ask, daemon=True, name="healthz-storage")
    asking.start()
    asking.join(STORAGE_TIMEOUT)
    if not outcome:
        raise TimeoutError(f"no answer within {STORAGE_TIMEOUT:g} s")
    if outcome[0] is not None:
        raise outcome[0]


def _problem(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()[:200]


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answers, 503 otherwise; never touches a release."""
    checks: dict[str, object] = {}
    for name, check in [("database", _database), ("cache", _cache), ("storage", _storage)]:
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = _problem(exc)
    healthy = all(v == "ok" for v in checks.values())
    status = "ok" if healthy else "unavailable"
    if checks["cache"] == "ok":
        full = getattr(cache, "out_of_memory", None)
        problem = full() if full is not None else None
        if problem:
            checks["cache"] = problem
            status = "degraded" if healthy else status
    if checks["database"] == "ok":
        try:
            problem = pooler.misconfiguration()
        except Exception as exc:  # the probe's own connections failed: say so, decide nothing
            problem, checks["pooler"] = None, f"not probed: {_problem(exc)}"
        else:
            checks["pooler"] = problem or "ok"
        if problem:
            status = "misconfigured" if healthy else status
            healthy = False
        skew = clock.reading(fresh=True).skew if settings.IRSITE_CLOCK != "process" else 0.0
        checks["clock_skew_seconds"] = round(skew, 3)
        if abs(skew) > settings.IRSITE_CLOCK_MAX_SKEW:
            status = "degraded" if status == "ok" else status
            checks["clock"] = (
                f"this host's clock is {skew:+.2f} s off the database's "
                f"(limit {settings.IRSITE_CLOCK_MAX_SKEW:g} s)"
            )
        else:
            checks["clock"] = "ok"
        for name, ask in _statuses.items():
            try:
                problem = ask()
            except Exception as exc:
                problem = f"not checked: {_problem(exc)}"
            checks[name] = problem or "ok"
            if problem:
                status = "degraded" if status == "ok" else status
    response = JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
    patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
    return response
