"""The events desk in the Django admin (`event`): every write calls `events.actions`."""

from .event import EventAdmin, EventAuditEntryAdmin

__all__ = ["EventAdmin", "EventAuditEntryAdmin"]
