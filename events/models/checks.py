"""What makes an event's times and fields inconsistent, said once for the admin's form and the
actions (which refuse what the form would have refused, whoever calls them)."""

from django.core.exceptions import ValidationError

from .event import Event
from .fields import validate_outbound_url, validate_zone


def event_problems(event: Event) -> dict[str, str]:
    """Field name -> why it cannot be saved; empty when the event is consistent."""
    problems: dict[str, str] = {}
    try:
        validate_zone(event.zone)
    except ValidationError as error:
        problems["zone"] = error.messages[0]
    for name in ("webcast_url", "registration_url", "replay_url"):
        url = getattr(event, name)
        if url:
            try:
                validate_outbound_url(url)
            except ValidationError as error:
                problems[name] = error.messages[0]
    start, end = event.starts_at, event.ends_at
    if start and end and end <= start:
        problems["ends_at"] = "The event must end after it starts."
    if event.replay_until and end and event.replay_until <= end:
        problems["replay_until"] = "The replay must stay available past the end of the event."
    announce, materials = event.announce_at, event.materials_at
    if announce and materials and materials < announce:
        problems["materials_at"] = (
            "The materials cannot be public before the event is announced: choose a time at or "
            "after the announce time, or leave it blank."
        )
    return problems
