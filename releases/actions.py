"""Every write with side effects on a release, each atomic, each a check step and an execute step.

The workflow is declared once, in `TRANSITIONS` (which states each step accepts, the permission
it needs, its button label and confirmation text); the admin's buttons, confirmation pages and
filters read it. Each action checks the user's permission and the release's state *here*,
refuses with a `TransitionRefused` whose message says why (and changes nothing), and records
what it did in the audit trail. The admin, the importer and the tests all go through these; no
`save()` override or signal does any of it behind their backs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from irsite.plaintext import multi_line
from irsite.times import local_time

from .attachments import removed_if_failed
from .cache import public_pages_changed, schedule_changed
from .desk import notify_approvers
from .edge import enqueue_release_purge
from .models import (
    Attachment,
    AuditEntry,
    Category,
    CategorySlugRedirect,
    Correction,
    PendingCorrection,
    PreviewLink,
    Release,
    ReleaseContact,
    Revision,
    SlugRedirect,
)
from .rendering import stale_records, store_record
from .tasks import render_release_pdf
from .times import publication_time_problem

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
            str(Release._meta.get_field(name).verbose_name) if name in Release.CONTENT_FIELDS
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


def _public_pages_changed() -> None:
    """What the public sees changes with this transaction: drop every cached public page."""
    public_pages_changed()


def _set_status(release: Release, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(release, name, value)
    release.status = status
    release.save(update_fields=["status", *fields])


# --- content -------------------------------------------------------------------------------


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
    if created:
        release.created_by = _person(user)
    else:
        release.version = stored.version + 1
    release.content_changed_at = timezone.now()
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
    now = timezone.now()
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
    return pending


def _apply_snapshot(release: Release, data: dict) -> Callable[[], None]:
    """Put a snapshot's content fields on ``release``; returns the writer of its related rows."""
    for name in Release.CONTENT_FIELDS:
        value = data[name]
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
    now = timezone.now()
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
    store_record(release)  # the corrected text and the note, as the page prints them from now
    audit(user, AuditEntry.Action.CORRECTED, release, correction.note)
    # The corrected version's PDF; the earlier versions' stay, like their revisions.
    render_release_pdf.enqueue(release.pk)
    _public_pages_changed()
    enqueue_release_purge(release.pk)


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
    correction.decided_at, correction.decided_by = timezone.now(), _person(user)
    correction.save(update_fields=["status", "decided_at", "decided_by"])
    audit(user, AuditEntry.Action.CORRECTION_REJECTED, correction.release, reason.strip())


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


@dataclass(frozen=True)
class Transition:
    """One step of the release workflow, declared once.

    The actions below run it; the admin reads it for its buttons (``label``, offered in
    ``from_states`` to holders of ``perm``), its confirmation pages (what it ``asks``: a
    "reason" or a "go_live" time, and the ``warning`` shown before confirming) and its refusals.
    `run()` is atomic: it checks the permission, locks the row, `check()`s the state and the
    step's own rule, `execute()`s the write and records the audit entry, or raises
    `TransitionRefused` having changed nothing.
    """

    name: str
    label: str
    from_states: frozenset[str]
    perm: str
    doing: str  # completes "You do not have permission to …"
    verb: str  # completes "Cannot … : the release is scheduled."
    asks: str = ""
    warning: str = ""
    # Bound to the content reviewed: refused if the release changed since the person saw it.
    binds_content: bool = False

    def allows(self, release: Release, user) -> bool:
        """Whether the admin offers this step to ``user`` now."""
        return release.state in self.from_states and user.has_perm(f"releases.{self.perm}")

    def check(self, release: Release, user, **params: Any) -> None:
        """Refuse (raise `TransitionRefused`) unless the release may take this step now."""
        if release.state not in self.from_states:
            raise TransitionRefused(
                f"Cannot {self.verb}: the release is {release.state_label.lower()}."
            )

    def execute(self, release: Release, user, **params: Any) -> None:
        raise NotImplementedError

    def resolve(self, release: Release, params: dict[str, Any]) -> dict[str, Any]:
        """The step's parameters as check and execute read them (once, on the locked row)."""
        return params

    def run(self, release: Release, user, *, version: int | None = None, **params: Any) -> None:
        """``version``: the version the person saw (default: the one in ``release`` as given)."""
        seen = release.version if version is None else version
        with transaction.atomic():
            _require(user, self.perm, self.doing)
            _lock(release)
            if self.binds_content and release.version != seen:
                raise ContentChanged(release, seen, self.verb)
            params = self.resolve(release, params)
            self.check(release, user, **params)
            self.execute(release, user, **params)


def _reason(params: dict[str, Any], missing: str) -> str:
    reason = (params.get("reason") or "").strip()
    if not reason:
        raise TransitionRefused(missing)
    return reason


class Submit(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        if not release.published_at:
            raise TransitionRefused("Set the publication time before submitting for approval.")

    def execute(self, release: Release, user, **params: Any) -> None:
        _set_status(release, Status.IN_REVIEW)
        audit(user, AuditEntry.Action.SUBMITTED, release)
        notify_approvers.enqueue(release.pk, _person(user) and user.pk)


class Approve(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        last_changed_by_user = user.pk is not None and release.content_changed_by_id == user.pk
        if settings.IRSITE_FOUR_EYES and last_changed_by_user:
            raise TransitionRefused(
                "Four-eyes rule: you made the last change to this release, so someone else "
                "must approve it."
            )

    def execute(self, release: Release, user, **params: Any) -> None:
        _set_status(
            release,
            Status.APPROVED,
            approved_by=_person(user),
            approved_at=timezone.now(),
            approved_version=release.version,
        )
        release.freeze_borrowed()  # contact details and letterhead as approved, from now on
        audit(user, AuditEntry.Action.APPROVED, release, f"version {release.version}")


class Recall(Transition):
    """The submitter takes a release back from review to change it: a release in review is
    frozen, so what the approver reviews is what they approve."""

    def execute(self, release: Release, user, **params: Any) -> None:
        _set_status(release, Status.DRAFT)
        audit(user, AuditEntry.Action.RETURNED, release, "taken back to edit")


class ReturnToDraft(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        _reason(params, "Say why the release goes back to draft.")

    def execute(self, release: Release, user, **params: Any) -> None:
        _set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
        audit(user, AuditEntry.Action.RETURNED, release, _reason(params, ""))


class Publish(Transition):
    """Publish an approved release at a go-live time to the second: live at once, or scheduled.

    Nothing runs at the go-live time: `ReleaseQuerySet.public()` starts showing the release
    from that second on. A time already past is refused: the record would state a moment
    before the release was public (backdating). ``now=True`` publishes at the moment of the
    action instead, recorded to the second. Only the importer records past times
    (`record_past_publication`).
    """

    def resolve(self, release: Release, params: dict[str, Any]) -> dict[str, Any]:
        at = timezone.now() if params.get("now") else params.get("at") or release.published_at
        return {**params, "at": at.replace(microsecond=0) if at else None}

    def check(self, release: Release, user, **params: Any) -> None:
        if release.state in {State.DRAFT, State.IN_REVIEW}:
            raise TransitionRefused("Cannot publish: the release has not been approved.")
        super().check(release, user)
        at = params["at"]
        if at is None:
            raise TransitionRefused("Choose a go-live time, or publish now.", field="go_live")
        if problem := publication_time_problem(at):
            raise TransitionRefused(problem, field="go_live")
        if not params.get("now") and at < timezone.now().replace(microsecond=0):
            raise TransitionRefused(
                f"The go-live time {local_time(at)} has passed: the release would state a time "
                "before it was public. Choose a later time, or publish now (the publication "
                "time is then the second you confirm).",
                field="go_live",
            )

    def execute(self, release: Release, user, **params: Any) -> None:
        at = params["at"]
        _set_status(release, Status.PUBLISHED, published_at=at)
        # Stored now, read only by the public page, which shows it from the go-live on.
        store_record(release)
        # Its PDF is stored (privately) before the go-live second, not rendered under the crowd.
        render_release_pdf.enqueue(release.pk)
        if at > timezone.now():
            # Only the next go-live moves, which caps every cached page: a new generation; the
            # go-live moves Last-Modified when it passes (`releases.lastmodified`).
            schedule_changed()
        else:
            _public_pages_changed()
        # The front cache is purged at the go-live second (at once if that has passed).
        enqueue_release_purge(release.pk, at=at)
        if at > timezone.now():
            audit(user, AuditEntry.Action.SCHEDULED, release, f"goes live {local_time(at)}")
        else:
            audit(user, AuditEntry.Action.PUBLISHED, release, f"public from {local_time(at)}")


class Unschedule(Transition):
    def execute(self, release: Release, user, **params: Any) -> None:
        _set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
        _discard_unpublished_pdfs(release)
        schedule_changed()
        audit(user, AuditEntry.Action.UNSCHEDULED, release)


def _discard_unpublished_pdfs(release: Release) -> None:
    """Delete the PDFs of a release that was never public (it is being unscheduled): its next
    schedule may print another go-live time or letterhead. Files go once the change commits."""
    renditions = list(release.renditions.all())
    release.renditions.all().delete()
    for rendition in renditions:
        transaction.on_commit(lambda r=rendition: r.file.delete(save=False))


class Withdraw(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        _reason(params, "Say why the release is withdrawn; the notice shows it.")

    def execute(self, release: Release, user, **params: Any) -> None:
        reason = _reason(params, "")
        _set_status(
            release, Status.WITHDRAWN, withdrawn_at=timezone.now(), withdrawal_reason=reason
        )
        _public_pages_changed()
        enqueue_release_purge(release.pk)
        audit(user, AuditEntry.Action.WITHDRAWN, release, reason)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Submit("submit", "Submit for approval", frozenset({State.DRAFT}), "submit_release",
               "submit releases for approval", "submit"),
        Approve("approve", "Approve", frozenset({State.IN_REVIEW}), "approve_release",
                "approve releases", "approve", binds_content=True),
        Recall("recall", "Back to draft to edit", frozenset({State.IN_REVIEW}), "submit_release",
               "take releases back from review", "take back from review"),
        ReturnToDraft("return", "Return to draft", frozenset({State.IN_REVIEW, State.APPROVED}),
                      "approve_release", "return releases to draft", "return to draft",
                      asks="reason"),
        Publish("publish", "Publish or schedule", frozenset({State.APPROVED}), "publish_release",
                "publish releases", "publish", asks="go_live", binds_content=True,
                warning="From the go-live time on, the release is on every public page and "
                "feed."),
        Unschedule("unschedule", "Unschedule", frozenset({State.SCHEDULED}), "publish_release",
                   "unschedule releases", "unschedule"),
        Withdraw("withdraw", "Withdraw", frozenset({State.LIVE}), "withdraw_release",
                 "withdraw releases", "withdraw", asks="reason",
                 warning="The public URL will answer 410 Gone with the reason; the release "
                 "leaves lists and feeds."),
    ]
}  # fmt: skip


def submit(release: Release, user) -> None:
    TRANSITIONS["submit"].run(release, user)


def approve(release: Release, user, *, version: int | None = None) -> None:
    """Approve the release in review at ``version`` (default: as ``release`` holds it)."""
    TRANSITIONS["approve"].run(release, user, version=version)


def recall(release: Release, user) -> None:
    TRANSITIONS["recall"].run(release, user)


def return_to_draft(release: Release, user, reason: str) -> None:
    """An approver sends a release in review (or approved, not yet scheduled) back to draft."""
    TRANSITIONS["return"].run(release, user, reason=multi_line(reason))


def publish(
    release: Release,
    user,
    at: datetime | None = None,
    *,
    now: bool = False,
    version: int | None = None,
) -> None:
    """Publish an approved release at ``at`` (default: its publication time), which must not
    have passed, or at the moment of the action with ``now=True``."""
    TRANSITIONS["publish"].run(release, user, at=at, now=now, version=version)


def unschedule(release: Release, user) -> None:
    TRANSITIONS["unschedule"].run(release, user)


def withdraw(release: Release, user, reason: str) -> None:
    TRANSITIONS["withdraw"].run(release, user, reason=multi_line(reason))


@transaction.atomic
def record_past_publication(release: Release, actor, source: str) -> None:
    """Mark a release that is already public elsewhere (an old filing) as published then.

    For the importer and the demo loader: history is recorded, not approved again. Only a
    publication time in the past is accepted, so this can never schedule around the approval.
    """
    _require(actor, "publish_release", "publish releases")
    _lock(release)
    if release.state != State.DRAFT:
        raise TransitionRefused(
            f"Cannot record a past publication: the release is {release.state_label.lower()}."
        )
    if not release.published_at or release.published_at > timezone.now():
        raise TransitionRefused("Only a release with a past publication time can be recorded.")
    _set_status(release, Status.PUBLISHED)
    release.freeze_borrowed()
    store_record(release)
    _public_pages_changed()
    enqueue_release_purge(release.pk)
    audit(actor, AuditEntry.Action.IMPORTED, release, f"already public: {source}")
    audit(
        actor,
        AuditEntry.Action.PUBLISHED,
        release,
        f"public from {local_time(release.published_at)}: a past time, recorded as history "
        f"({source})",
    )


@transaction.atomic
def restore_revision(release: Release, revision: Revision, user) -> Revision:
    """Make an old revision's content the current draft (recorded as a new revision)."""
    if revision.release_id != release.pk:
        raise TransitionRefused("That revision belongs to another release.")
    _lock(release)
    if not release.is_editable:
        raise TransitionRefused(
            f"Cannot restore: the release is {release.state_label.lower()}. Only drafts take "
            "an old revision."
        )
    write_related = _apply_snapshot(release, revision.data)
    release.status = Status.DRAFT
    release.save(update_fields=["status"])
    new = save_release(
        release, user, write_related=write_related, note=f"restored revision {revision.number}"
    )
    audit(user, AuditEntry.Action.RESTORED, release, f"revision {revision.number}")
    return new


def render_stale_records(batch: int = 200) -> int:
    """Store the record of every published release whose stored one is missing or was made by
    other templates (`releases.rendering`), ``batch`` releases per transaction; returns how
    many. Nothing public changes: the page printed the same record rendered live meanwhile."""
    done, last = 0, 0
    while True:
        with transaction.atomic():
            stale = stale_records().filter(pk__gt=last).order_by("pk")
            pks = list(stale.values_list("pk", flat=True)[:batch])
            for release in Release.objects.filter(pk__in=pks).select_for_update():
                store_record(release)
        done += len(pks)
        if len(pks) < batch:
            return done
        last = pks[-1]


# --- taxonomy ------------------------------------------------------------------------------


def check_category(category: Category, user) -> None:
    """The check step of `save_category`, also run by the admin's form: refuses (``field``
    "slug") a slug that another category had, since its old URLs lead there."""
    _require(user, "change_category" if category.pk else "add_category", "edit categories")
    taken = (
        CategorySlugRedirect.objects.filter(old_slug=category.slug)
        .exclude(category_id=category.pk)
        .select_related("category")
        .first()
    )
    if taken:
        raise TransitionRefused(
            f"The URL “{category.slug}” belongs to the category “{taken.category}”: its old "
            "links and feed subscriptions lead there. Choose another slug.",
            field="slug",
        )


@transaction.atomic
def save_category(category: Category, user) -> None:
    """Save a category; a changed slug keeps the old page and feed URLs as permanent redirects
    (feed readers follow a 301 and keep their subscription)."""
    check_category(category, user)
    if category.pk is not None:
        stored = Category.objects.select_for_update().values_list("slug", flat=True)
        old = stored.get(pk=category.pk)
        if old != category.slug:
            CategorySlugRedirect.objects.update_or_create(
                old_slug=old, defaults={"category": category}
            )
    category.save()
    CategorySlugRedirect.objects.filter(old_slug=category.slug, category=category).delete()
    _public_pages_changed()


# --- previews ------------------------------------------------------------------------------


# How long a share link may live, in hours: long enough for a review across a weekend, short
# enough that a forgotten link to embargoed text does not stay open for good.
PREVIEW_LINK_MIN_HOURS = 1
PREVIEW_LINK_MAX_HOURS = 14 * 24


@transaction.atomic
def create_preview_link(
    release: Release,
    user,
    hours: int | None = None,
    note: str = "",
    correction: PendingCorrection | None = None,
) -> PreviewLink:
    """A share link for a release not yet public, or for a pending ``correction`` of a live
    one (it shows the release as the correction would make it), valid for ``hours`` (default
    IRSITE_PREVIEW_LINK_HOURS).

    Refused (`TransitionRefused`, with ``field`` where one is at fault) for a public release
    without a correction, a withdrawn release, a lifetime outside PREVIEW_LINK_MIN_HOURS to
    PREVIEW_LINK_MAX_HOURS, or a note longer than `PreviewLink.note` holds.
    """
    _require(user, "share_release_preview", "share preview links")
    if correction is not None:
        if correction.release_id != release.pk:
            raise TransitionRefused("That correction belongs to another release.")
        if correction.status != PendingCorrection.Status.PENDING:
            raise TransitionRefused("That correction no longer waits for approval.")
    elif release.is_public:
        raise TransitionRefused("The release is public already; share its URL instead.")
    if release.status == Status.WITHDRAWN:
        raise TransitionRefused("The release is withdrawn; it can no longer be shared.")
    hours = settings.IRSITE_PREVIEW_LINK_HOURS if hours is None else hours
    if not PREVIEW_LINK_MIN_HOURS <= hours <= PREVIEW_LINK_MAX_HOURS:
        raise TransitionRefused(
            f"A share link is valid for {PREVIEW_LINK_MIN_HOURS} to {PREVIEW_LINK_MAX_HOURS} "
            f"hours (14 days), not {hours}.",
            field="hours",
        )
    limit = PreviewLink._meta.get_field("note").max_length
    if len(note) > limit:
        raise TransitionRefused(
            f"Say who the link is for in at most {limit} characters.", field="note"
        )
    link = PreviewLink.objects.create(
        release=release,
        correction=correction,
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
