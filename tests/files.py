"""Real files of each accepted type (and some refused ones), made in memory for the tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from irsite.uploads import check_upload
from releases import actions
from releases.models import Attachment, Release

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CSV = b"quarter,revenue\nQ1,9.87\nQ2,10.12\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
# A Windows executable's first bytes.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
CAMERA = "IRSITE-SECRET-CAMERA"


def ooxml(part: str) -> bytes:
    """A minimal Office Open XML package: ``xl/workbook.xml`` (XLSX), ``word/document.xml``
    (DOCX)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A photo with a camera name and a GPS position in its EXIF metadata."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def attach(release: Release, by, *files: tuple, note: str = "") -> Release:
    """Save ``release`` with these (title, file name, bytes[, is the release image]) as its
    attachments, as the admin does: through `actions.save_release`, the files checked first."""
    checked = [
        (spec[0], check_upload(upload(spec[1], spec[2])), len(spec) > 3 and spec[3])
        for spec in files
    ]

    def write_related() -> None:
        start = release.attachments.count()
        for position, (title, item, is_image) in enumerate(checked, start):
            attachment = Attachment(
                release=release, title=title, position=position, is_release_image=is_image
            )
            attachment.take(item)
            attachment.save()

    release.refresh_from_db()
    actions.save_release(release, by, write_related=write_related, correction_note=note)
    return release
