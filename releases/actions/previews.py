"""Share links for reviewers without an account: created and revoked by those who may share."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from irsite import clock

from ..models import (
    AuditEntry,
    PendingCorrection,
    PreviewLink,
    Release,
)
from .base import (
    TransitionRefused,
    _person,
    _require,
    audit,
)

Status = Release.Status
State = Release.State


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
    assert limit is not None  # a CharField's
    if len(note) > limit:
        raise TransitionRefused(
            f"Say who the link is for in at most {limit} characters.", field="note"
        )
    link = PreviewLink.objects.create(
        release=release,
        correction=correction,
        created_by=_person(user),
        expires_at=clock.now() + timedelta(hours=hours),
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
    link.revoked_at = clock.now()
    link.save(update_fields=["revoked_at"])
    audit(user, AuditEntry.Action.PREVIEW_LINK_REVOKED, link.release, f"link {link.pk}")
