"""Corrections of a live release: prepared by anyone who may edit, made public by a second
person."""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction

from irsite import clock

from ..desk import notify_correction
from ..media.pdf import render_approved
from ..models import (
    Attachment,
    AuditEntry,
    Correction,
    PendingCorrection,
    Release,
    ReleaseContact,
    SlugRedirect,
)
from .base import (
    TransitionRefused,
    _check_slug_free,
    _lock,
    _person,
    _record_revision,
    _require,
    audit,
)
from .golive import public_release_changed

Status = Release.Status
State = Release.State


def _prepare_correction(
    release: Release,
    user,
    stored: Release,
    write_related: Callable[[], None] | None,
    note: str,
) -> PendingCorrection:
    # The edit is written as the admin's forms and inlines always write it, inside a savepoint
    # that is rolled back: what it would make of the release is kept, and nothing else stays.
    savepoint = transaction.savepoint()
    try:
        release.save()
        if write_related:
            write_related()
        release.freeze_borrowed(correction=True)  # rows it added, re-pointed or refreshed
        proposed = release.snapshot()
    finally:
        transaction.savepoint_rollback(savepoint)
    now = clock.now()
    stored.pending_corrections.filter(status=PendingCorrection.Status.PENDING).update(
        status=PendingCorrection.Status.SUPERSEDED, decided_at=now
    )
    pending = PendingCorrection.objects.create(
        release=stored,
        base_version=stored.version,
        data=proposed,
        note=note.strip(),
        prepared_at=now,
        prepared_by=_person(user),
        prepared_by_name=getattr(user, "username", "") or "",
    )
    audit(user, AuditEntry.Action.CORRECTION_PREPARED, stored, note.strip())
    # The most urgent approval there is (a live text is wrong): told like a submission.
    notify_correction.enqueue(pending.pk, pending.prepared_by_id)
    return pending


def _apply_snapshot(release: Release, data: dict) -> Callable[[], None]:
    """Put a snapshot's content fields on ``release``; returns the writer of its related rows."""
    for name in Release.CONTENT_FIELDS:
        # A revision recorded before `standard_texts_at` existed printed them after the body.
        value = data.get(name)
        if name == "published_at":
            value = value and datetime.fromisoformat(value)
        setattr(release, name, value)

    def write_related() -> None:
        release.releasecontact_set.all().delete()
        release.releasedisclaimer_set.all().delete()
        for position, entry in enumerate(data["contacts"]):
            release.releasecontact_set.create(position=position, **ReleaseContact.recorded(entry))
        for position, pk in enumerate(data["disclaimers"]):
            release.releasedisclaimer_set.create(version_id=pk, position=position)
        release.categories.set(data["categories"])
        # A snapshot's files are still in storage (never deleted while a revision or a
        # correction refers to them): rows point at them again.
        release.attachments.all().delete()
        for item in data.get("attachments", []):
            Attachment.objects.create(release=release, **item)

    return write_related


@transaction.atomic
def approve_correction(correction: PendingCorrection, user, *, version: int | None = None) -> None:
    """A second person makes a prepared correction public, with its note.

    Refused (nothing changes) unless ``user`` may correct releases, did not prepare it (the
    four-eyes rule), the correction still waits, the release is live and unchanged since the
    correction was prepared (and since ``version``, the one the approver saw).
    """
    _require(user, "correct_release", "approve corrections")
    release = correction.release
    _lock(release)
    correction.refresh_from_db(from_queryset=PendingCorrection.objects.select_for_update())
    if correction.status != PendingCorrection.Status.PENDING:
        raise TransitionRefused(f"This correction is {correction.get_status_display().lower()}.")
    if release.state != State.LIVE:
        raise TransitionRefused(
            f"The release is {release.state_label.lower()}: only a live release takes a correction."
        )
    if release.version != correction.base_version or (
        version is not None and version != release.version
    ):
        raise TransitionRefused(
            "The release changed since this correction was prepared; prepare it again."
        )
    if settings.IRSITE_FOUR_EYES and user.pk is not None and user.pk == correction.prepared_by_id:
        raise TransitionRefused(
            "Four-eyes rule: you prepared this correction, so someone else must approve it."
        )
    old_slug = release.slug
    write_related = _apply_snapshot(release, correction.data)
    _check_slug_free(release)
    now = clock.now()
    if release.slug != old_slug:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"release": release})
    release.version += 1
    release.content_changed_at = now
    release.content_changed_by = correction.prepared_by
    release.corrected_at = now
    release.save()
    release.update_search_document()
    SlugRedirect.objects.filter(old_slug=release.slug, release=release).delete()
    write_related()
    revision = _record_revision(release, user, note=correction.note)
    revision.created_by = correction.prepared_by
    revision.save(update_fields=["created_by"])
    Correction.objects.create(
        release=release, revision=revision, corrected_at=now, corrected_by=_person(user),
        note=correction.note,
    )  # fmt: skip
    correction.status = PendingCorrection.Status.APPROVED
    correction.decided_at, correction.decided_by = now, _person(user)
    correction.save(update_fields=["status", "decided_at", "decided_by"])
    # The corrected version's PDF, stored in this transaction: public in the same instant as
    # the corrected page (never a 503, never the old text under the new page); if it cannot
    # be made in time, the worker's task makes it. The earlier versions' stay, like revisions.
    render_approved(release.pk)
    # The corrected text and the note, as the page prints them from now.
    public_release_changed(release, pdf=True)
    audit(user, AuditEntry.Action.CORRECTED, release, correction.note)


@transaction.atomic
def reject_correction(correction: PendingCorrection, user, reason: str) -> None:
    """An approver turns a prepared correction down; the release stays as it is."""
    _require(user, "correct_release", "reject corrections")
    correction.refresh_from_db(from_queryset=PendingCorrection.objects.select_for_update())
    if correction.status != PendingCorrection.Status.PENDING:
        raise TransitionRefused(f"This correction is {correction.get_status_display().lower()}.")
    if not reason.strip():
        raise TransitionRefused("Say why the correction is rejected.")
    correction.status = PendingCorrection.Status.REJECTED
    correction.decided_at, correction.decided_by = clock.now(), _person(user)
    correction.save(update_fields=["status", "decided_at", "decided_by"])
    audit(user, AuditEntry.Action.CORRECTION_REJECTED, correction.release, reason.strip())
