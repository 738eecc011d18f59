"""Server-side cache of public pages and feeds that never outlives a go-live.

Every cached public response is stored under a key that contains the current *generation*, a
random token kept in the cache itself. Publishing, scheduling, unscheduling, correcting and
withdrawing a release (and editing the company profile, contacts or categories) replace the
token, and again once their transaction commits, so every process and server sharing the cache
(Redis) stops using every old entry at the same moment, without listing or deleting any key.

Time is the other thing that changes what is public: a scheduled release goes live with no
event at all. So each entry also carries the moment it stops being valid, never later than the
next scheduled go-live as it was when the page was rendered; that moment is itself cached per
generation (a release scheduled anywhere replaces the generation), so a cache hit costs no
database query. No header says any of this: what caches are told is the same whatever is
scheduled, and the site purges the front cache itself (`irsite.http.frontcache`).

Entries hold the body as one bytes object (a feed is written in hundreds of small chunks) and a
strong ETag computed from those bytes, so a feed reader polling with ``If-None-Match`` gets a
304 from the cache without the page being rendered, and the ETag can carry nothing that is not
on the page, least of all a hint of a scheduled release.

With a per-process cache (the local-memory default) invalidation reaches only the process that
made the change; other processes may show the previous state for up to
``IRSITE_PUBLIC_MAX_AGE`` seconds (never a release before its time). Run several processes with
``CACHE_URL=redis://...``.
"""

import hashlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import wraps
from typing import TypedDict

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.exception import response_for_exception
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe, urlencode

from irsite import clock, replicas

from . import schedule
from .frontcache import ALL, enqueue_purge, mark_public
from .lastmodified import (
    committed_version,
    record_public_change,
    record_schedule_change,
    site_last_modified,
)

logger = logging.getLogger("irsite.http.pagecache")

GENERATION_KEY = "public:generation"
# A render holds its page's lock at most this long; others wait at most this long for it.
RENDER_LOCK_SECONDS = 10
RENDER_WAIT_SECONDS = 3.0
# Headers a cached copy does not repeat.
_NOT_STORED = {"expires", "set-cookie"}
# What describes a body, which a 304 has not.
_BODY_HEADERS = {"content-length", "content-type", "content-encoding", "content-language"}


def _cache():
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
    cache = _cache()
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
    cache = _cache()
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
        cached = _cache().get(key)
        # Stored with the go-live it is valid until (0: none), checked here, not by the TTL.
        if cached is not None and (cached[1] == 0 or now < cached[1]):
            return cached[0]
    value = site_last_modified(datetime.fromtimestamp(now, UTC))
    if generation:
        _cache().set(key, (value, go_live or 0), timeout=settings.IRSITE_PUBLIC_MAX_AGE)
    return value


def next_go_live(generation: str | None, now: float) -> float | None:
    """Epoch seconds of the next scheduled go-live after ``now``, cached per generation."""
    key = f"public:next-go-live:{generation}"
    if generation:
        cached = _cache().get(key)
        # 0 means "nothing scheduled"; a time that has passed means the next one is due.
        if cached is not None and (cached == 0 or cached > now):
            return cached or None
    go_live = schedule.next_go_live(datetime.fromtimestamp(now, UTC))
    value = go_live.timestamp() if go_live else 0
    if generation:
        _cache().set(key, value, timeout=settings.IRSITE_PUBLIC_MAX_AGE)
    return value or None


def expires_at(go_live: float | None, now: float) -> float:
    """Until when (epoch seconds) this server may keep a public response rendered at ``now``:
    the configured maximum, cut exactly at the next go-live (no header says so: shared caches
    are purged, see `irsite.http.frontcache`). Exact, not whole seconds: a copy rendered in the last
    second before a go-live serves everyone until that instant instead of every request
    rendering."""
    limit = now + settings.IRSITE_PUBLIC_MAX_AGE
    return limit if go_live is None else min(limit, go_live)


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    etag: str
    last_modified: int | None
    rendered_at: float
    expires_at: float
    go_live: float | None
    # The generation it was rendered in: one slot per URL, whose copy serves only that one.
    generation: str
    # Its headers as the response left the view's own decorators and the middleware inside
    # `PublicPageCacheMiddleware` (an X-Frame-Options a view allows, say): only such a copy is
    # answered early, where those do not run.
    whole: bool = False

    def is_fresh(self, now: float) -> bool:
        # rendered_at guards against a clock set back: the page may show what is not yet due.
        return self.rendered_at <= now < self.expires_at

    @classmethod
    def load(cls, stored: object) -> "CachedResponse | None":
        """Stored as a plain dict, so an entry written by another version of irsite is a miss."""
        try:
            return cls(**stored)  # type: ignore[arg-type]
        except TypeError:
            return None

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        return response


# Parameters a link carries for analytics (campaigns, ad clicks, newsletters), which no view
# reads: the page cache and the front cache (deploy/varnish/irsite.vcl) ignore them, so a link
# shared with them on results day is the bare URL's cache entry, not a render of its own.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref"})


def is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def canonical_query(query: QueryDict, reads: Collection[str] | None = None) -> str:
    """The parameters of ``query`` named in ``reads`` (None: every one but tracking ones), in
    one order: by name, each name's values as they came (their order may mean something)."""
    names = sorted(n for n in query if not is_tracking(n) and (reads is None or n in reads))
    return urlencode([(n, v) for n in names for v in query.getlist(n)])


def keep_only(request: HttpRequest, reads: Collection[str]) -> None:
    """The view sees the parameters it reads and nothing else, in canonical order: its page
    then depends on them alone, so it may be stored under them (`_key`) and served to every URL
    that differs only by others; no other parameter can change what it shows."""
    query = canonical_query(request.GET, reads)
    if query != request.META.get("QUERY_STRING", ""):
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query


def _key(request: HttpRequest) -> str:
    """One slot per page, whatever the generation: a hit reads the generation's token and the
    page in one round trip (the copy says which generation it belongs to). The page is its
    path and its parameters but tracking ones, in canonical order; in `serve_public` only
    those the view reads are left (`keep_only`), so a URL with parameters the view ignores is
    the same slot. The early middleware, which does not know the view, finds that slot
    whenever the URL has no parameter but the view's and tracking ones (else it leaves the
    request to `serve_public`, which finds it without rendering)."""
    query = canonical_query(request.GET)
    url = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
    return f"public:page:{hashlib.sha256(url.encode()).hexdigest()}"


def _look_up(
    request: HttpRequest, *, only_a_stored_page: bool = False
) -> tuple[str, str | None, "CachedResponse | None"]:
    """The page's slot, the current generation and the slot's copy if it belongs to that
    generation (waited for if it is a moment ahead: `_ripe`): the generation's token and the
    slot read in one round trip. ``only_a_stored_page``: with the slot empty the generation is
    not asked for (its count of changes is a database read), and is None."""
    key = _key(request)
    found = _cache().get_many([GENERATION_KEY, key])
    stored = CachedResponse.load(found.get(key))
    if stored is None and only_a_stored_page:
        return key, None, None
    generation = current_generation(found.get(GENERATION_KEY))
    entry = _ripe(_current(stored, generation)) if generation is not None else None
    return key, generation, entry


def _current(entry: "CachedResponse | None", generation: str) -> "CachedResponse | None":
    """``entry`` if it belongs to ``generation`` (else it is an older state's copy)."""
    return entry if entry is not None and entry.generation == generation else None


def _finish(
    request: HttpRequest, response: HttpResponse, etag: str | None, last_modified: int | None
) -> HttpResponse:
    # Conditional requests are answered last, so that a 304 carries the same headers.
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    assert answer is not None  # given a response, it answers one
    return answer


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
    key, generation, entry = _look_up(request) if use_cache else (None, None, None)
    if generation is None:
        key = None  # the cache is down: render, and keep nothing
    if key and generation:
        if entry is None or not entry.is_fresh(now):
            # Single flight: one request per page and generation renders, across processes
            # and servers; the others wait briefly for its copy (at go-live, every page at once).
            lock = f"{key}:{generation}:rendering"
            if _cache().add(lock, 1, timeout=RENDER_LOCK_SECONDS):
                try:
                    # Another render may have stored its copy and let go of the lock between
                    # this request's miss and its taking the lock: look once more.
                    stored = CachedResponse.load(_cache().get(key))
                    entry = _ripe(_current(stored, generation))
                    if entry is None or not entry.is_fresh(clock.epoch()):
                        return _render(request, respond, generation, key, now)
                finally:
                    _cache().delete(lock)
            else:
                entry = _wait_for(key, lock, generation)
        if entry is not None and entry.is_fresh(clock.epoch()):
            response = entry.response()
            if not entry.whole:  # the middleware completes it from this answer
                response.irsite_stored = (key, entry)  # type: ignore[attr-defined]
            return _finish(request, response, entry.etag, entry.last_modified)
    return _render(request, respond, generation, key, now)


# Processes estimate the database's time each to within a few milliseconds of the others
# (irsite.clock). A copy another process rendered a moment "later" than this one's clock is
# waited for, never served early and never rendered again: at a go-live second, every page at
# once, one render each.
NEAR_FUTURE_SECONDS = 0.25


def _ripe(entry: "CachedResponse | None") -> "CachedResponse | None":
    """``entry``, once this process's clock has reached the moment it was rendered at."""
    if entry is not None and 0 < (ahead := entry.rendered_at - clock.epoch()) < NEAR_FUTURE_SECONDS:
        time.sleep(ahead)
    return entry


def _wait_for(key: str, lock: str, generation: str) -> "CachedResponse | None":
    """The copy another request is rendering, once stored; None if that request ends without
    storing one (a 404, a page about to go stale) or takes longer than RENDER_WAIT_SECONDS."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.01)
        found = _cache().get_many([key, lock])
        entry = _ripe(_current(CachedResponse.load(found.get(key)), generation))
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
                if name.lower() not in _NOT_STORED
            ),
            content=content,
            etag=etag,
            last_modified=last_modified,
            rendered_at=now,
            expires_at=until,
            go_live=go_live,
            generation=generation,
        )
        _cache().set(key, asdict(entry), timeout=math.ceil(until - clock.epoch()))
        response.irsite_stored = (key, entry)  # type: ignore[attr-defined]
    return _finish(request, response, etag, last_modified)


class PublicPageCacheMiddleware:
    """Answers an anonymous GET of a public page whose copy is current from the shared page
    cache before sessions, CSRF, authentication, messages and URL resolution run: the same
    copy, under the same checks, that `serve_public` answers with further in (one cache layer,
    consulted early, as Django's own cache middleware is). Anything else (a miss, a copy from
    another generation or past its go-live, a request with a session cookie, which may be
    a signed-in user's and must be marked private) takes the full path, where `serve_public`
    renders once per page and generation.

    Sits inside the Content-Security-Policy and X-Frame-Options middleware, so an early answer
    leaves with the same headers as one from the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            settings.IRSITE_PAGE_CACHE
            and request.method in {"GET", "HEAD"}
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not replicas.aliases()  # a replica's pages are kept apart, by snapshot
        ):
            # No copy (a URL no public view answers, /healthz): nothing else is asked.
            _, _, entry = _look_up(request, only_a_stored_page=True)
            if entry is not None and entry.whole and entry.is_fresh(clock.epoch()):
                answer = _finish(request, entry.response(), entry.etag, entry.last_modified)
                if answer.status_code == 304:
                    # Django's 304 keeps only the validators and caching headers; the
                    # full path's carries what the view's decorators added (a frame's
                    # X-Frame-Options), which the middleware outside would otherwise
                    # replace with its default and block the revalidated frame.
                    for name, value in entry.headers:
                        if name.lower() not in _BODY_HEADERS and name not in answer:
                            answer.headers[name] = value
                return answer
        response = self.get_response(request)
        if stored_now := getattr(response, "irsite_stored", None):
            self._keep_whole(response, *stored_now)
        return response

    @staticmethod
    def _keep_whole(response: HttpResponseBase, key: str, entry: "CachedResponse") -> None:
        """The copy just stored, with the headers the response has here (once per render)."""
        if response.status_code != 200:
            return  # a 304 to this request: its own headers are not the page's
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _NOT_STORED
        )
        whole = replace(entry, headers=headers, whole=True)
        if (left := math.ceil(entry.expires_at - clock.epoch())) > 0:
            _cache().set(key, asdict(whole), timeout=left)


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
