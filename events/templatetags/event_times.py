"""An event's time as readers see it: in the event's own zone, with that zone's abbreviation
for that very instant (EST or EDT from zoneinfo, never patched), server-side."""

from datetime import datetime, time, timedelta

from django import template
from django.utils import dateformat

from ..models import Event

register = template.Library()

DAY = "l, F j, Y"
TIME = "g:i a"


def _time(local: datetime) -> str:
    return dateformat.format(local, TIME)


@register.filter
def event_when(event: Event) -> str:
    """“Wednesday, January 28, 2027, 5:00 p.m. – 6:00 p.m. EST” (the end's zone name too when
    a DST change falls between); an all-day event by its dates alone."""
    start, end = event.local_start, event.local_end
    day = dateformat.format(start, DAY)
    if event.all_day:
        # Stored as midnight to midnight (the end exclusive): the last day is the one before.
        last = (end - timedelta(days=1)).date() if end.time() == time() else end.date()
        if last <= start.date():
            return day
        return f"{day} – {dateformat.format(last, DAY)}"
    if start.date() != end.date():
        return (
            f"{day}, {_time(start)} {start.tzname()} – "
            f"{dateformat.format(end, DAY)}, {_time(end)} {end.tzname()}"
        )
    if start.tzname() != end.tzname():
        return f"{day}, {_time(start)} {start.tzname()} – {_time(end)} {end.tzname()}"
    return f"{day}, {_time(start)} – {_time(end)} {end.tzname()}"


@register.filter
def in_zone(value: datetime | None, zone_of: Event) -> str:
    """Another time of the event (its previous start, its replay's end) in the event's zone:
    “January 21, 2027, 5:00 p.m. EST”."""
    if value is None:
        return ""
    local = value.astimezone(zone_of.tz)
    return f"{dateformat.format(local, 'F j, Y, g:i a')} {local.tzname()}"


@register.inclusion_tag("events/_next_event.html")
def next_event() -> dict:
    """The home page's "Next event": the soonest public event not yet over, or nothing."""
    from irsite import clock

    now = clock.now()
    return {"event": Event.objects.public(now).upcoming(now).first()}
