"""The "Events" topic of e-mail alerts (`irsite.alert_topics`, registered in `events.apps`):
a new event at its announce second, and a reschedule, postponement or cancellation when a
second person approves it.

Both are found by the publication rule at the database's time (`EventQuerySet.public`): the
alerts' worker asks with its clock's reading of the database (`irsite.clock`), so an event is
never mailed before its announce second, whatever a worker host's own clock says. A message
carries what the page shows at that moment, never the webcast, dial-in or documents before
their own second: it links the page and the event's .ics instead.
"""

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from irsite.alert_topics import Item, Message, Topic
from irsite.plaintext import single_line

from ..models import Event, EventChange
from ..templatetags.event_times import event_when, in_zone

SLUG = "events"
SUBJECT_PREFIX = {
    Event.Schedule.SCHEDULED: "New event",
    Event.Schedule.RESCHEDULED: "Rescheduled",
    Event.Schedule.POSTPONED: "Postponed",
    Event.Schedule.CANCELLED: "Cancelled",
}


def due(now: datetime, since: datetime) -> list[Item]:
    public = Event.objects.public(now)
    items = [
        Item(f"announced:{pk}", at)
        for pk, at in public.filter(announce_at__gte=since).values_list("pk", "announce_at")
        if at  # public: it has one
    ]
    changes = EventChange.objects.filter(
        status=EventChange.Status.APPROVED,
        decided_at__gte=since,
        event__in=public,
    ).exclude(announced_as="")
    items += [Item(f"changed:{pk}", at) for pk, at in changes.values_list("pk", "decided_at") if at]
    return items


def message(key: str, now: datetime) -> Message | None:
    kind, _, pk = key.partition(":")
    change: EventChange | None = None
    if kind == "changed":
        change = EventChange.objects.filter(pk=pk, status=EventChange.Status.APPROVED).first()
        if change is None:
            return None
        pk = str(change.event_id)
    event = Event.objects.public(now).filter(pk=pk).first()
    if event is None:
        return None
    status = change.announced_as if change else Event.Schedule.SCHEDULED
    if not change and event.schedule != Event.Schedule.SCHEDULED:
        status = event.schedule  # announced already moved: say so from the start
    prefix = SUBJECT_PREFIX.get(status, "Event")  # type: ignore[call-overload]
    page = settings.SITE_URL + event.get_absolute_url()
    ics = settings.SITE_URL + event.get_ics_url()
    context = {
        "event": event,
        "status": status,
        "prefix": prefix,
        "cancelled": status == Event.Schedule.CANCELLED,
        "when": event_when(event),
        "previously": in_zone(change.previous_starts_at, event) if change else "",
        "note": change.note if change else "",
        "page_url": page,
        "ics_url": ics,
    }
    links = [("Event page", page)]
    if status != Event.Schedule.CANCELLED:
        links.append(("Add to calendar (.ics)", ics))
    return Message(
        subject=f"{prefix}: {single_line(event.title)}",
        text=render_to_string("events/email/alert.txt", context),
        html=render_to_string("events/email/alert.html", context),
        links=tuple(links),
    )


TOPIC = Topic(
    slug=SLUG,
    label="Events",
    description="new, rescheduled and cancelled events",
    due=due,
    message=message,
)
