"""Changes to a public event (a new date or time, a postponement, a cancellation, a replay or
transcript added): prepared by anyone who may edit, made public by a second person who may
correct events. A change of date or time moving the start shows on the page as "Rescheduled
from …"; a postponed or cancelled event stays at its URL with its status. Every approved change
raises the event's iCalendar SEQUENCE, so calendars that imported it take the new version."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from irsite import clock

from ..models import Event, EventAuditEntry, EventChange, EventDocument
from .base import TransitionRefused, audit, check_consistent, four_eyes, lock, person, require
from .golive import public_event_changed

# What a change never moves: the event's URL (its slug) and its announcement, which has passed.
FIXED_ON_PUBLIC = ("slug", "announce_at")


def prepare_change(
    event: Event,
    user,
    stored: Event,
    write_related: Callable[[], None] | None,
    note: str,
) -> EventChange:
    """In `save_event`'s transaction, with ``stored`` locked and public: record the edit of
    ``event`` as a change waiting for a second person; nothing public changes."""
    note = note.strip()
    if not note:
        raise TransitionRefused(
            "Say what changes and why (readers see it on the event's page).", field="change_note"
        )
    for name in FIXED_ON_PUBLIC:
        if getattr(event, name) != getattr(stored, name):
            label = Event._meta.get_field(name).verbose_name  # type: ignore[union-attr]
            raise TransitionRefused(f"The {label} of a public event cannot change.", field=name)
    check_consistent(event)
    # Written as the admin writes it inside a savepoint that is rolled back: what it would make
    # of the event is kept (its snapshot), nothing else stays.
    savepoint = transaction.savepoint()
    try:
        event.save()
        if write_related:
            write_related()
        proposed = event.snapshot()
    finally:
        transaction.savepoint_rollback(savepoint)
    now = clock.now()
    stored.changes.filter(status=EventChange.Status.PENDING).update(
        status=EventChange.Status.SUPERSEDED, decided_at=now
    )
    change = EventChange.objects.create(
        event=stored,
        base_version=stored.version,
        data=proposed,
        note=note,
        prepared_at=now,
        prepared_by=person(user),
        prepared_by_name=getattr(user, "username", "") or "",
    )
    audit(user, EventAuditEntry.Action.CHANGE_PREPARED, stored, note)
    return change


def _apply(event: Event, data: dict) -> Callable[[], None]:
    for name in Event.CONTENT_FIELDS:
        if name in FIXED_ON_PUBLIC:
            continue
        value = data[name]
        if name in Event.TIME_FIELDS and value:
            value = datetime.fromisoformat(value)
        setattr(event, name, value)

    def write_related() -> None:
        event.releases.set(data["releases"])
        # A change's files stay in storage (the change keeps its record): rows point at them.
        event.documents.all().delete()
        for item in data["documents"]:
            EventDocument.objects.create(event=event, **item)

    return write_related


@transaction.atomic
def approve_change(change: EventChange, user, *, version: int | None = None) -> None:
    """A second person makes a prepared change public.

    Refused (nothing changes) unless ``user`` may correct events, did not prepare it, the change
    still waits, and the event is public and unchanged since the change was prepared (and since
    ``version``, the one the approver saw).
    """
    require(user, "correct_event", "approve changes of public events")
    event = change.event
    lock(event)
    change.refresh_from_db(from_queryset=EventChange.objects.select_for_update())
    if change.status != EventChange.Status.PENDING:
        raise TransitionRefused(f"This change is {change.get_status_display().lower()}.")
    if event.state != Event.State.LIVE:
        raise TransitionRefused(f"The event is {event.state_label.lower()}, not public.")
    if event.version != change.base_version or (version is not None and version != event.version):
        raise TransitionRefused(
            "The event changed since this change was prepared; prepare it again."
        )
    four_eyes(user, change.prepared_by_id, "prepared this change")
    old_start, old_schedule = event.starts_at, event.schedule
    write_related = _apply(event, change.data)
    check_consistent(event)
    moved = event.starts_at != old_start
    if moved and event.schedule in {Event.Schedule.SCHEDULED, Event.Schedule.RESCHEDULED}:
        # A new date or time for an event that still takes place: say so, and from when.
        event.schedule = Event.Schedule.RESCHEDULED
        event.previous_starts_at = old_start
        change.previous_starts_at = old_start
    elif moved and old_schedule == Event.Schedule.POSTPONED:
        # A postponed event given its new date.
        event.schedule = Event.Schedule.RESCHEDULED
        event.previous_starts_at = change.previous_starts_at = old_start
    if moved or event.schedule != old_schedule:
        # News for subscribers of events: a new date or time, a postponement, a cancellation.
        change.announced_as = event.schedule
    now = clock.now()
    event.version += 1
    event.sequence += 1
    event.corrected_at = now
    event.content_changed_at, event.content_changed_by = now, change.prepared_by
    event.save()
    write_related()
    change.status = EventChange.Status.APPROVED
    change.decided_at, change.decided_by = now, person(user)
    change.save(
        update_fields=["status", "decided_at", "decided_by", "previous_starts_at", "announced_as"]
    )
    public_event_changed(event)
    audit(user, EventAuditEntry.Action.CHANGED, event, change.note)


@transaction.atomic
def reject_change(change: EventChange, user, reason: str) -> None:
    """An approver turns a prepared change down; the event stays as it is."""
    require(user, "correct_event", "reject changes of public events")
    change.refresh_from_db(from_queryset=EventChange.objects.select_for_update())
    if change.status != EventChange.Status.PENDING:
        raise TransitionRefused(f"This change is {change.get_status_display().lower()}.")
    if not reason.strip():
        raise TransitionRefused("Say why the change is rejected.")
    change.status = EventChange.Status.REJECTED
    change.decided_at, change.decided_by = clock.now(), person(user)
    change.save(update_fields=["status", "decided_at", "decided_by"])
    audit(user, EventAuditEntry.Action.CHANGE_REJECTED, change.event, reason.strip())
