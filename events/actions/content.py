"""Saving an event: a draft directly; a public one only as a change a second person approves."""

from collections.abc import Callable

from django.db import transaction

from irsite import clock
from irsite.uploads import removed_if_failed

from ..models import Event, EventAuditEntry, EventChange
from .base import TransitionRefused, audit, check_consistent, lock, person, require
from .corrections import prepare_change


def save_event(
    event: Event,
    user,
    *,
    write_related: Callable[[], None] | None = None,
    expected_version: int | None = None,
    change_note: str = "",
) -> Event | EventChange:
    """Save ``event`` as edited, with its linked releases and documents (``write_related``).

    A draft is saved (a new version, the audit entry). A public event is not changed: the edit
    becomes an `EventChange` waiting for a second person (returned). Anything else (in review,
    approved and waiting for its announce second) is frozen: refused, saying why.
    ``expected_version``: the version the editor loaded; refused if someone saved since.
    """
    with transaction.atomic(), removed_if_failed():
        creating = event.pk is None
        require(user, "add_event" if creating else "change_event", "edit events")
        check_consistent(event)
        if not creating:
            stored = Event.objects.get(pk=event.pk)
            lock(stored)
            if expected_version is not None and stored.version != expected_version:
                raise TransitionRefused(
                    f"This event was saved by {stored.content_changed_by or 'someone else'} while "
                    "you were editing (version "
                    f"{expected_version}, now {stored.version}). Your changes are still on "
                    "screen, but were not saved."
                )
            if stored.state == Event.State.LIVE:
                return prepare_change(event, user, stored, write_related, change_note)
            if stored.status != Event.Status.DRAFT:
                raise TransitionRefused(
                    f"The event is {stored.state_label.lower()}: take it back to draft to edit it."
                )
            event.status, event.version = stored.status, stored.version + 1
            event.sequence = stored.sequence
        event.content_changed_at = clock.now()
        event.content_changed_by = person(user)
        event.save()
        if write_related:
            write_related()
        action = EventAuditEntry.Action.CREATED if creating else EventAuditEntry.Action.EDITED
        audit(user, action, event, f"version {event.version}")
        return event
