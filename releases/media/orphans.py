"""Stored files nothing refers to any more (`manage.py clean_orphan_files`).

A save that fails removes what it stored (`irsite.uploads.removed_if_failed`); a crashed process
can still leave a file behind, and this finds it.
"""

from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from irsite.contacts.models import CompanyProfile, Letterhead
from irsite.uploads import FOLDER

from ..models import Attachment, PendingCorrection, Rendition, Revision


def referenced_names() -> set[str]:
    """Every stored name something refers to: a current attachment, any revision or prepared
    correction (pending or decided: a record too), a PDF rendition, the company's logo, and
    every logo a letterhead as approved keeps (a published release prints it for ever)."""
    names = set(Attachment.objects.values_list("file", flat=True))
    for model in (Revision, PendingCorrection):
        for data in model.objects.values_list("data", flat=True).iterator():
            names.update(a["file"] for a in (data or {}).get("attachments", []))
    names.update(Rendition.objects.values_list("file", flat=True))
    names.update(Letterhead.objects.exclude(logo="").values_list("logo", flat=True))
    names.update(CompanyProfile.objects.exclude(logo="").values_list("logo", flat=True))
    return names


# Every folder irsite stores files in: attachments, PDF renditions, logos.
FOLDERS = (FOLDER, "renditions", "brand")


def orphans(older_than: timedelta) -> list[str]:
    """Stored files nothing refers to (`referenced_names`), last written before ``older_than``
    ago (younger ones may belong to a save still in progress)."""
    cutoff: datetime = timezone.now() - older_than
    referenced = referenced_names()
    found = []
    for folder in FOLDERS:
        try:
            _, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for file in sorted(files):
            name = f"{folder}/{file}"
            if name not in referenced and default_storage.get_modified_time(name) <= cutoff:
                found.append(name)
    return found
