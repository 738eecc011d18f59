"""The record's past: a publication recorded as history, a revision restored, stored records
made again."""

import logging

from django.db import transaction

from irsite import clock
from irsite.times import local_time

from ..models import (
    AuditEntry,
    Release,
    Revision,
)
from ..record.rendering import render_record, stale_records, store_records
from .base import (
    TransitionRefused,
    _lock,
    _require,
    audit,
    set_status,
)
from .content import save_release
from .corrections import _apply_snapshot
from .golive import public_release_changed

logger = logging.getLogger(__name__)

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
    set_status(release, Status.PUBLISHED)
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


# Releases per transaction of the background re-render: about a second of rendering, so a
# correction approved meanwhile waits at most that long for the rows a batch holds.
RENDER_BATCH = 100


def render_stale_batch(after: int = 0, batch: int = RENDER_BATCH) -> tuple[int, int | None]:
    """Store the records of the first ``batch`` releases with an id above ``after`` whose stored
    record is missing or was made by other templates (`releases.record.rendering`); returns how
    many were stored and the id to go on after (None: none is left).

    The records are rendered outside any transaction, as a stale page renders them live, and
    stored in a short one. The check: there, each release is locked and its version compared
    with the one rendered; a release corrected meanwhile (whose rows may have been read half
    before, half after) is left for its correction's own record, and rows another transaction
    holds (a correction being approved, a second worker's batch) are skipped, not waited for.
    Nothing public changes: the page printed the same record rendered live. A release whose
    record fails to render is logged and left to render live."""
    stale = stale_records().filter(pk__gt=after).order_by("pk")
    pks = list(stale.values_list("pk", flat=True)[:batch])
    if not pks:
        return 0, None
    rendered = {}
    # The release row is read before the rows its record prints (prefetched after it).
    for release in Release.objects.for_page().filter(pk__in=pks):
        try:
            rendered[release.pk] = (release, render_record(release))
        except Exception:  # one release's failure must not hold back the others'
            logger.exception("The record of release %s did not render", release.pk)
    with transaction.atomic():
        locked = Release.objects.filter(pk__in=list(rendered)).select_for_update(skip_locked=True)
        versions = dict(locked.values_list("pk", "version"))
        stored = store_records(
            (release, record)
            for pk, (release, record) in rendered.items()
            if versions.get(pk) == release.version
        )
    return stored, pks[-1]


def render_stale_records(batch: int = RENDER_BATCH) -> int:
    """Store every stale record now (`render_stale_batch` until none is left); how many.
    `manage.py render_releases`; the worker does the same in the background."""
    done, after = 0, 0
    while True:
        stored, next_after = render_stale_batch(after, batch)
        done += stored
        if next_after is None:
            return done
        after = next_after
