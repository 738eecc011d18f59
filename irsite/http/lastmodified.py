"""Last-Modified that moves forward whenever the bytes of a public page may have changed.

A public page changes only through a committed action (publication, correction, withdrawal,
company, contact or category edit) or when a scheduled release's go-live second passes. Each
action records, in its own transaction, a new Last-Modified second for the site
(`PublicChange`), strictly greater than every second given before: the second of the change,
or one more than the last one if two changes (or a change and a go-live) fall in the same
second. A go-live that passes after the last action counts as a change of its own. Every
public page's Last-Modified is at least this value, so a reader that sends only
If-Modified-Since (RFC 9110 §13.1.3) gets 304 only while nothing public changed since it read
the page; scheduling a release changes nothing public and records nothing.

HTTP dates have one-second resolution, so two changes within one second move the value up to
a second ahead of the clock; the alternative is a 304 for changed bytes.
"""

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.apps import apps

from irsite import clock

from . import schedule

if TYPE_CHECKING:
    from .models import PublicChange


def _model() -> type["PublicChange"]:
    # Looked up when used: Django imports this package (an app) before its models may load, and
    # the package's __init__ re-exports the layer, this module included.
    return apps.get_model("irsite_http", "PublicChange")


def _latest_go_live(now: datetime) -> int:
    """Epoch second of the newest publication time that has passed (0 if none)."""
    latest = schedule.latest_go_live(now)
    return int(latest.timestamp()) if latest else 0


def _locked_row() -> "PublicChange":
    """The one row, locked for this transaction (created if a flush removed it)."""
    row = _model().objects.select_for_update().filter(pk=1).first()
    if row is None:
        _model().objects.get_or_create(
            pk=1, defaults={"changed_at": datetime.fromtimestamp(0, UTC), "last_modified": 0}
        )
        row = _model().objects.select_for_update().get(pk=1)
    return row


def record_public_change() -> None:
    """In the transaction of an action that changes what the public sees."""
    now = clock.now()
    row = _locked_row()
    previous = site_last_modified(now, row)
    row.last_modified = max(math.floor(now.timestamp()), previous + 1)
    row.changed_at = now
    row.version += 1
    row.save()


def record_schedule_change() -> None:
    """In the transaction of a change of the schedule only: no validator moves."""
    row = _locked_row()
    row.version += 1
    row.save(update_fields=["version"])


def committed_version() -> str:
    """The committed state, as part of the page cache's generation: the count of changes and
    the time of the last public change. The time makes it unique to this database's history:
    a count alone starts again at 0 in a new or restored database, and would find the pages a
    shared Redis still keeps from another database at the same count."""
    row = _model().objects.filter(pk=1).values_list("version", "changed_at").first()
    if row is None:
        return "0"
    version, changed_at = row
    return f"{version}-{int(changed_at.timestamp() * 1_000_000)}"


def site_last_modified(now: datetime, row: "PublicChange | None" = None) -> int:
    """The Last-Modified second of the site's public state at ``now`` (epoch seconds), from
    ``row`` (locked by the caller) or from the stored state."""
    if row is None:
        row = _model().objects.filter(pk=1).first()
    if row is None:
        return _latest_go_live(now)  # no change recorded yet (a new or flushed database)
    return _last_modified(row.changed_at, row.last_modified, _latest_go_live(now))


def _last_modified(changed_at: datetime, last_modified: int, go_live: int) -> int:
    if go_live > changed_at.timestamp():
        # A go-live after the last action: a new state, past the action's second.
        return max(go_live, last_modified + 1)
    return last_modified
