"""Answering a public request: from its current copy, or by one render per page and generation
across processes (single flight), stored until the next go-live. See `irsite.http.pagecache`."""

import hashlib
import logging
import math
import time
from collections.abc import Callable, Collection
from dataclasses import asdict
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils.http import http_date, parse_http_date_safe

from irsite import clock, replicas

from ..frontcache import mark_public
from .entries import (
    NOT_STORED,
    CachedResponse,
    current,
    finish,
    is_tracking,
    keep_only,
    look_up,
    ripe,
)
from .generation import cached_site_last_modified, expires_at, next_go_live, page_cache

logger = logging.getLogger(
    "irsite.http.pagecache"
)  # one logger for the package (bench/front.py reads it)

# A render holds its page's lock at most this long; others wait at most this long for it.
RENDER_LOCK_SECONDS = 10
RENDER_WAIT_SECONDS = 3.0


def serve_public(
    request: HttpRequest, respond: Callable[[], HttpResponseBase], reads: Collection[str] = ()
) -> HttpResponseBase:
    """Answer a public GET from the cache, or by ``respond()`` and store the result. ``reads``:
    the query parameters the view reads; it is given those alone (`keep_only`).

    Every public response gets the one caching policy and its surrogate keys
    (`irsite.http.frontcache.mark_public`), a strong ETag, and conditional-GET handling (304
    when the client's copy is current). A 404 raised by the view is answered here, with the
    same policy.
    """
    keep_only(request, reads)
    now = clock.epoch()
    use_cache = settings.IRSITE_PAGE_CACHE and request.method in {"GET", "HEAD"}
    key, generation, entry = look_up(request) if use_cache else (None, None, None)
    if generation is None:
        key = None  # the cache is down: render, and keep nothing
    if key and generation:
        if entry is None or not entry.is_fresh(now):
            # Single flight: one request per page and generation renders, across processes
            # and servers; the others wait briefly for its copy (at go-live, every page at once).
            lock = f"{key}:{generation}:rendering"
            if page_cache().add(lock, 1, timeout=RENDER_LOCK_SECONDS):
                try:
                    # Another render may have stored its copy and let go of the lock between
                    # this request's miss and its taking the lock: look once more.
                    stored = CachedResponse.load(page_cache().get(key))
                    entry = ripe(current(stored, generation))
                    if entry is None or not entry.is_fresh(clock.epoch()):
                        return _render(request, respond, generation, key, now)
                finally:
                    page_cache().delete(lock)
            else:
                entry = _wait_for(key, lock, generation)
        if entry is not None and entry.is_fresh(clock.epoch()):
            response = entry.response()
            if not entry.whole:  # the middleware completes it from this answer
                response.irsite_stored = (key, entry)  # type: ignore[attr-defined]
            return finish(request, response, entry.etag, entry.last_modified)
    return _render(request, respond, generation, key, now)


def _wait_for(key: str, lock: str, generation: str) -> "CachedResponse | None":
    """The copy another request is rendering, once stored; None if that request ends without
    storing one (a 404, a page about to go stale) or takes longer than RENDER_WAIT_SECONDS."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.01)
        found = page_cache().get_many([key, lock])
        entry = ripe(current(CachedResponse.load(found.get(key)), generation))
        if entry is not None and entry.is_fresh(clock.epoch()):
            return entry
        if lock not in found:
            return None
    return None


def _render(
    request: HttpRequest,
    respond: Callable[[], HttpResponseBase],
    generation: str | None,
    key: str | None,
    now: float,
) -> HttpResponseBase:
    """Render the page and store it under ``key`` (when it may be stored)."""
    logger.debug("rendering %s", request.get_full_path())
    # Read before rendering: a go-live that passes while the page renders still caps the copy
    # kept (none is kept without a key). The site's Last-Modified too: a change committed while
    # the page renders then gives a page newer than its Last-Modified, never older (a reader
    # revalidating with it gets the page again, not a 304 over changed bytes).
    go_live = next_go_live(generation, now) if key else None
    site = cached_site_last_modified(generation, now, go_live)
    # Every query and check of the render decides at ``now``, the instant the copy's cap (the
    # next go-live after it) is computed from: a go-live passing mid-render is not half shown.
    with clock.fixed(datetime.fromtimestamp(now, UTC)):
        try:
            response = respond()
        except Http404 as error:
            # A URL that is not (yet) public says how long it may be cached, like every other.
            response = response_for_exception(request, error)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.render()
    if response.status_code < 500:
        mark_public(request, response)
    if response.status_code != 200 or response.streaming:
        return response
    assert isinstance(response, HttpResponse)  # not streamed: its content is in hand

    content = response.content
    # One bytes object: the server sends it in one write, whatever pieces the view wrote.
    response.content = content
    etag = f'"{hashlib.sha256(content).hexdigest()[:40]}"'
    response.headers["ETag"] = etag
    last_modified: int | None = max(
        parse_http_date_safe(response.headers.get("Last-Modified", "")) or 0, site
    )
    if last_modified:
        response.headers["Last-Modified"] = http_date(last_modified)
    else:
        last_modified = None

    private = getattr(response, "irsite_private", False) or response.cookies
    until = expires_at(go_live, now)
    if key and generation and not private and until > clock.epoch():
        entry = CachedResponse(
            status=response.status_code,
            headers=tuple(
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in NOT_STORED
            ),
            content=content,
            etag=etag,
            last_modified=last_modified,
            rendered_at=now,
            expires_at=until,
            go_live=go_live,
            generation=generation,
        )
        page_cache().set(key, asdict(entry), timeout=math.ceil(until - clock.epoch()))
        response.irsite_stored = (key, entry)  # type: ignore[attr-defined]
    return finish(request, response, etag, last_modified)


def cache_publicly(view=None, *, reads: Collection[str] = ()):
    """Every public view: cached server-side and by shared caches, with a strong ETag and
    conditional GET (see `irsite.http.pagecache`). Function views (feeds, the sitemap) are wrapped
    directly; class views through ``method_decorator(cache_publicly, name="dispatch")``.
    ``cache_publicly(reads=("page", ...))``: the query parameters the view reads (it sees no
    other, and its cache entry is keyed on those alone)."""
    if view is None:
        return lambda v: cache_publicly(v, reads=reads)
    assert not any(is_tracking(name) for name in reads), "a view reads no tracking parameter"

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if (
            request.method in {"GET", "HEAD"}
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            # Anonymous and public: may be read from a replica, all of it from one snapshot
            # (irsite/replicas.py). A signed-in user reads the primary, and sees what was just
            # saved.
            with replicas.pinned():
                return serve_public(request, lambda: view(request, *args, **kwargs), reads)
        return serve_public(request, lambda: view(request, *args, **kwargs), reads)

    return wrapped
