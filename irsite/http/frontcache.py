"""The front cache (Varnish, a CDN): what public responses tell it, and how the site purges it.

Every public response says the same thing to caches, whatever is scheduled: shared caches may
keep it ``IRSITE_PUBLIC_MAX_AGE`` seconds (``s-maxage``), browsers revalidate each time
(``max-age=0``, with the ETag and Last-Modified). Correctness at a go-live, a correction or a
withdrawal rests on purges, which the site sends itself (RFC 9111 §5.2.2.10 for s-maxage).

Each public response carries surrogate keys in ``Surrogate-Key`` (space-separated, Fastly's
header; the VCL in ``deploy/varnish/`` copies it to xkey's header and strips both before
delivery):

- ``all`` on every public response (company, contacts and categories print on every page);
- ``list`` on every public response but an item's own page (the views named in
  ``IRSITE_EDGE_ITEM_VIEWS``: a release's page): lists, feeds, archives, search, the sitemap and
  the home page change with every go-live, correction and withdrawal;
- the path asked, on every one, 404s included, added by the front cache (not sent by the site,
  so two URLs that answer alike get the same headers): a release's URL, its old slugs' URLs and
  its neighbours' pages (their "previous"/"next" links) are purged by their paths. The front
  cache gives each path one spelling first (the VCL decodes what the app's server decodes:
  unreserved percent-encodings and ``%2F``), so every spelling of a URL carries the key its
  purge names.

No key names a release or depends on what is scheduled: each is a function of the URL asked.

Purges are tasks (django-tasks, database backend) enqueued in the transaction of the change,
so a committed change always has its purge waiting; a go-live's purge is enqueued at
publication with ``run_after`` at the go-live second, and the worker runs it then, never
before. They go on a queue of their own (``PURGE_QUEUE``), which every worker serves on a lane
of its own, so a purge runs at its second whatever else the worker is doing.
A purge that fails is logged and enqueued again after a growing delay: a release may
be late at the edge, never early. What a change of one item shows on (its page, old slugs,
neighbours) is for its app to say: `releases.purges`.
"""

import http.client
import logging
import time
import urllib.parse
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string
from django_tasks import task

from irsite import clock, replicas

logger = logging.getLogger("irsite.edge")

ALL = "all"
LIST = "list"
KEY_HEADER = "Surrogate-Key"
# The queue of every purge: a worker serves it on a lane of its own (`run_worker`), so a purge
# never waits behind other work (an alert batch being planned or sent, a PDF rendition).
PURGE_QUEUE = "purge"
# Seconds between a change's two purges: longer than a page takes to render and be stored.
SECOND_PURGE_AFTER = 3
# A failed purge is tried again after 1, 2, 4 ... seconds, at most a minute apart.
MAX_RETRY_DELAY = 60

# Any response, a streamed file's too; it is returned as it came.
_Response = TypeVar("_Response", bound=HttpResponseBase)


def path_key(path: str) -> str:
    """The surrogate key of every response for ``path`` (the query string is not part of it):
    the path itself, which the front cache adds to the keys it indexes (the VCL does), so that
    no response header differs between two URLs that answer alike."""
    return path


def mark_public(request: HttpRequest, response: _Response) -> _Response:
    """Give a public response (any status below 500) the one caching policy and its keys."""
    response.headers.pop("Cache-Control", None)
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        must_revalidate=True,
        s_maxage=settings.IRSITE_PUBLIC_MAX_AGE,
    )
    keys = [ALL]
    match = request.resolver_match
    if match is None or match.view_name not in settings.IRSITE_EDGE_ITEM_VIEWS:
        keys.append(LIST)
    response.headers[KEY_HEADER] = " ".join(keys)
    return response


# --- purging ----------------------------------------------------------------------------------


class PurgeFailed(Exception):
    pass


class Purger(Protocol):
    """Removes every cached response carrying any of ``keys`` from a front cache; raises
    `PurgeFailed` if it cannot say that it did."""

    def purge(self, keys: Sequence[str]) -> None: ...


class VarnishPurger:
    """Varnish with varnish-modules' xkey (deploy/varnish/irsite.vcl): one ``PURGE`` request
    per Varnish, the keys in ``xkey-purge``; only a 200 counts."""

    def __init__(self, urls: Sequence[str], timeout: float = 2.0) -> None:
        self.urls = list(urls)
        self.timeout = timeout

    def purge(self, keys: Sequence[str]) -> None:
        failures = []
        for url in self.urls:
            parts = urllib.parse.urlsplit(url)
            if parts.hostname is None:  # e.g. "varnish:6081", without "http://"
                failures.append(f"{url}: no host in the URL")
                continue
            conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, self.timeout)
            try:
                conn.request("PURGE", parts.path or "/", headers={"xkey-purge": " ".join(keys)})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{url}: HTTP {response.status}")
            except OSError as error:
                failures.append(f"{url}: {type(error).__name__}: {error}")
            finally:
                conn.close()
        if failures:
            raise PurgeFailed("; ".join(failures))


def purger() -> Purger | None:
    """The configured front cache (``IRSITE_EDGE_PURGER`` with ``IRSITE_EDGE_PURGE_URLS``), or
    None when the site runs without one."""
    if not settings.IRSITE_EDGE_PURGE_URLS:
        return None
    return import_string(settings.IRSITE_EDGE_PURGER)(settings.IRSITE_EDGE_PURGE_URLS)


@task(queue_name=PURGE_QUEUE)
def purge_front_cache(
    keys: list[str],
    attempt: int = 1,
    not_before: float | None = None,
    replay_lsn: str | None = None,
    follow_up: int = 0,
) -> str:
    """The worker's purge of ``keys`` (`run_purge`), not before ``not_before`` (epoch seconds
    by the database's clock); ``replay_lsn`` and ``follow_up``: a purge again once every
    replica has replayed the primary's WAL up to that position."""
    if early := wait_for_second(purge_front_cache, not_before, keys=keys, attempt=attempt):
        return early
    return run_purge(keys, attempt, replay_lsn=replay_lsn, follow_up=follow_up)


# A task found early by up to this much waits for its second where it is; earlier, it is
# enqueued again for it (a worker thread is not held for long).
WAIT_AT_MOST = 30.0


def wait_for_second(task_, not_before: float | None, **kwargs) -> str:
    """A task enqueued for a second (a go-live's purge) is taken when the database's clock says
    so (`irsite.worker.due`); this second guard holds one taken early all the same (a task
    queued by hand, a worker of an older release during a deploy): by the database's clock it
    waits for that second (or is enqueued again for it); "" when it may run now."""
    if not_before is None:
        return ""
    while (early := not_before - clock.epoch()) > 0:
        if early > WAIT_AT_MOST:
            at = datetime.fromtimestamp(not_before, UTC)
            task_.using(run_after=at).enqueue(not_before=not_before, **kwargs)
            return f"early by {early:.2f} s: enqueued again for its second"
        logger.warning("A task due at its second came %.2f s early by the database's clock", early)
        time.sleep(min(early, 1.0))
    return ""


def enqueue_purge(keys: Sequence[str], at: datetime | None = None) -> None:
    """In the transaction of a change: purge ``keys`` once it commits, or at ``at`` (a go-live)
    if that is later. Enqueued whatever this process's settings say: the worker, which holds
    the front cache's address, decides (a change made by a command or a shell would otherwise
    never be purged)."""
    for when in purge_moments(at):
        # not_before: the same second, as releases' purges carry it (`wait_for_second`).
        purge_front_cache.using(run_after=when).enqueue(
            keys=list(keys), not_before=when.timestamp()
        )


def purge_moments(at: datetime | None = None) -> tuple[datetime, datetime]:
    """When a change's two purges run: once it commits, or at ``at`` (a go-live) if that is
    later, and SECOND_PURGE_AFTER after it: a page rendered from the rows as they were just
    before may reach the cache after the first purge; the second one removes it."""
    start = max(at or clock.now(), clock.now())
    return start, start + timedelta(seconds=SECOND_PURGE_AFTER)


# A purge waiting for a replica looks again this often: the front cache is purged this soon
# after the replica catches up (plus the worker's wake-up), at a task run per look; after
# FOLLOW_UPS_FAST looks (10 s), once a second.
FOLLOW_UP_EVERY = 0.25
FOLLOW_UPS_FAST = 40


def run_purge(
    keys: list[str], attempt: int, replay_lsn: str | None = None, follow_up: int = 0
) -> str:
    """The worker's side of a purge task: purge, or log and try again later.

    With read replicas (`irsite.replicas`), first wait, at most
    ``DATABASE_REPLICA_PURGE_WAIT``, until every replica has replayed the primary's WAL as it
    is now (the change that enqueued this purge committed before the worker could claim it, so
    its commit lies before that position): a purge that reached the front cache while a replica
    still had the old rows would let it refetch and keep the old page. A replica still behind
    then gets the purge now (the lag guard takes it off public reads once it is too far behind)
    AND a follow-up purge, a task that looks every FOLLOW_UP_EVERY seconds without holding the
    worker and purges once every replica has caught up: no purge is lost to a lagging replica,
    and the worker never waits on one for longer than the bound.
    """
    target = purger()
    if target is None:
        return "no front cache configured"
    late: list[str] = []
    if replicas.aliases():
        wait = 0.0 if follow_up else settings.DATABASE_REPLICA_PURGE_WAIT
        try:
            replay_lsn = replay_lsn or replicas.primary_position()[0]
        except DatabaseError as error:
            # No position to wait for: purge, and follow up at a position read later (later
            # than the change's commit, so waiting for it is waiting for the change).
            logger.warning("Front-cache purge: the primary's WAL position unknown (%s)", error)
            late = replicas.aliases()
        else:
            late = replicas.wait_for_replay(replay_lsn, wait)
        if late and follow_up:
            _follow_up(keys, replay_lsn, follow_up + 1)
            return f"{', '.join(late)} not yet at {replay_lsn}: looking again"
        if late:
            logger.warning(
                "Replica(s) %s had not replayed %s after %g s: purging %s now and again once "
                "they have",
                ", ".join(late),
                replay_lsn,
                wait,
                " ".join(keys),
            )
    try:
        target.purge(keys)
    except PurgeFailed as error:
        delay = min(MAX_RETRY_DELAY, 2 ** (attempt - 1))
        logger.warning(
            "Front-cache purge of %s failed (attempt %d): %s; trying again in %d s",
            " ".join(keys),
            attempt,
            error,
            delay,
        )
        # The retry waits for the same replay position (a follow-up's retry is the purge
        # after replay; a first run's, a first run).
        purge_front_cache.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(
            keys=keys, attempt=attempt + 1, replay_lsn=replay_lsn
        )
        return f"failed, retry {attempt + 1} in {delay} s"
    if late:
        _follow_up(keys, replay_lsn, 1)
        return f"purged {' '.join(keys)}; again once {', '.join(late)} replay {replay_lsn}"
    return f"purged {' '.join(keys)}"


def _follow_up(keys: list[str], replay_lsn: str | None, number: int) -> None:
    delay = FOLLOW_UP_EVERY if number <= FOLLOW_UPS_FAST else 1.0
    # The database's clock, as the worker compares run_after with it (`irsite.worker.due`).
    purge_front_cache.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(
        keys=keys, replay_lsn=replay_lsn, follow_up=number
    )
