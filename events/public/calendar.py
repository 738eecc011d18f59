"""Calendar files (RFC 5545) built with the icalendar library, never by string formatting.

Every timed event's DTSTART and DTEND carry the TZID of the zone the event was entered in, and
the calendar a VTIMEZONE for each TZID it uses, built from zoneinfo (`vtimezone`: one
sub-component per change, the shape Thunderbird's ical.js reads right where icalendar's own
generator misled it): a reader that ignores VTIMEZONE still knows the IANA name (Google, Apple,
Outlook do), and one that reads only VTIMEZONE gets the offsets on both sides of every DST change
in the span. No floating time, no UTC that was not meant as UTC: the one time written in UTC is
a time in a repeated hour (clocks going back), either pass, which a TZID time names only by a
rule readers do not share. An all-day event is a DATE (its end exclusive, as the RFC says).

``UID`` is the event's UUID, which nothing changes; ``SEQUENCE`` goes up with every approved
change of a public event (`events.actions.corrections`); ``DTSTAMP`` is when its public version
was made (so the bytes, and the ETag, change only when the event does); a cancelled event says
``STATUS:CANCELLED`` and a postponed one ``TENTATIVE``. The webcast URL and dial-in are in the
file only once the materials are public (`Event.materials_visible`).
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar

from ..models import Event
from .vtimezone import vtimezone

PRODID = "-//irsite//Events//EN"
STATUS = {
    Event.Schedule.SCHEDULED: "CONFIRMED",
    Event.Schedule.RESCHEDULED: "CONFIRMED",
    Event.Schedule.POSTPONED: "TENTATIVE",
    Event.Schedule.CANCELLED: "CANCELLED",
}


def _description(event: Event, url: str, materials: bool) -> str:
    lines = [event.description] if event.description else []
    if event.schedule == Event.Schedule.RESCHEDULED and event.local_previous_start:
        lines.append(f"Rescheduled from {_spoken(event.local_previous_start)}.")
    if event.schedule in {Event.Schedule.POSTPONED, Event.Schedule.CANCELLED}:
        lines.append(f"This event is {event.get_schedule_display().lower()}.")
    if materials and event.webcast_url:
        lines.append(f"Webcast: {event.webcast_url}")
    if materials and event.dial_in:
        lines.append(f"Dial-in:\n{event.dial_in}")
    if event.registration_url:
        lines.append(f"Registration: {event.registration_url}")
    lines.append(f"Details: {url}")
    return "\n\n".join(lines)


def _spoken(local: datetime) -> str:
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _ical_time(local: datetime) -> datetime:
    """``local`` as DTSTART/DTEND write it: with its zone's TZID, except in a repeated hour
    (clocks going back), written in UTC: RFC 5545 §3.3.5 makes a TZID time there the first
    pass, so the second cannot be said with one, and ical.js (Thunderbird) reads the first as
    the second (its resolver prefers standard time)."""
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return local.astimezone(UTC)
    return local


def vevent(event: Event, url: str, now: datetime | None = None) -> icalendar.Event:
    materials = event.materials_visible(now)
    item = icalendar.Event()
    item.add("uid", str(event.uid))
    item.add("sequence", event.sequence)
    stamp = event.last_modified or event.announce_at
    assert stamp is not None  # a public event was announced
    item.add("dtstamp", stamp.astimezone(UTC))
    item.add("last-modified", stamp.astimezone(UTC))
    if event.all_day:
        item.add("dtstart", event.local_start.date())
        end: date = event.local_end.date()
        item.add("dtend", max(end, event.local_start.date() + timedelta(days=1)))
    else:
        # Aware datetimes in a zoneinfo zone: icalendar writes DTSTART;TZID=<IANA name>.
        item.add("dtstart", _ical_time(event.local_start))
        item.add("dtend", _ical_time(event.local_end))
    item.add("summary", event.title)
    item.add("status", STATUS[Event.Schedule(event.schedule)])
    item.add("url", url)
    item.add("description", _description(event, url, materials))
    location = event.location.replace("\n", ", ")
    if not location and materials and event.webcast_url:
        location = event.webcast_url
    if location:
        item.add("location", location)
    item.add("categories", [event.get_kind_display()])
    item.add("transp", "OPAQUE")
    return item


def calendar(
    events: Iterable[Event], url_of: Callable[[Event], str], name: str, now: datetime | None = None
) -> bytes:
    """A VCALENDAR of ``events`` (``url_of``: each one's absolute page URL)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    years, zones = [], set()
    items = []
    for event in events:
        items.append(vevent(event, url_of(event), now))
        years += [event.local_start.year, event.local_end.year]
        if not event.all_day:
            zones.add(event.zone)
    # The VTIMEZONEs first (readers resolve TZIDs as they go), with the changes from a year
    # before the first event to a year after the last.
    for zone in sorted(zones):
        cal.add_component(vtimezone(zone, date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1)))
    for item in items:
        cal.add_component(item)
    return cal.to_ical()
