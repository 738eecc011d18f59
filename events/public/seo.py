"""schema.org Event JSON-LD (https://schema.org/Event): what search engines read of an event."""

from datetime import datetime

from ..models import Event

STATUS = {
    Event.Schedule.SCHEDULED: "https://schema.org/EventScheduled",
    Event.Schedule.RESCHEDULED: "https://schema.org/EventRescheduled",
    Event.Schedule.POSTPONED: "https://schema.org/EventPostponed",
    Event.Schedule.CANCELLED: "https://schema.org/EventCancelled",
}
MODE = {
    Event.Attendance.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Event.Attendance.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Event.Attendance.MIXED: "https://schema.org/MixedEventAttendanceMode",
}


def _when(event: Event, local: datetime) -> str:
    # With its UTC offset (never a bare local time); a date alone for an all-day event.
    return local.date().isoformat() if event.all_day else local.isoformat()


def event_data(event: Event, url: str, organizer: str, now: datetime | None = None) -> dict:
    """The Event, its keys in a fixed order (the page's bytes, and so its ETag, are stable).
    The webcast is a VirtualLocation only once the materials are public."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": _when(event, event.local_start),
        "endDate": _when(event, event.local_end),
        "eventStatus": STATUS[Event.Schedule(event.schedule)],
        "eventAttendanceMode": MODE[Event.Attendance(event.attendance)],
    }
    if event.description:
        data["description"] = event.description
    if event.schedule == Event.Schedule.RESCHEDULED and event.local_previous_start:
        data["previousStartDate"] = _when(event, event.local_previous_start)
    locations: list[dict] = []
    if event.attendance != Event.Attendance.ONLINE and event.location:
        locations.append({"@type": "Place", "name": event.location.splitlines()[0],
                          "address": ", ".join(event.location.splitlines())})  # fmt: skip
    if event.webcast_url and event.materials_visible(now):
        locations.append({"@type": "VirtualLocation", "url": event.webcast_url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if organizer:
        data["organizer"] = {"@type": "Organization", "name": organizer}
    return data
