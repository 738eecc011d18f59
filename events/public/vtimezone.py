"""VTIMEZONE components (RFC 5545 §3.6.5) from zoneinfo, in the shape every reader agrees on.

icalendar's own generator (`Calendar.add_missing_timezones`) groups a zone's changes into one
STANDARD and one DAYLIGHT with a list of RDATEs, and writes a spring change's onset in the
local time after it (03:00 for New York) where the RFC's onset is the local time before it
(02:00, in TZOFFSETFROM). Mozilla's ical.js (Thunderbird) reads only the first value of an
RDATE list and drops the DTSTART of a sub-component that has RDATEs: it put July's earnings
call an hour late (tests/test_events_icaljs.py). So each change is a sub-component of its own,
DTSTART only, its onset in the offset it leaves: no RDATE or RRULE for any reader to misread.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None  # a zoneinfo zone always has one
    return offset


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Each instant (UTC, to the second) in [start, end) at which ``zone``'s offset or name
    changes: a day's steps, then halving the day that has one."""

    def state(at: datetime) -> tuple:
        local = at.astimezone(zone)
        return local.utcoffset(), local.tzname(), local.dst()

    found = []
    day, at = timedelta(days=1), start
    while at < end:
        nxt = min(at + day, end)
        if state(at) != state(nxt):
            low, high = at, nxt  # state(low) differs from state(high): the change is in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    middle = low + timedelta(seconds=1)
                if state(middle) == state(low):
                    low = middle
                else:
                    high = middle
            found.append(high)
        at = nxt
    return found


def _observance(zone: ZoneInfo, at: datetime, before: timedelta) -> icalendar.cal.Component:
    local = at.astimezone(zone)
    part = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
    # The onset as local time in the offset being left (RFC 5545 §3.6.5, its examples).
    part.add("dtstart", (at + before).replace(tzinfo=None))
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", local.utcoffset())
    part.add("tzname", local.tzname())
    return part


@lru_cache(maxsize=256)
def _changes(name: str, start: datetime, end: datetime) -> tuple[datetime, ...]:
    # Worked out once per zone and span per process: calendar.ics asks on every render.
    return tuple(transitions(ZoneInfo(name), start, end))


def vtimezone(name: str, first: date, last: date) -> icalendar.Timezone:
    """The VTIMEZONE of IANA zone ``name`` for the span [first, last): its offset at the
    start, then one sub-component per change within it."""
    zone = ZoneInfo(name)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC)
    component = icalendar.Timezone()
    component.add("tzid", name)
    offset = _offset(zone, start)
    component.add_component(_observance(zone, start, offset))
    for at in _changes(name, start, end):
        component.add_component(_observance(zone, at, offset))
        offset = _offset(zone, at)
    return component
