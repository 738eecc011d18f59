"""Read replicas: public pages read from a streaming replica, everything else from the primary.

``DATABASE_REPLICA_URLS`` (settings.py) adds one database alias per replica (``replica_0``,
``replica_1`` ...) and `ReplicaRouter`. Which reads may go to a replica is decided per request,
by the view, not by the URL:

- **Replica-eligible**: an anonymous (no session cookie) GET or HEAD answered by a view declared
  public, i.e. wrapped by ``irsite.http.cache_publicly`` (pages, lists, feeds, the sitemap),
  which enters `pinned()` around the whole answer, the page cache's lookups included.
- **Primary**: everything else, with nothing to declare: the admin, previews and share links
  (private views), files rendered on demand (the PDF and attachments go through
  ``serve_public`` without ``cache_publicly``: a PDF missing from storage is rendered and
  stored), a signed-in user's pages (an editor sees what was just saved), the worker and its
  tasks, management commands and shells, every write (`ReplicaRouter.db_for_write`), and every
  read after a write in the same request.

Opt-in by view, not a list of URL prefixes to keep off the replica: a new view that writes or
must be exact is on the primary unless someone declares it public.

**One snapshot per page.** `pinned()` picks ONE replica for the request and opens a read-only
REPEATABLE READ transaction on it: every query of the page (the page cache's count of changes,
the release, its neighbours, the lists) sees the same replayed state, never two replicas or two
moments of one. The page cache keys its entries by the count of changes read in that snapshot
(`irsite.http.pagecache.current_generation`), so a page rendered from a replica that is behind
is stored under the old count and never served to a request that reads the new one.

**Lag guard.** Each process measures each replica at most every
``DATABASE_REPLICA_CHECK_SECONDS`` (1 s): the primary's WAL position and time
(``pg_current_wal_lsn()``, ``statement_timestamp()``), then the replica's replayed position and
the commit time of the last transaction it replayed (``pg_last_wal_replay_lsn()``,
``pg_last_xact_replay_timestamp()``). A replica that has replayed everything the primary had
written is 0 s behind; otherwise it is behind by the primary's time minus its last replayed
commit's (both the primary's clock: no host clock enters). A replica further behind than
``DATABASE_REPLICA_MAX_LAG`` (1 s), or that does not answer (tried again after
RETRY_FAILED_AFTER, 10 s), serves no reads until a later check finds it back in bound; with none
left, public reads go to the primary.

**Purges after replay.** `wait_for_replay` is what the front-cache purge calls before it purges
(`irsite.http.frontcache.run_purge`): a purge that reached Varnish while a replica still had
the old rows would let Varnish refetch the old page, and keep it for s-maxage.
"""

import contextlib
import contextvars
import logging
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction

logger = logging.getLogger("irsite.replicas")

PRIMARY = "default"
# The alias of the replica this request reads from, None for the primary.
_pinned: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica", default=None)


def aliases() -> list[str]:
    """The configured replicas' database aliases (none without DATABASE_REPLICA_URLS)."""
    return list(getattr(settings, "DATABASE_REPLICAS", []))


class ReplicaRouter:
    """Reads go to the replica this request is pinned to (`pinned`), everything else to the
    primary. A write unpins the rest of the request: what it reads next must see the write."""

    def db_for_read(self, model, **hints) -> str:
        return _pinned.get() or PRIMARY

    def db_for_write(self, model, **hints) -> str:
        if _pinned.get() is not None:
            logger.warning(
                "A write in a replica-read request (%s): the rest reads the primary", model
            )
            _pinned.set(None)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, replayed: an object from a replica is the primary's row

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY  # a replica is read-only: it gets the schema by replay


# --- the lag guard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    lag: float  # seconds behind the primary; inf when unknown or unreachable
    at: float  # monotonic time of the check
    failed: bool = False  # the replica did not answer


# A replica that did not answer is tried again after this long, not at every check: one that
# drops packets costs a request its connect timeout (2 s) per try.
RETRY_FAILED_AFTER = 10.0


_checks: dict[str, Check] = {}
_lock = threading.Lock()


def primary_position() -> tuple[str, float]:
    """The primary's WAL write position and its time (epoch seconds)."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_wal_lsn()::text, extract(epoch FROM statement_timestamp())"
        )
        lsn, at = cursor.fetchone()
    return lsn, float(at)


def _replayed(alias: str, lsn: str) -> tuple[bool, float | None]:
    """Whether ``alias`` has replayed the WAL up to ``lsn``, and its last replayed commit's
    time (epoch seconds; None if it has replayed none since it started)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn,"
            " extract(epoch FROM pg_last_xact_replay_timestamp())",
            [lsn],
        )
        done, at = cursor.fetchone()
    return bool(done), None if at is None else float(at)


def measure(alias: str) -> Check:
    """How far ``alias`` is behind the primary now (inf when unknown or unreachable)."""
    try:
        lsn, now = primary_position()
        done, replayed_at = _replayed(alias, lsn)
    except DatabaseError as error:
        logger.warning("Replica %s does not answer: %s", alias, error)
        connections[alias].close()
        return Check(lag=float("inf"), at=time.monotonic(), failed=True)
    if done:
        return Check(lag=0.0, at=time.monotonic())
    if replayed_at is None:  # behind, and nothing replayed since it started: unknown
        return Check(lag=float("inf"), at=time.monotonic())
    return Check(lag=max(0.0, now - replayed_at), at=time.monotonic())


def lag(alias: str) -> float:
    """``alias``'s lag as last measured by this process, measured again when older than
    ``DATABASE_REPLICA_CHECK_SECONDS``."""
    now = time.monotonic()
    with _lock:
        last = _checks.get(alias)
    every = RETRY_FAILED_AFTER if last and last.failed else settings.DATABASE_REPLICA_CHECK_SECONDS
    if last is None or not 0 <= now - last.at < every:
        last = measure(alias)
        with _lock:
            _checks[alias] = last
        if last.lag > settings.DATABASE_REPLICA_MAX_LAG:
            logger.warning(
                "Replica %s is %.2f s behind (limit %g s): public reads avoid it",
                alias,
                last.lag,
                settings.DATABASE_REPLICA_MAX_LAG,
            )
    return last.lag


def usable() -> list[str]:
    """The replicas in bound, as this process last measured them."""
    return [a for a in aliases() if lag(a) <= settings.DATABASE_REPLICA_MAX_LAG]


def forget() -> None:
    """Measure every replica again on next use (tests)."""
    with _lock:
        _checks.clear()


# --- one replica, one snapshot, per request -------------------------------------------------


def current() -> str | None:
    """The replica this request reads from, None for the primary."""
    return _pinned.get()


@contextlib.contextmanager
def pinned() -> Iterator[str | None]:
    """Read everything inside from ONE replica in bound, in one read-only snapshot; from the
    primary (as without replicas) when none is configured or in bound. Yields the alias."""
    if _pinned.get() is not None or not aliases():
        yield _pinned.get()
        return
    choices = usable()
    if not choices:
        yield None
        return
    alias = random.choice(choices)  # noqa: S311 - spreading load, not a secret
    snapshot = transaction.atomic(using=alias)
    try:
        snapshot.__enter__()  # connects first: a replica down fails here, having changed nothing
    except DatabaseError as error:
        _fall_back(alias, error)
        yield None
        return
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    except DatabaseError as error:
        with contextlib.suppress(DatabaseError):
            snapshot.__exit__(type(error), error, error.__traceback__)
        _fall_back(alias, error)
        yield None
        return
    token = _pinned.set(alias)
    try:
        yield alias
    except BaseException as error:
        _pinned.reset(token)
        if isinstance(error, OperationalError | InterfaceError):
            # The replica failed under this request (gone, or a replay conflict cancelled the
            # query): this request fails as it would on the primary; later ones skip it until
            # the next check.
            with _lock:
                _checks[alias] = Check(lag=float("inf"), at=time.monotonic())
        with contextlib.suppress(DatabaseError):
            snapshot.__exit__(type(error), error, error.__traceback__)
        raise
    _pinned.reset(token)
    try:
        snapshot.__exit__(None, None, None)
    except DatabaseError as error:
        # The page is read: a read-only transaction that cannot end loses nothing.
        logger.warning("Replica %s failed at the end of a read (%s)", alias, error)
        connections[alias].close()


def _fall_back(alias: str, error: Exception) -> None:
    """``alias`` failed before this request read anything: the request reads the primary, and
    the replica is tried again after RETRY_FAILED_AFTER."""
    logger.warning("Replica %s failed (%s): reading the primary", alias, error)
    with _lock:
        _checks[alias] = Check(lag=float("inf"), at=time.monotonic(), failed=True)
    connections[alias].close()


# --- purges after replay --------------------------------------------------------------------


def behind(lsn: str) -> list[str]:
    """The replicas that have not replayed the primary's WAL up to ``lsn`` (or do not answer:
    the caller says which, `irsite.http.frontcache.run_purge`)."""
    late = []
    for alias in aliases():
        try:
            done, _ = _replayed(alias, lsn)
        except DatabaseError as error:
            logger.debug("Replica %s does not answer: %s", alias, error)
            connections[alias].close()
            done = False
        if not done:
            late.append(alias)
    return late


def wait_for_replay(lsn: str, seconds: float) -> list[str]:
    """Wait until every replica has replayed up to ``lsn``, at most ``seconds``; the replicas
    still behind then (empty: all caught up)."""
    deadline = time.monotonic() + seconds
    while (late := behind(lsn)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return late
