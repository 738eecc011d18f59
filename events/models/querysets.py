"""THE publication rule of events (`EventQuerySet.public`) and THE rule of their materials
(`EventQuerySet.with_materials`, `materials_visible`), in the shape of `ReleaseQuerySet.public`:
evaluated at query time against the database's clock (`irsite.clock`), with no job flipping a
flag at either second.

An event has two seconds of its own:

- ``announce_at``: from it on the event is public (its page, calendar files, feeds, sitemap);
  before it nothing of it is, on any surface;
- ``materials_at`` (later, or blank for "with the announcement"): from it on the webcast URL,
  the dial-in and the documents (slides, transcript, supplementary files) are shown and served;
  before it no surface, file URL, calendar file, feed or JSON-LD carries them.
"""

import functools
from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Max, Min, Q, Value
from django.db.models.functions import Coalesce

from irsite import clock
from releases.models import State, Status

if TYPE_CHECKING:
    from .event import Event


def materials_visible(event: "Event", now: datetime | None = None) -> bool:
    """Whether ``event``'s materials are public at ``now``: the one test every page, file,
    calendar file, feed and JSON-LD block asks (`Event.materials_visible` is this). The
    queryset form of the same rule is `EventQuerySet.with_materials`."""
    now = now or clock.now()
    if event.status != Status.PUBLISHED or event.announce_at is None or event.announce_at > now:
        return False
    return (event.materials_at or event.announce_at) <= now


class EventQuerySet(models.QuerySet["Event"]):
    def public(self, now: "datetime | clock.WhenRun | None" = None) -> "EventQuerySet":
        """Events readers may see: published, and their announce second has come."""
        return self.filter(status=Status.PUBLISHED, announce_at__lte=now or clock.now())

    def with_materials(self, now: datetime | None = None) -> "EventQuerySet":
        """Public events whose materials (webcast, dial-in, documents) are public too."""
        now = now or clock.now()
        return self.public(now).filter(Q(materials_at__isnull=True) | Q(materials_at__lte=now))

    def scheduled(self, now: datetime | None = None) -> "EventQuerySet":
        """Approved, with an announce second still ahead."""
        return self.filter(status=Status.PUBLISHED, announce_at__gt=now or clock.now())

    def in_state(self, state: str, now: datetime | None = None) -> "EventQuerySet":
        if state == State.LIVE:
            return self.public(now)
        if state == State.SCHEDULED:
            return self.scheduled(now)
        return self.filter(status=state)

    def upcoming(self, now: datetime | None = None) -> "EventQuerySet":
        """Not yet over (``ends_at`` ahead), soonest first."""
        return self.filter(ends_at__gt=now or clock.now()).order_by("starts_at", "pk")

    def past(self, now: datetime | None = None) -> "EventQuerySet":
        """Over, the latest first."""
        return self.filter(ends_at__lte=now or clock.now()).order_by("-starts_at", "-pk")

    # --- the seconds at which what readers see of events changes by itself ----------------
    # Registered with `irsite.http.schedule` (events/apps.py): the page cache keeps no copy past
    # the next one and the site's Last-Modified moves at each. Besides the two seconds above,
    # an event's end moves it from "upcoming" to "past" and its replay's end takes the replay
    # link off its page.

    def next_change(self, now: datetime | None = None) -> datetime | None:
        """The first second strictly after ``now`` at which a published event's public face
        changes by itself."""
        now = now or clock.now()
        published = self.filter(status=Status.PUBLISHED).order_by()
        found = published.aggregate(
            announce=Min("announce_at", filter=Q(announce_at__gt=now)),
            materials=Min("materials_at", filter=Q(materials_at__gt=now)),
            ends=Min("ends_at", filter=Q(ends_at__gt=now)),
            replay=Min("replay_until", filter=Q(replay_until__gt=now)),
        )
        return min(filter(None, found.values()), default=None)

    def latest_change(self, now: "datetime | clock.WhenRun | None" = None) -> datetime | None:
        """The newest such second at or before ``now``, of public events."""
        return max(filter(None, self._latest_changes(now).values()), default=None)

    def _latest_changes(self, now: "datetime | clock.WhenRun | None") -> dict[str, datetime | None]:
        now = now or clock.now()
        return self.public(now).order_by().aggregate(**_latest_change_columns(now))


def _latest_change_columns(now: "datetime | clock.WhenRun") -> dict[str, Max]:
    return {
        "announce": Max("announce_at"),
        "materials": Max(Coalesce("materials_at", "announce_at"), filter=Q(materials_at__lte=now)),
        "ends": Max("ends_at", filter=Q(ends_at__lte=now)),
        "replay": Max("replay_until", filter=Q(replay_until__lte=now)),
    }


@functools.cache
def _latest_change_statement() -> "models.QuerySet":
    """`EventQuerySet.latest_change` of every event as one row of aggregates (grouped by a
    constant: no GROUP BY), built once per process: the site's Last-Modified asks it at every
    uncached render. It decides when it runs (`irsite.clock.WhenRun`)."""
    # By name: the model's module imports this one.
    events: EventQuerySet = apps.get_model("events", "Event").objects.all()
    when = clock.WhenRun()
    return (
        events.public(when)
        .order_by()
        .annotate(everything=Value(1))
        .values("everything")
        .annotate(**_latest_change_columns(when))
        .values("announce", "materials", "ends", "replay")
    )


def latest_change_at(now: datetime) -> datetime | None:
    """`EventQuerySet.latest_change` of every event at ``now`` (`events.apps` registers it)."""
    with clock.fixed(now):
        row = _latest_change_statement()[0]
    return max(filter(None, row.values()), default=None)
