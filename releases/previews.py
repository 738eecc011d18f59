"""Share links: signed tokens naming one preview link, checked against its row on every use."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core import signing
from django.db import transaction

from .models import PendingCorrection, PreviewLink, Release

_SALT = "irsite.releases.preview-link"


def preview_token(link: PreviewLink) -> str:
    # The release id is signed in too, so a token can never be pointed at another release.
    return signing.dumps({"link": link.pk, "release": link.release_id}, salt=_SALT, compress=True)


def resolve_preview_token(token: str) -> PreviewLink | None:
    """The link a token names if it is authentic and `PreviewLink.is_valid`; else None."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    link = (
        PreviewLink.objects.select_related("release")
        .filter(pk=payload.get("link"), release_id=payload.get("release"))
        .first()
    )
    return link if link and link.is_valid else None


@contextmanager
def corrected_copy(correction: PendingCorrection) -> Iterator[Release]:
    """The release as a pending correction would make it, for a preview: the correction is
    written inside a savepoint that is rolled back on leaving, so nothing of it stays."""
    from .actions import _apply_snapshot  # the one reader of a snapshot

    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            release = Release.objects.select_for_update().get(pk=correction.release_id)
            write_related = _apply_snapshot(release, correction.data)
            release.save()
            write_related()
            yield Release.objects.for_page().get(pk=release.pk)
        finally:
            transaction.savepoint_rollback(savepoint)
