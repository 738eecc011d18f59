"""Saving a release's content: drafts directly, a live release only as a prepared correction."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from irsite import clock
from irsite.plaintext import multi_line
from irsite.uploads import removed_if_failed

from ..models import (
    AuditEntry,
    PendingCorrection,
    Release,
    Revision,
    SlugRedirect,
)
from ..times import publication_time_problem
from .base import (
    EditConflict,
    TransitionRefused,
    _check_slug_free,
    _person,
    _record_revision,
    _require,
    audit,
)
from .corrections import _prepare_correction

Status = Release.Status
State = Release.State


def check_save(
    release: Release, user, *, expected_version: int | None = None, correction_note: str = ""
) -> Release | None:
    """The check step of `save_release`, also run by the admin's form before anything is saved.

    ``release`` holds the edit, not yet saved. Returns the stored row, locked for the rest of
    the transaction (None for a new release). Raises `EditConflict` if someone saved since
    ``expected_version``, or `TransitionRefused` if ``user`` may not make this edit now: drafts
    and releases in review take edits; a live release takes them only as a correction (with a
    note, by someone allowed to correct, its publication time unchanged); approved and
    scheduled releases are frozen until returned to draft. A slug another release was once
    published under is refused (``field="slug"``), as is a correction note longer than a
    revision records (``field="correction_note"``).
    """
    if problem := publication_time_problem(release.published_at):
        raise TransitionRefused(problem, field="published_at")
    if release.pk is None:
        _require(user, "add_release", "create releases")
        _check_slug_free(release)
        return None
    stored = Release.objects.select_for_update().get(pk=release.pk)
    if expected_version is not None and stored.version != expected_version:
        raise EditConflict(stored)
    if not stored.can_be_changed_by(user):
        if stored.is_editable:
            raise TransitionRefused("You do not have permission to edit releases.")
        if stored.state == State.LIVE:
            raise TransitionRefused(
                "You do not have permission to prepare a correction of a published release."
            )
        raise TransitionRefused(
            f"Cannot edit: the release is {stored.state_label.lower()}. Return it to draft first."
        )
    if stored.state == State.LIVE:
        limit = Revision._meta.get_field("note").max_length
        assert limit is not None  # a CharField's
        if len(correction_note.strip()) > limit:
            raise TransitionRefused(
                f"Keep the correction note to {limit} characters (it has "
                f"{len(correction_note.strip())}); the full story belongs in the release.",
                field="correction_note",
            )
        if not correction_note.strip():
            raise TransitionRefused(
                "This release is public: say what you corrected in the correction note; the "
                "public page will show it.",
                field="correction_note",
            )
        if timezone.localtime(release.published_at) != timezone.localtime(stored.published_at):
            raise TransitionRefused(
                "The publication time of a public release cannot change; it is part of the "
                "record and of the permanent URL.",
                field="published_at",
            )
    _check_slug_free(release)
    return stored


def save_release(
    release: Release,
    user,
    *,
    write_related: Callable[[], None] | None = None,
    expected_version: int | None = None,
    correction_note: str = "",
    note: str = "",
) -> Revision | PendingCorrection:
    """Save an edit of a release and its related rows, and record it as a revision.

    `check_save` decides whether the edit is allowed (and raises otherwise, writing nothing).
    ``write_related`` writes the release's contacts, texts, categories and attachments inside
    the same transaction; files it stores are deleted again if the save fails, so a failed save
    leaves no orphan in storage. An edit of a live release changes nothing public: it is kept
    as a `PendingCorrection` (returned) until a second person approves it
    (`approve_correction`); the files it brings stay in storage for that.
    """
    correction_note = multi_line(correction_note)
    with removed_if_failed():
        return _save_release(
            release,
            user,
            write_related=write_related,
            expected_version=expected_version,
            correction_note=correction_note,
            note=note,
        )


@transaction.atomic
def _save_release(
    release: Release,
    user,
    *,
    write_related: Callable[[], None] | None,
    expected_version: int | None,
    correction_note: str,
    note: str,
) -> Revision | PendingCorrection:
    stored = check_save(
        release, user, expected_version=expected_version, correction_note=correction_note
    )
    if stored is not None and stored.state == State.LIVE:
        return _prepare_correction(release, user, stored, write_related, correction_note)
    created = stored is None
    if stored is None:
        release.created_by = _person(user)
    else:
        release.version = stored.version + 1
    release.content_changed_at = clock.now()
    release.content_changed_by = _person(user)
    release.save()
    release.update_search_document()
    # Its own old slug in use again redirects nowhere (another release's is refused above).
    SlugRedirect.objects.filter(old_slug=release.slug, release=release).delete()
    if write_related:
        write_related()
    revision = _record_revision(release, user, note=note)
    audit(user, AuditEntry.Action.CREATED if created else AuditEntry.Action.EDITED, release)
    return revision
