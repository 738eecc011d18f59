"""One clock for publication: the database's.

Every decision that something is public, due or too early (the publication rule, the next
go-live that caps the page cache, the alert batch and each delivery, the go-live purge) takes
its "now" from here, never from the process's own wall clock. Many app servers and workers
share one database; their own clocks may be seconds apart (a VM resumed from a pause, a
container without NTP), and one clock ahead would publish early.

How: the database's time is read (``SELECT statement_timestamp()``) and carried forward on this
process's *monotonic* clock, which no wall-clock step or skew moves; it is read again every
``IRSITE_CLOCK_CHECK_SECONDS`` (default 2). Between two readings the time given is the last
reading plus the monotonic time elapsed since: a monotonic clock that stalls (a paused VM) makes
it late, never early, until the next reading.

Each reading also measures the process's *skew*: its wall clock minus the database's. A skew
beyond ``IRSITE_CLOCK_MAX_SKEW`` (1 s) is logged as an error at every reading, `/healthz` reports
it (degraded), and the worker sends no e-mail while it lasts (`irsite.alerts.sending`).

SQLite is a file this process opens: its clock is this host's, so there the reading is the
process's own wall clock. ``IRSITE_CLOCK = "process"`` uses the process's wall clock everywhere:
the unit tests do (time-machine moves the process's clock; no library moves PostgreSQL's),
while the fault tests run real processes under faketime with the database's clock, as
production does.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import DateTimeField, Expression, Value
from django.utils import timezone

logger = logging.getLogger("irsite.clock")


@dataclass(frozen=True)
class Reading:
    """The database's time at one moment of this process's monotonic clock."""

    database: datetime
    monotonic: float
    # This process's wall clock minus the database's, when read (seconds; + is ahead).
    skew: float


_lock = threading.Lock()
_last: dict[str, Reading] = {}


def _read(alias: str) -> Reading:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        wall = timezone.now()
        return Reading(database=wall, monotonic=time.monotonic(), skew=0.0)
    before_wall = time.time()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        (at,) = cursor.fetchone()
    after_wall, after = time.time(), time.monotonic()
    # The statement's time lies between the two monotonic readings. Carried from the later
    # one, the time given is late by at most the round trip and never early; from the middle it
    # could be early by half the round trip, which a loaded machine stretches to tenths of a
    # second (a go-live's purge or e-mail sent before its second).
    skew = (before_wall + after_wall) / 2 - at.timestamp()
    reading = Reading(database=at.astimezone(UTC), monotonic=after, skew=skew)
    if abs(skew) > settings.IRSITE_CLOCK_MAX_SKEW:
        logger.error(
            "This process's clock is %+.2f s off the database's (limit %.1f s): publication "
            "decisions follow the database; e-mail alerts are held while it lasts.",
            skew,
            settings.IRSITE_CLOCK_MAX_SKEW,
        )
    return reading


def reading(alias: str | None = None, *, fresh: bool = False) -> Reading:
    """The current reading for ``alias`` (default: where the release model is read from),
    taken again when older than ``IRSITE_CLOCK_CHECK_SECONDS`` or when ``fresh``."""
    alias = alias or "default"
    now = time.monotonic()
    with _lock:
        last = _last.get(alias)
    if fresh or last is None or not 0 <= now - last.monotonic < settings.IRSITE_CLOCK_CHECK_SECONDS:
        last = _read(alias)
        with _lock:
            _last[alias] = last
    return last


# The instant a page is rendered at (`fixed`): every query of one render decides at it.
_fixed: ContextVar[datetime | None] = ContextVar("irsite_clock_fixed", default=None)


def now() -> datetime:
    """The database's time now (aware, UTC): THE "now" of every publication decision; inside
    `fixed`, the instant it fixed."""
    if (at := _fixed.get()) is not None:
        return at
    if settings.IRSITE_CLOCK == "process":
        return timezone.now()
    last = reading()
    return last.database + timedelta(seconds=max(0.0, time.monotonic() - last.monotonic))


@contextmanager
def fixed(at: datetime) -> Iterator[None]:
    """`now` is ``at`` in this block (this thread or task only): a page rendered at ``at``
    (`irsite.http.pagecache`) makes every decision of its render at that one instant, the one
    its stored copy's cap at the next go-live is computed from, however long it takes."""
    token = _fixed.set(at)
    try:
        yield
    finally:
        _fixed.reset(token)


class WhenRun(Expression):
    """`now()` read when the statement is compiled to run, not when its queryset was built: a
    queryset built once per process (`releases.public.views.public_page`) still decides at each
    render's instant. A query expression (Django's documented ``as_sql`` API) that compiles to
    that instant as a parameter."""

    def __init__(self) -> None:
        super().__init__(output_field=DateTimeField())

    def as_sql(self, compiler, connection):
        return compiler.compile(Value(now(), output_field=DateTimeField()))


def epoch() -> float:
    """`now()` as epoch seconds (the page cache's unit)."""
    return now().timestamp()


def skew() -> float:
    """This process's wall clock minus the database's, in seconds, as last read (0 with the
    process's own clock)."""
    if settings.IRSITE_CLOCK == "process":
        return 0.0
    return reading().skew


def in_bound() -> bool:
    """Whether this process's clock is within ``IRSITE_CLOCK_MAX_SKEW`` of the database's."""
    return abs(skew()) <= settings.IRSITE_CLOCK_MAX_SKEW


def forget() -> None:
    """Read the database's time again on next use (after a fork, in tests)."""
    with _lock:
        _last.clear()
