"""What an event's announcement and every later public change of it set in motion.

Nothing runs at the announce second or the materials second to make anything public:
`EventQuerySet.public` and `materials_visible` show them from those seconds on. What the
approving action sets up, in its transaction, is what else they need:

1. the page cache: a future announcement replaces the generation (`schedule_changed`), so every
   cached page is capped at the next second registered by `events.apps` (announce, materials,
   an event's end, a replay's end); an announcement now invalidates every page;
2. Last-Modified: moves when those seconds pass (the registered schedule) or at once;
3. the front cache: every event URL carries the ``list`` surrogate key (none is an item view),
   so the worker purges ``list`` at the announce second and again at each later second at which
   the event's face changes by itself (its materials, its end, its replay's end), each twice
   (`irsite.http.frontcache.purge_moments`), never before its second by the database's clock
   (``not_before``). Varnish keeps a page ``IRSITE_PUBLIC_MAX_AGE``: without these, a replay
   link would stay there past its end.

An approved change (reschedule, postponement, cancellation, replay) changes what is public at
once: every cached page invalidated, the front cache purged now (and at a materials second the
change moved ahead, and at its end and its replay's end).
"""

from datetime import datetime

from irsite import clock
from irsite.http import LIST, public_pages_changed, schedule_changed
from irsite.http.frontcache import purge_front_cache, purge_moments

from ..models import Event


def enqueue_event_purge(at: datetime | None = None) -> None:
    """Purge every event URL (the ``list`` key) once the change commits, or at ``at``."""
    for when in purge_moments(at):
        purge_front_cache.using(run_after=when).enqueue(keys=[LIST], not_before=when.timestamp())


def _purge_at_later_seconds(event: Event) -> None:
    """A purge at each second still ahead at which ``event``'s pages change by themselves."""
    now = clock.now()
    moments = {event.materials_at, event.ends_at, event.replay_until}
    for moment in sorted(m for m in moments if m is not None and m > now):
        enqueue_event_purge(moment)


def event_goes_public(event: Event, at: datetime) -> None:
    """In the transaction that approves ``event`` to be announced at ``at`` (now or later)."""
    if at > clock.now():
        schedule_changed()
    else:
        public_pages_changed()
    enqueue_event_purge(at)
    _purge_at_later_seconds(event)


def public_event_changed(event: Event) -> None:
    """In the transaction of an approved change to a public event."""
    public_pages_changed()
    enqueue_event_purge()
    _purge_at_later_seconds(event)
