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

from .entries import CachedResponse, canonical_query, is_tracking, keep_only
from .generation import (
    current_generation,
    expires_at,
    forget_committed_version,
    invalidate_public_pages,
    next_go_live,
    public_pages_changed,
    schedule_changed,
    site_changed,
)
from .middleware import PublicPageCacheMiddleware
from .serving import cache_publicly, serve_public

__all__ = [
    "CachedResponse",
    "PublicPageCacheMiddleware",
    "cache_publicly",
    "canonical_query",
    "current_generation",
    "expires_at",
    "forget_committed_version",
    "invalidate_public_pages",
    "is_tracking",
    "keep_only",
    "next_go_live",
    "public_pages_changed",
    "schedule_changed",
    "serve_public",
    "site_changed",
]
