"""The page cache's generation: the token every entry's key carries, replaced by every change
(and read with the count of changes committed in the database), and what is cached per
generation (the next go-live, the site's Last-Modified). See `irsite.http.pagecache`."""

import threading
import time
import uuid
from datetime import UTC, datetime
from typing import TypedDict

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from irsite import replicas

from .. import schedule
from ..frontcache import ALL, enqueue_purge
from ..lastmodified import (
    committed_version,
    record_public_change,
    record_schedule_change,
    site_last_modified,
)

GENERATION_KEY = "public:generation"


def page_cache():
    return caches["default"]


def current_generation(token: str | None = None) -> str | None:
    """The token every cached public response's key contains; None if the cache is down.

    Redis's token (replaced by every change, reaching every server at once) joined with the
    count of changes committed in the database, read at most every
    ``IRSITE_GENERATION_CHECK_SECONDS`` per process: a replacement lost on its way to Redis (a
    server cut from it) retires the old pages that much later, not never.

    A request reading a replica (`irsite.replicas`) reads the count in its own snapshot, every
    time, and its pages are kept apart (".replica"): a replica behind the primary renders the
    old state after the token has changed, under the old count; no replica request reading the
    new count finds it, and no primary request does, whatever count it last read.
    """
    generation = token or _token()
    if generation is None:
        return None
    if replicas.current() is not None:
        return f"{generation}.{committed_version()}.replica"
    return f"{generation}.{_committed_version()}"


def _token() -> str | None:
    cache = page_cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


class _Committed(TypedDict):
    version: str
    read_at: float | None


_committed: _Committed = {"version": "0", "read_at": None}
_committed_lock = threading.Lock()


def _committed_version() -> str:
    now = time.monotonic()  # an interval, not a moment: no wall clock
    with _committed_lock:
        read_at = _committed["read_at"]
        if read_at is not None and 0 <= now - read_at < settings.IRSITE_GENERATION_CHECK_SECONDS:
            return _committed["version"]
    version = committed_version()
    with _committed_lock:
        _committed.update({"version": version, "read_at": now})
    return version


def forget_committed_version() -> None:
    """Read the count of changes again on the next request (this process just changed it)."""
    with _committed_lock:
        _committed["read_at"] = None


def invalidate_public_pages() -> None:
    """Make every cached public response stale, on every process sharing the cache."""
    forget_committed_version()
    cache = page_cache()
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def public_pages_changed() -> None:
    """What the public sees changes with this transaction: record it (Last-Modified moves
    forward, `irsite.http.lastmodified`) and drop every cached public page. The front cache is
    the caller's to purge, by what changed (`site_changed` purges it all)."""
    record_public_change()
    invalidate_public_pages()
    transaction.on_commit(invalidate_public_pages)


def site_changed() -> None:
    """In the transaction of a change every public page prints (the company profile, contacts,
    categories): `public_pages_changed`, and every page purged from the front cache once the
    change commits."""
    public_pages_changed()
    enqueue_purge([ALL])


def schedule_changed() -> None:
    """Invalidate now, for what reads in this transaction (and tests, which never commit), and
    again once it commits: a page rendered meanwhile from the rows as they were before the
    commit may have been stored under the first new generation. Alone, for a change of the
    schedule only (nothing public changes, so no validator may move)."""
    record_schedule_change()
    invalidate_public_pages()
    transaction.on_commit(invalidate_public_pages)


def cached_site_last_modified(generation: str | None, now: float, go_live: float | None) -> int:
    """`site_last_modified`, kept per generation until the next go-live (which moves it)."""
    key = f"public:last-modified:{generation}"
    if generation:
        cached = page_cache().get(key)
        # Stored with the go-live it is valid until (0: none), checked here, not by the TTL.
        if cached is not None and (cached[1] == 0 or now < cached[1]):
            return cached[0]
    value = site_last_modified(datetime.fromtimestamp(now, UTC))
    if generation:
        page_cache().set(key, (value, go_live or 0), timeout=settings.IRSITE_PUBLIC_MAX_AGE)
    return value


def next_go_live(generation: str | None, now: float) -> float | None:
    """Epoch seconds of the next scheduled go-live after ``now``, cached per generation."""
    key = f"public:next-go-live:{generation}"
    if generation:
        cached = page_cache().get(key)
        # 0 means "nothing scheduled"; a time that has passed means the next one is due.
        if cached is not None and (cached == 0 or cached > now):
            return cached or None
    go_live = schedule.next_go_live(datetime.fromtimestamp(now, UTC))
    value = go_live.timestamp() if go_live else 0
    if generation:
        page_cache().set(key, value, timeout=settings.IRSITE_PUBLIC_MAX_AGE)
    return value or None


def expires_at(go_live: float | None, now: float) -> float:
    """Until when (epoch seconds) this server may keep a public response rendered at ``now``:
    the configured maximum, cut exactly at the next go-live (no header says so: shared caches
    are purged, see `irsite.http.frontcache`). Exact, not whole seconds: a copy rendered in the last
    second before a go-live serves everyone until that instant instead of every request
    rendering."""
    limit = now + settings.IRSITE_PUBLIC_MAX_AGE
    return limit if go_live is None else min(limit, go_live)
