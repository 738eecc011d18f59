"""The event webhooks (earnings calls, investor days...): what each announces, and how the
worker finds each one due.

Each is found by the events app's own rules at the database's time (`irsite.clock`, which the
worker's check passes as ``now``), never re-derived here:

- ``event.live``: once `EventQuerySet.public` shows the event, so never before its announce
  second, whatever a worker's own clock says;
- ``event.materials_live``: once `EventQuerySet.with_materials` shows it, for an event whose
  materials second is later than its announcement (otherwise ``event.live`` carries them);
- ``event.corrected``: an approved change of a public event (rescheduled, postponed,
  cancelled, a replay added...), one per change;
- ``event.cancelled``: an approved change that cancelled it, once per event (the events app
  has no withdrawal: a cancelled event stays at its URL with its status).

Payloads carry only what the public page shows at the moment the event is made: the webcast,
dial-in and documents only once `Event.materials_visible` says so.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F

from events.models import Event, EventChange

from .registry import EventType, Occurrence, register


def _public_data(event: Event) -> dict[str, Any]:
    """What the API's event item says of it (times in its own zone, with the zone's name), and
    its materials once public."""
    assert event.announce_at is not None  # public
    data: dict[str, Any] = {
        "id": str(event.uid),
        "url": settings.SITE_URL + event.get_absolute_url(),
        "title": event.title,
        "kind": event.kind,
        "status": event.schedule,
        "starts_at": event.local_start.isoformat(),
        "ends_at": event.local_end.isoformat(),
        "time_zone": event.zone,
        "announced_at": event.announce_at.astimezone(event.tz).isoformat(),
    }
    if event.materials_visible():
        data["materials"] = {
            "webcast_url": event.webcast_url,
            "dial_in": event.dial_in,
            "documents": [
                {"kind": d.kind, "title": d.title, "url": settings.SITE_URL + d.get_absolute_url()}
                for d in event.documents.all()
            ],
        }
    return data


def _payload(event_id: int) -> dict[str, Any]:
    return _public_data(Event.objects.get(pk=event_id))


def _live(now: datetime, since: datetime) -> list[Occurrence]:
    rows = Event.objects.public(now).filter(announce_at__gte=since).only("pk", "announce_at")
    return [Occurrence(f"event.live:{e.pk}", e.announce_at, e.pk) for e in rows if e.announce_at]


def _materials_live(now: datetime, since: datetime) -> list[Occurrence]:
    rows = (
        Event.objects.with_materials(now)
        .filter(materials_at__gte=since, materials_at__gt=F("announce_at"))
        .only("pk", "materials_at")
    )
    return [
        Occurrence(f"event.materials_live:{e.pk}", e.materials_at, e.pk)
        for e in rows
        if e.materials_at
    ]


def _approved_changes(now: datetime, since: datetime):
    return EventChange.objects.filter(
        status=EventChange.Status.APPROVED,
        decided_at__gte=since,
        decided_at__lte=now,
        event__in=Event.objects.public(now),
    )


def _corrected(now: datetime, since: datetime) -> list[Occurrence]:
    rows = _approved_changes(now, since).only("pk", "decided_at")
    return [Occurrence(f"event.corrected:{c.pk}", c.decided_at, c.pk) for c in rows if c.decided_at]


def _corrected_payload(change_id: int) -> dict[str, Any]:
    change = EventChange.objects.get(pk=change_id)
    assert change.decided_at is not None  # approved
    previous = change.previous_starts_at
    return _payload(change.event_id) | {
        "corrected_at": change.decided_at.isoformat(),
        "correction_note": change.note,
        "rescheduled_from": previous.astimezone(change.event.tz).isoformat() if previous else None,
    }


def _cancelled(now: datetime, since: datetime) -> list[Occurrence]:
    # The latest first, so that the first change that cancelled an event is the one kept (the
    # check keeps the last occurrence of a key); a later change of it is no new cancellation.
    rows = (
        _approved_changes(now, since)
        .filter(data__schedule=Event.Schedule.CANCELLED, event__schedule=Event.Schedule.CANCELLED)
        .order_by("-decided_at", "-pk")
        .only("pk", "event_id", "decided_at")
    )
    return [
        Occurrence(f"event.cancelled:{c.event_id}", c.decided_at, c.pk)
        for c in rows
        if c.decided_at
    ]


def register_event_events() -> None:
    register(EventType("event.live", "an event was announced", _live, _payload))
    register(
        EventType(
            "event.materials_live",
            "an event's webcast, dial-in and documents became public",
            _materials_live,
            _payload,
        )
    )
    register(
        EventType(
            "event.corrected",
            "a public event changed (rescheduled, postponed, cancelled...)",
            _corrected,
            _corrected_payload,
        )
    )
    register(
        EventType("event.cancelled", "a public event was cancelled", _cancelled, _corrected_payload)
    )
