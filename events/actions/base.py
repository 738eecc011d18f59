"""What every event action shares: the releases' refusal and actor types (reused), the events'
audit trail, permission and row-lock checks, and the consistency check."""

from django.conf import settings

from releases.actions import SystemActor, TransitionRefused

from ..models import Event, EventAuditEntry
from ..models.checks import event_problems

__all__ = ["SystemActor", "TransitionRefused"]


def person(user):
    """The user to store in a foreign key: a signed-in person, or nobody for a command."""
    return user if getattr(user, "is_authenticated", False) else None


def audit(user, action: str, event: Event | None = None, detail: str = "") -> EventAuditEntry:
    return EventAuditEntry.objects.create(
        user=person(user),
        username=getattr(user, "username", "") or "",
        action=action,
        event=event,
        event_title=event.title[:300] if event else "",
        detail=detail,
    )


def require(user, perm: str, doing: str) -> None:
    if not user.has_perm(f"events.{perm}"):
        raise TransitionRefused(f"You do not have permission to {doing}.")


def lock(event: Event) -> None:
    """Re-read the row under a lock, so two people acting at once act one after the other."""
    event.refresh_from_db(from_queryset=Event.objects.select_for_update())


def check_consistent(event: Event) -> None:
    """Refuse an event whose times or addresses the admin's form would refuse."""
    for field, problem in event_problems(event).items():
        raise TransitionRefused(problem, field=field)


def four_eyes(user, other_id: int | None, what: str) -> None:
    """Refuse ``user`` acting on their own work: ``other_id`` made it."""
    if settings.IRSITE_FOUR_EYES and user.pk is not None and user.pk == other_id:
        raise TransitionRefused(f"Four-eyes rule: you {what}, so someone else must approve it.")
