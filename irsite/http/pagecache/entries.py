"""A page's slot in the cache and the copy it holds: the key (path and the parameters a view
reads, never tracking ones), the stored response, and its lookup with the generation in one
round trip. See `irsite.http.pagecache`."""

import hashlib
import time
from collections.abc import Collection
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response
from django.utils.http import urlencode

from irsite import clock

from .generation import GENERATION_KEY, current_generation, page_cache

# Headers a cached copy does not repeat.
NOT_STORED = {"expires", "set-cookie"}
# What describes a body, which a 304 has not.
BODY_HEADERS = {"content-length", "content-type", "content-encoding", "content-language"}


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
    then depends on them alone, so it may be stored under them (`slot_key`) and served to every URL
    that differs only by others; no other parameter can change what it shows."""
    query = canonical_query(request.GET, reads)
    if query != request.META.get("QUERY_STRING", ""):
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query


def slot_key(request: HttpRequest) -> str:
    """One slot per page, whatever the generation: a hit reads the generation's token and the
    page in one round trip (the copy says which generation it belongs to). The page is its
    path and its parameters but tracking ones, in canonical order; in `serve_public` only
    those the view reads are left (`keep_only`), so a URL with parameters the view ignores is
    the same slot. The early middleware, which does not know the view, finds that slot
    whenever the URL has no parameter but the view's and tracking ones (else it leaves the
    request to `serve_public`, which finds it without rendering).

    The path is the one the app server gave, as it is: `build_absolute_uri` resolved "." and
    ".." segments and read "//host/..." as another host, so `/news/x/../2026/…/slug/` found
    the release's copy (200) where URL resolution answers 404, and a front cache kept that
    page under a path no purge names."""
    query = canonical_query(request.GET)
    url = f"{request.scheme}://{request.get_host()}{request.path}"
    url += f"?{query}" if query else ""
    return f"public:page:{hashlib.sha256(url.encode()).hexdigest()}"


def look_up(
    request: HttpRequest, *, only_a_stored_page: bool = False
) -> tuple[str, str | None, "CachedResponse | None"]:
    """The page's slot, the current generation and the slot's copy if it belongs to that
    generation (waited for if it is a moment ahead: `ripe`): the generation's token and the
    slot read in one round trip. ``only_a_stored_page``: with the slot empty the generation is
    not asked for (its count of changes is a database read), and is None."""
    key = slot_key(request)
    found = page_cache().get_many([GENERATION_KEY, key])
    stored = CachedResponse.load(found.get(key))
    if stored is None and only_a_stored_page:
        return key, None, None
    generation = current_generation(found.get(GENERATION_KEY))
    entry = ripe(current(stored, generation)) if generation is not None else None
    return key, generation, entry


def current(entry: "CachedResponse | None", generation: str) -> "CachedResponse | None":
    """``entry`` if it belongs to ``generation`` (else it is an older state's copy)."""
    return entry if entry is not None and entry.generation == generation else None


# Processes estimate the database's time each to within a few milliseconds of the others
# (irsite.clock). A copy another process rendered a moment "later" than this one's clock is
# waited for, never served early and never rendered again: at a go-live second, every page at
# once, one render each.
NEAR_FUTURE_SECONDS = 0.25


def ripe(entry: "CachedResponse | None") -> "CachedResponse | None":
    """``entry``, once this process's clock has reached the moment it was rendered at."""
    if entry is not None and 0 < (ahead := entry.rendered_at - clock.epoch()) < NEAR_FUTURE_SECONDS:
        time.sleep(ahead)
    return entry


def finish(
    request: HttpRequest, response: HttpResponse, etag: str | None, last_modified: int | None
) -> HttpResponse:
    # Conditional requests are answered last, so that a 304 carries the same headers.
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    assert answer is not None  # given a response, it answers one
    return answer
