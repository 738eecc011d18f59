"""Every write with side effects on a release: one function per transition, each atomic.

Each function checks the user's permission and the release's state *here*, refuses with a
`TransitionRefused` whose message says why (and changes nothing), and records what it did in
the audit trail. The admin, the importer and the tests all go through these; no `save()`
override or signal does any of it behind their backs.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .cache import public_pages_changed, schedule_changed
from .edge import enqueue_release_purge
from .models import AuditEntry, Correction, PreviewLink, Release, Revision, SlugRedirect

Status = Release.Status


class TransitionRefused(Exception):
    """A transition that is not allowed; the message tells the user why."""


class EditConflict(TransitionRefused):
    """Someone saved the release since this edit started; carries the version now stored."""

    def __init__(self, current: Release) -> None:
        self.current = current
        super().__init__(
            f"This release was changed by {current.content_changed_by or 'someone else'} at "
            f"{timezone.localtime(current.content_changed_at):%H:%M:%S} while you were editing. "
            "Your changes are still on screen, but were not saved."
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
        release_headline=release.headline[:300] if release else "",
        detail=detail,
    )


def _require(user, perm: str, doing: str) -> None:
    if not user.has_perm(f"releases.{perm}"):
        raise TransitionRefused(f"You do not have permission to {doing}.")


def _require_state(release: Release, allowed: set[str], doing: str) -> None:
    if release.state not in allowed:
        raise TransitionRefused(
            f"Cannot {doing}: the release is {release.state.replace('_', ' ')}."
        )


def _lock(release: Release) -> None:
    """Re-read the row under a lock, so two approvers clicking at once act one after the other."""
    release.refresh_from_db(from_queryset=Release.objects.select_for_update())


def _public_pages_changed() -> None:
    """What the public sees changes with this transaction: drop every cached public page."""
    public_pages_changed()


def _set_status(release: Release, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(release, name, value)
    release.status = status
    release.save(update_fields=["status", *fields])


# --- content -------------------------------------------------------------------------------


@transaction.atomic
def save_release(
    release: Release,
    user,
    *,
    write_related: Callable[[], None] | None = None,
    expected_version: int | None = None,
    correction_note: str = "",
    note: str = "",
) -> Revision:
    """Save an edit of a release and its related rows, and record it as a revision.

    A draft or a release in review takes edits; a live release takes them only as a correction
    (with a note, by someone allowed to correct); approved and scheduled releases are frozen
    until they are returned to draft. ``expected_version`` is the version the editor started
    from: if someone saved in between, `EditConflict` is raised and nothing is written.
    """
    created = release.pk is None
    correction = False
    if created:
        _require(user, "add_release", "create releases")
        release.created_by = _person(user)
    else:
        stored = Release.objects.select_for_update().get(pk=release.pk)
        if expected_version is not None and stored.version != expected_version:
            raise EditConflict(stored)
        if not stored.can_be_changed_by(user):
            if stored.is_editable:
                raise TransitionRefused("You do not have permission to edit releases.")
            if stored.state == "live":
                raise TransitionRefused(
                    "You do not have permission to correct a published release."
                )
            raise TransitionRefused(
                f"Cannot edit: the release is {stored.state}. Return it to draft first."
            )
        if stored.state == "live":
            if not correction_note.strip():
                raise TransitionRefused(
                    "This release is public: say what you corrected in the correction note."
                )
            if timezone.localtime(release.published_at) != timezone.localtime(stored.published_at):
                raise TransitionRefused(
                    "The publication time of a public release cannot change; it is part of "
                    "the record and of the permanent URL."
                )
            correction = True
        if stored.slug != release.slug and stored.state == "live":
            SlugRedirect.objects.update_or_create(
                old_slug=stored.slug, defaults={"release": release}
            )
        release.version = stored.version + 1

    now = timezone.now()
    release.content_changed_at = now
    release.content_changed_by = _person(user)
    if correction:
        release.corrected_at = now
    release.save()
    release.update_search_document()
    SlugRedirect.objects.filter(old_slug=release.slug).delete()  # a slug in use redirects nowhere
    if write_related:
        write_related()
    revision = _record_revision(release, user, note=correction_note or note)
    if correction:
        Correction.objects.create(
            release=release, revision=revision, corrected_at=now, corrected_by=_person(user),
            note=correction_note.strip(),
        )  # fmt: skip
        audit(user, AuditEntry.Action.CORRECTED, release, correction_note.strip())
        _public_pages_changed()
        enqueue_release_purge(release.pk)
    else:
        audit(user, AuditEntry.Action.CREATED if created else AuditEntry.Action.EDITED, release)
    return revision


def _record_revision(release: Release, user, note: str = "") -> Revision:
    last = release.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        release=release,
        number=last + 1,
        created_by=_person(user),
        data=release.snapshot(),
        note=note,
    )


# --- workflow ------------------------------------------------------------------------------


@transaction.atomic
def submit(release: Release, user) -> None:
    _require(user, "submit_release", "submit releases for approval")
    _lock(release)
    _require_state(release, {Status.DRAFT}, "submit")
    if not release.published_at:
        raise TransitionRefused("Set the publication time before submitting for approval.")
    _set_status(release, Status.IN_REVIEW)
    audit(user, AuditEntry.Action.SUBMITTED, release)


@transaction.atomic
def approve(release: Release, user) -> None:
    _require(user, "approve_release", "approve releases")
    _lock(release)
    _require_state(release, {Status.IN_REVIEW}, "approve")
    last_changed_by_user = user.pk is not None and release.content_changed_by_id == user.pk
    if settings.IRSITE_FOUR_EYES and last_changed_by_user:
        raise TransitionRefused(
            "Four-eyes rule: you made the last change to this release, so someone else must "
            "approve it."
        )
    _set_status(release, Status.APPROVED, approved_by=_person(user), approved_at=timezone.now())
    audit(user, AuditEntry.Action.APPROVED, release)


@transaction.atomic
def return_to_draft(release: Release, user, reason: str) -> None:
    """An approver sends a release in review (or approved, not yet scheduled) back to draft."""
    _require(user, "approve_release", "return releases to draft")
    _lock(release)
    _require_state(release, {Status.IN_REVIEW, Status.APPROVED}, "return to draft")
    if not reason.strip():
        raise TransitionRefused("Say why the release goes back to draft.")
    _set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
    audit(user, AuditEntry.Action.RETURNED, release, reason.strip())


@transaction.atomic
def publish(release: Release, user, at: datetime | None = None) -> None:
    """Publish an approved release at ``at`` (default now): live at once, or scheduled.

    Nothing runs at the go-live time: `ReleaseQuerySet.public()` starts showing the release
    from that second on.
    """
    _require(user, "publish_release", "publish releases")
    _lock(release)
    if release.state in {Status.DRAFT, Status.IN_REVIEW}:
        raise TransitionRefused("Cannot publish: the release has not been approved.")
    _require_state(release, {Status.APPROVED}, "publish")
    at = (at or release.published_at or timezone.now()).replace(microsecond=0)
    if timezone.is_naive(at):
        raise TransitionRefused("The go-live time needs a time zone.")
    _set_status(release, Status.PUBLISHED, published_at=at)
    if at > timezone.now():
        # Only the next go-live moves, which caps every cached page: a new generation; the go-live
        # itself moves Last-Modified when it passes (`releases.lastmodified`).
        schedule_changed()
    else:
        _public_pages_changed()
    # The front cache is purged at the go-live second (at once if that has passed).
    enqueue_release_purge(release.pk, at=at)
    when = f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S %Z}"
    if at > timezone.now():
        audit(user, AuditEntry.Action.SCHEDULED, release, f"goes live {when}")
    else:
        audit(user, AuditEntry.Action.PUBLISHED, release, f"public from {when}")


@transaction.atomic
def record_past_publication(release: Release, actor, source: str) -> None:
    """Mark a release that is already public elsewhere (an old filing) as published then.

    For the importer and the demo loader: history is recorded, not approved again. Only a
    publication time in the past is accepted, so this can never schedule around the approval.
    """
    _require(actor, "publish_release", "publish releases")
    _lock(release)
    _require_state(release, {Status.DRAFT}, "record a past publication")
    if not release.published_at or release.published_at > timezone.now():
        raise TransitionRefused("Only a release with a past publication time can be recorded.")
    _set_status(release, Status.PUBLISHED)
    _public_pages_changed()
    enqueue_release_purge(release.pk)
    audit(actor, AuditEntry.Action.IMPORTED, release, f"already public: {source}")
    audit(
        actor,
        AuditEntry.Action.PUBLISHED,
        release,
        f"public from {timezone.localtime(release.published_at):%Y-%m-%d %H:%M:%S %Z}",
    )


@transaction.atomic
def unschedule(release: Release, user) -> None:
    _require(user, "publish_release", "unschedule releases")
    _lock(release)
    _require_state(release, {"scheduled"}, "unschedule")
    _set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
    schedule_changed()
    audit(user, AuditEntry.Action.UNSCHEDULED, release)


@transaction.atomic
def withdraw(release: Release, user, reason: str) -> None:
    _require(user, "withdraw_release", "withdraw releases")
    _lock(release)
    _require_state(release, {"live"}, "withdraw")
    if not reason.strip():
        raise TransitionRefused("Say why the release is withdrawn; the notice shows it.")
    _set_status(
        release, Status.WITHDRAWN, withdrawn_at=timezone.now(), withdrawal_reason=reason.strip()
    )
    _public_pages_changed()
    enqueue_release_purge(release.pk)
    audit(user, AuditEntry.Action.WITHDRAWN, release, reason.strip())


@transaction.atomic
def restore_revision(release: Release, revision: Revision, user) -> Revision:
    """Make an old revision's content the current draft (recorded as a new revision)."""
    if revision.release_id != release.pk:
        raise TransitionRefused("That revision belongs to another release.")
    _lock(release)
    if not release.is_editable:
        raise TransitionRefused(
            f"Cannot restore: the release is {release.state}. Only drafts and releases in "
            "review take an old revision."
        )
    data = revision.data
    for name in Release.CONTENT_FIELDS:
        if name == "published_at":
            value = data[name] and datetime.fromisoformat(data[name])
        else:
            value = data[name]
        setattr(release, name, value)

    def write_related() -> None:
        release.releasecontact_set.all().delete()
        release.releasedisclaimer_set.all().delete()
        for position, pk in enumerate(data["contacts"]):
            release.releasecontact_set.create(contact_id=pk, position=position)
        for position, pk in enumerate(data["disclaimers"]):
            release.releasedisclaimer_set.create(version_id=pk, position=position)
        release.categories.set(data["categories"])

    release.status = Status.DRAFT
    release.save(update_fields=["status"])
    new = save_release(
        release, user, write_related=write_related, note=f"restored revision {revision.number}"
    )
    audit(user, AuditEntry.Action.RESTORED, release, f"revision {revision.number}")
    return new


# --- previews ------------------------------------------------------------------------------


@transaction.atomic
def create_preview_link(
    release: Release, user, hours: int | None = None, note: str = ""
) -> PreviewLink:
    _require(user, "share_release_preview", "share preview links")
    if release.is_public:
        raise TransitionRefused("The release is public already; share its URL instead.")
    hours = hours or settings.IRSITE_PREVIEW_LINK_HOURS
    link = PreviewLink.objects.create(
        release=release,
        created_by=_person(user),
        expires_at=timezone.now() + timedelta(hours=hours),
        note=note,
    )
    audit(
        user,
        AuditEntry.Action.PREVIEW_LINK_CREATED,
        release,
        f"link {link.pk}, valid {hours} h{f', for {note}' if note else ''}",
    )
    return link


@transaction.atomic
def revoke_preview_link(link: PreviewLink, user) -> None:
    _require(user, "share_release_preview", "revoke preview links")
    if link.revoked_at:
        raise TransitionRefused("That preview link is revoked already.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit(user, AuditEntry.Action.PREVIEW_LINK_REVOKED, link.release, f"link {link.pk}")


# --- security ------------------------------------------------------------------------------


@transaction.atomic
def record_login_lockout(username: str, ip_address: str, failures: int) -> AuditEntry:
    """An address was locked out of the admin after repeated failed sign-ins (django-axes)."""
    hours = settings.AXES_COOLOFF_TIME
    return AuditEntry.objects.create(
        username=username[:150],
        action=AuditEntry.Action.LOGIN_LOCKED_OUT,
        detail=f"{failures} failed sign-ins from {ip_address}; locked out for {hours:g} h",
    )
