"""The site-wide HTTP layer: how a public answer is cached, validated, purged and served.

Every app's public views go through it; it imports no app. Direction: apps (their views, actions
and worker tasks) use ``irsite.http``; ``irsite.http`` uses Django and the registered schedules
(`irsite.http.schedule`), never an app's models.

Two cache layers, no more (docs/deployment.md, "A request's path"):

- the **front cache** (Varnish, a CDN): keeps each public answer ``IRSITE_PUBLIC_MAX_AGE``
  seconds by the one constant policy, and is purged by surrogate key at every change and at every
  go-live second (`frontcache`);
- the **page cache** in Redis, shared by every app server: entries keyed by a generation that
  every change replaces, each kept no later than the next go-live, one render per page and
  generation across servers, strong ETags and conditional GET (`pagecache`).

Last-Modified moves forward with every committed change and every go-live (`lastmodified`);
files are answered with ranges and validators like pages, and 503 when the storage fails
(`files`); what is not public is marked private (`private`); Redis failing never fails a page
(`redis`).
"""

from .files import StoredFile, file_response, serve_file, storage_guarded
from .frontcache import ALL, LIST, PURGE_QUEUE, enqueue_purge, mark_public, path_key
from .pagecache import (
    cache_publicly,
    invalidate_public_pages,
    public_pages_changed,
    schedule_changed,
    serve_public,
    site_changed,
)
from .private import mark_private
from .schedule import Schedule
from .schedule import register as register_schedule

__all__ = [
    "ALL",
    "LIST",
    "PURGE_QUEUE",
    "Schedule",
    "StoredFile",
    "cache_publicly",
    "enqueue_purge",
    "file_response",
    "invalidate_public_pages",
    "mark_private",
    "mark_public",
    "path_key",
    "public_pages_changed",
    "register_schedule",
    "schedule_changed",
    "serve_file",
    "serve_public",
    "site_changed",
    "storage_guarded",
]
