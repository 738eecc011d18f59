"""``/api/v1/events``: public events (earnings calls, investor days, conference presentations,
annual meetings), and one event by its id.

Built on the events app's two rules, never re-derived here: `EventQuerySet.public` (from the
announce second on) for the event itself, and `Event.materials_visible` / `replay_visible`
(from the materials second on) for the webcast URL, the dial-in, the replay and the documents.
Until that second ``materials`` is null whether or not the event has any, so an answer tells
nothing of a webcast still hidden. An event's id is its iCalendar UID (`Event.uid`), stable
for its life whatever its title, slug or date become.

Times are ISO 8601 with the offset of the event's own zone, and ``time_zone`` names that zone
(IANA), as the page and calendar file show them.

Order: by start, the latest first; ``when=upcoming`` lists events not yet over, the soonest
first. Cursor pages are keyed on (start, id): an event announced between two pages never moves
the others, so none of those seen is repeated or skipped; an approved reschedule moves its
event to its new place.
"""

import uuid
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Query, Router, Schema, Status
from pydantic import Field, PlainValidator, WithJsonSchema

from events.models import Event, EventChange, Kind
from irsite import clock
from releases.models import Release
from releases.public.feeds import guid

from .cursors import Cursors, Position
from .errors import ApiError, Error, not_found
from .params import CURSOR_MESSAGE, DEFAULT_LIMIT, Cursor, Limit, Year, one_value, parse_id
from .responses import read

router = Router(tags=["events"])
# Latest first (every event, or the past ones); soonest first (``when=upcoming``). Each its own
# salt: a cursor of one order is refused by the other.
CURSORS = Cursors("events", time_field="starts_at", id_field="uid")
UPCOMING_CURSORS = Cursors(
    "events.upcoming", time_field="starts_at", id_field="uid", ascending=True
)
WHEN = ("upcoming", "past")


def parse_kind(text: str) -> str:
    if text not in Kind.values:
        raise ValueError(f"kind: one of {', '.join(Kind.values)}")
    return text


def parse_when(text: str) -> str:
    if text not in WHEN:
        raise ValueError(f"when: {' or '.join(WHEN)}")
    return text


EventKind = Annotated[
    str,
    PlainValidator(one_value(parse_kind)),
    WithJsonSchema(
        {"type": "string", "enum": list(Kind.values), "description": "Only events of this kind."}
    ),
]
When = Annotated[
    str,
    PlainValidator(one_value(parse_when)),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(WHEN),
            "description": "upcoming: not yet over, the soonest first; past: over, the latest "
            "first (absent: every event, the latest first).",
        }
    ),
]
EventId = Annotated[
    uuid.UUID,
    PlainValidator(one_value(parse_id)),
    WithJsonSchema(
        {"type": "string", "format": "uuid", "description": "The event's iCalendar UID."}
    ),
]


# --- what an event is, as JSON ---------------------------------------------------------------


class EventItem(Schema):
    """An event as a list shows it."""

    id: uuid.UUID = Field(description="The event's iCalendar UID.")
    url: str = Field(description="Its page.", json_schema_extra={"format": "uri"})
    ics_url: str = Field(description="Its calendar file.", json_schema_extra={"format": "uri"})
    title: str
    kind: str = Field(json_schema_extra={"enum": list(Kind.values)})
    status: str = Field(
        description="Whether it takes place as announced: scheduled, rescheduled, postponed or "
        "cancelled (schema.org's eventStatus)."
    )
    starts_at: datetime = Field(description="ISO 8601 with the offset of `time_zone`.")
    ends_at: datetime
    time_zone: str = Field(description="The IANA zone it is held in, e.g. America/New_York.")
    all_day: bool
    attendance: str = Field(description="online, in_person or mixed.")
    announced_at: datetime = Field(description="The second it became public.")
    updated_at: datetime = Field(description="Its announcement, latest change or materials.")


class DocumentLink(Schema):
    kind: str = Field(description="slides, transcript or supplementary.")
    title: str
    url: str = Field(json_schema_extra={"format": "uri"})
    content_type: str
    size: int = Field(description="Bytes.")


class Materials(Schema):
    """The webcast, dial-in, replay and documents: public from the event's materials second."""

    webcast_url: str
    dial_in: str
    replay_url: str = Field(description='Until the replay\'s end; "" without one.')
    documents: list[DocumentLink]


class ReleaseLink(Schema):
    id: uuid.UUID = Field(description="As `/api/v1/releases/{release_id}` takes it.")
    url: str = Field(json_schema_extra={"format": "uri"})
    headline: str


class ChangeNote(Schema):
    changed_at: datetime
    note: str


class EventDetail(EventItem):
    """An event as its page shows it."""

    description: str
    location: str
    registration_url: str
    rescheduled_from: datetime | None = Field(description="The start before a reschedule.")
    releases: list[ReleaseLink] = Field(description="Its public releases, oldest first.")
    changes: list[ChangeNote] = Field(description="Approved changes, oldest first.")
    materials: Materials | None = Field(
        description="Null until the materials second, whether or not it has any."
    )


class EventPage(Schema):
    """One page of a list. There is no count and no last page: follow ``next``."""

    items: list[EventItem]
    next_cursor: str | None
    next: str | None = Field(json_schema_extra={"format": "uri"})


class EventFilters(Schema):
    kind: EventKind | None = None
    year: Year | None = None
    when: When | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def item(request: HttpRequest, event: Event) -> dict:
    absolute = request.build_absolute_uri
    zone = event.tz
    assert event.announce_at is not None  # public: announced
    return {
        "id": event.uid,
        "url": absolute(event.get_absolute_url()),
        "ics_url": absolute(event.get_ics_url()),
        "title": event.title,
        "kind": event.kind,
        "status": event.schedule,
        "starts_at": event.local_start,
        "ends_at": event.local_end,
        "time_zone": event.zone,
        "all_day": event.all_day,
        "attendance": event.attendance,
        "announced_at": event.announce_at.astimezone(zone),
        "updated_at": (event.last_modified or event.announce_at).astimezone(zone),
    }


def materials(request: HttpRequest, event: Event, now: datetime) -> dict | None:
    """What the event's materials second makes public, asked of the events app's rule."""
    if not event.materials_visible(now):
        return None
    absolute = request.build_absolute_uri
    return {
        "webcast_url": event.webcast_url,
        "dial_in": event.dial_in,
        "replay_url": event.replay_url if event.replay_visible(now) else "",
        "documents": [
            {
                "kind": d.kind,
                "title": d.title,
                "url": absolute(d.get_absolute_url()),
                "content_type": d.content_type,
                "size": d.size,
            }
            for d in event.documents.all()
        ],
    }


def detail(request: HttpRequest, event: Event, now: datetime) -> dict:
    absolute = request.build_absolute_uri
    # Only public releases: a results release linked before its go-live stays unseen.
    releases = Release.objects.public(now).filter(events=event).order_by("published_at")
    changes = event.changes.filter(status=EventChange.Status.APPROVED).order_by("decided_at")
    return {
        **item(request, event),
        "description": event.description,
        "location": event.location,
        "registration_url": event.registration_url,
        "rescheduled_from": event.local_previous_start,
        "releases": [
            {
                "id": uuid.UUID(guid(r)),
                "url": absolute(r.get_absolute_url()),
                "headline": r.headline,
            }
            for r in releases
        ],
        "changes": [{"changed_at": c.decided_at, "note": c.note} for c in changes],
        "materials": materials(request, event, now),
    }


# --- the operations ----------------------------------------------------------------------------


@read(router, "/events", response={200: EventPage, 400: Error}, operation_id="listEvents")
def list_events(request: HttpRequest, filters: Query[EventFilters]):
    """Public events, the latest start first, a page at a time (``limit``, 20 by default);
    ``when=upcoming`` lists those not yet over, the soonest first, ``when=past`` those over.
    Optionally of one kind and one year (of the start, in the company's time zone). Follow
    ``next`` for the following page. There is no count."""
    cursors = UPCOMING_CURSORS if filters.when == "upcoming" else CURSORS
    start: Position | None = None
    if filters.cursor is not None:
        try:
            start = cursors.read(filters.cursor)
        except ValueError:
            raise ApiError(400, "invalid_parameter", CURSOR_MESSAGE, "cursor") from None
    now = clock.now()
    events = Event.objects.public(now)
    if filters.when == "upcoming":
        events = events.filter(ends_at__gt=now)
    elif filters.when == "past":
        events = events.filter(ends_at__lte=now)
    if filters.kind is not None:
        events = events.filter(kind=filters.kind)
    if filters.year is not None:
        events = events.filter(starts_at__year=filters.year)
    rows, end = cursors.page(events, start, filters.limit)
    cursor = cursors.after(end.at, end.id) if end else None
    return Status(
        200,
        {
            "items": [item(request, event) for event in rows],
            "next_cursor": cursor,
            "next": cursor and next_url(request, filters, cursor),
        },
    )


def next_url(request: HttpRequest, filters: EventFilters, cursor: str) -> str:
    query = {
        "kind": filters.kind,
        "year": filters.year,
        "when": filters.when,
        "limit": filters.limit if filters.limit != DEFAULT_LIMIT else None,
        "cursor": cursor,
    }
    given = urlencode({name: value for name, value in query.items() if value is not None})
    return request.build_absolute_uri(f"{request.path}?{given}")


@read(
    router,
    "/events/{event_id}",
    response={200: EventDetail, 400: Error, 404: Error},
    operation_id="getEvent",
)
def get_event(request: HttpRequest, event_id: EventId):
    """One public event by its id. An event not yet announced answers exactly as an id that
    never existed (404). A cancelled or postponed event stays, with its ``status``."""
    now = clock.now()
    event = Event.objects.public(now).filter(uid=event_id).first()
    if event is None:
        raise not_found("event")
    return Status(200, detail(request, event, now))
