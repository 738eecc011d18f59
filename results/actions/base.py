"""What every results action shares: the releases' refusal and actor types (reused), the audit
trail, permission and row-lock checks, the four-eyes rule, and what a public change of a kit
sets in motion (the same as an event's: every cached page dropped, the ``list`` key purged)."""

from django.conf import settings

from irsite.http import LIST, enqueue_purge, public_pages_changed
from releases.actions import SystemActor, TransitionRefused

from ..models import KitAuditEntry, ResultsKit

__all__ = ["SystemActor", "TransitionRefused"]


def person(user):
    """The user to store in a foreign key: a signed-in person, or nobody for a command."""
    return user if getattr(user, "is_authenticated", False) else None


def audit(user, action: str, kit: ResultsKit | None = None, detail: str = "") -> KitAuditEntry:
    return KitAuditEntry.objects.create(
        user=person(user),
        username=getattr(user, "username", "") or "",
        action=action,
        kit=kit,
        kit_title=kit.title[:300] if kit else "",
        detail=detail,
    )


def require(user, perm: str, doing: str) -> None:
    if not user.has_perm(f"results.{perm}"):
        raise TransitionRefused(f"You do not have permission to {doing}.")


def lock(kit: ResultsKit) -> None:
    """Re-read the row under a lock, so two people acting at once act one after the other."""
    kit.refresh_from_db(from_queryset=ResultsKit.objects.select_for_update())


def four_eyes(user, other_id: int | None, what: str) -> None:
    """Refuse ``user`` acting on their own work: ``other_id`` made it."""
    if settings.IRSITE_FOUR_EYES and user.pk is not None and user.pk == other_id:
        raise TransitionRefused(f"Four-eyes rule: you {what}, so someone else must approve it.")


def kit_changed_publicly() -> None:
    """In the transaction of a change readers see now (a kit approved after its release went
    live, an approved correction): every cached page dropped, every kit URL purged. Kit URLs
    carry the front cache's ``list`` key (none is an item view), which every release go-live,
    correction and withdrawal purges too: releases need not know kits exist."""
    public_pages_changed()
    enqueue_purge([LIST])
