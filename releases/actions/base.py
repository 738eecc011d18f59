"""What every action shares: refusals, the audit trail, permission and row-lock checks."""

from typing import Any, cast

from django.db.models import Field
from django.utils import timezone

from irsite.times import local_time

from ..models import (
    AuditEntry,
    Release,
    Revision,
)

Status = Release.Status
State = Release.State


class TransitionRefused(Exception):
    """A transition that is not allowed; the message tells the user why, and ``field`` names
    the form field at fault, if one is (forms show the message beside it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class EditConflict(TransitionRefused):
    """Someone saved the release since this edit started; carries the version now stored."""

    def __init__(self, current: Release) -> None:
        self.current = current
        super().__init__(
            f"This release was changed by {current.content_changed_by or 'someone else'} at "
            f"{timezone.localtime(current.content_changed_at):%H:%M:%S} while you were editing. "
            "Your changes are still on screen, but were not saved."
        )


class ContentChanged(TransitionRefused):
    """The release changed after the person loaded what they meant to approve or publish."""

    def __init__(self, release: Release, seen: int, verb: str) -> None:
        self.release, self.seen = release, seen
        before = release.revisions.filter(number=seen).values_list("data", flat=True).first()
        after = release.snapshot()
        changed = [
            # The content fields are the release's own columns, not relations to it.
            str(cast(Field, Release._meta.get_field(name)).verbose_name)
            if name in Release.CONTENT_FIELDS
            else name
            for name in sorted(set(before or {}) | set(after))
            if (before or {}).get(name) != after.get(name)
        ]  # fmt: skip
        who = release.content_changed_by or "someone"
        super().__init__(
            f"Not done: the release changed since you opened it (version {seen}, now "
            f"{release.version}, saved by {who} at {local_time(release.content_changed_at)}). "
            f"Changed: {', '.join(changed) or 'related rows'}. Review it again before you "
            f"{verb}."
        )


class SystemActor:
    """Acts for a command (demo loader, importer) where no person is signed in.

    Allowed everything a command is written to do, and recorded by its name, not as a user.
    """

    pk = None
    is_authenticated = False

    def __init__(self, name: str) -> None:
        self.username = name

    def has_perm(self, perm: str) -> bool:
        return True


def _person(user):
    """The user to store in a foreign key: a signed-in person, or nobody for a command."""
    return user if getattr(user, "is_authenticated", False) else None


def audit(user, action: str, release: Release | None = None, detail: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        user=_person(user),
        username=getattr(user, "username", "") or "",
        action=action,
        release=release,
        release_headline=release.headline if release else "",
        detail=detail,
    )


def _require(user, perm: str, doing: str) -> None:
    if not user.has_perm(f"releases.{perm}"):
        raise TransitionRefused(f"You do not have permission to {doing}.")


def _lock(release: Release) -> None:
    """Re-read the row under a lock, so two approvers clicking at once act one after the other."""
    release.refresh_from_db(from_queryset=Release.objects.select_for_update())


def set_status(obj: Any, status: str, **fields: Any) -> None:
    """Set ``obj``'s status (and ``fields``), saving only those columns: a release's, or
    another app's workflow object's (`workflow.ObjectTransition`)."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.status = status
    obj.save(update_fields=["status", *fields])


def _record_revision(release: Release, user, note: str = "") -> Revision:
    last = release.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        release=release,
        number=last + 1,
        created_by=_person(user),
        data=release.snapshot(),
        note=note,
    )


def _check_slug_free(release: Release) -> None:
    # A permanent URL stays permanent: a slug another release was published under is its own.
    owner = release.slug_reserved_by()
    if owner is not None:
        day = timezone.localtime(owner.published_at)
        raise TransitionRefused(
            f"The URL “{release.slug}” belongs to the release “{owner.headline}” (published "
            f"{day:%B} {day.day}, {day.year}): its old links lead there. Choose another slug.",
            field="slug",
        )
