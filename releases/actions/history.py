"""The record's past: a publication recorded as history, a revision restored, stored records
made again."""

from django.db import transaction

from irsite import clock
from irsite.times import local_time

from ..models import (
    AuditEntry,
    Release,
    Revision,
)
from ..record.rendering import stale_records, store_record
from .base import (
    TransitionRefused,
    _lock,
    _require,
    _set_status,
    audit,
)
from .content import save_release
from .corrections import _apply_snapshot
from .golive import public_release_changed

Status = Release.Status
State = Release.State


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
    if not release.published_at or release.published_at > clock.now():
        raise TransitionRefused("Only a release with a past publication time can be recorded.")
    _set_status(release, Status.PUBLISHED)
    release.freeze_borrowed()
    public_release_changed(release)
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
    assert isinstance(new, Revision)  # a draft's save is a revision, not a correction
    audit(user, AuditEntry.Action.RESTORED, release, f"revision {revision.number}")
    return new


def render_stale_records(batch: int = 200) -> int:
    """Store the record of every published release whose stored one is missing or was made by
    other templates (`releases.record.rendering`), ``batch`` releases per transaction; returns how
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
