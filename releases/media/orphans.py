"""What release files a row refers to (`irsite.storedfiles`, `manage.py clean_orphan_files`):
declared for the attachments' and renditions' folders in `releases.apps`."""

from collections.abc import Iterator

from ..models import Attachment, PendingCorrection, Rendition, Revision


def referenced_names() -> Iterator[str]:
    """A current attachment, any revision or prepared correction (pending or decided: a record
    too), a PDF rendition."""
    yield from Attachment.objects.values_list("file", flat=True)
    for model in (Revision, PendingCorrection):
        for data in model.objects.values_list("data", flat=True).iterator():
            yield from (a["file"] for a in (data or {}).get("attachments", []))
    yield from Rendition.objects.values_list("file", flat=True)
