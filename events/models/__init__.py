"""The events app's models: what an event is, THE publication rule of events and the rule of
their materials (`querysets`). Import from ``events.models``."""

from .documents import EventDocument
from .event import Event
from .fields import validate_outbound_url, validate_zone, zone_names
from .history import EventAuditEntry, EventChange
from .querysets import EventQuerySet, materials_visible
from .states import Attendance, Kind, Schedule

__all__ = [
    "Attendance",
    "Event",
    "EventAuditEntry",
    "EventChange",
    "EventDocument",
    "EventQuerySet",
    "Kind",
    "Schedule",
    "materials_visible",
    "validate_outbound_url",
    "validate_zone",
    "zone_names",
]
