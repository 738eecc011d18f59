"""Previews of what is not public: share links (signed tokens naming one preview link, checked
against its row on every use: `releases.models.links`) and a pending correction applied to a
copy of its release."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from .models import PendingCorrection, Release
from .models.links import preview_token, resolve_preview_token

__all__ = ["corrected_copy", "preview_token", "resolve_preview_token"]


@contextmanager
def corrected_copy(correction: PendingCorrection) -> Iterator[Release]:
    """The release as a pending correction would make it, for a preview: the correction is
    written inside a savepoint that is rolled back on leaving, so nothing of it stays."""
    from .actions.corrections import _apply_snapshot  # the one reader of a snapshot

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
