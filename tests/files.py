"""Real files of each accepted type (and some refused ones), made in memory for the tests."""

import io
import zipfile
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from irsite.uploads import check_upload
from releases import actions
from releases.models import Attachment, Release

# A one-page PDF with no properties, whole (a cross-reference table, which a reader needs): the
# upload checks find nothing to strip from it, so it is stored and served as these bytes.
PDF = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n"
    b"1 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n"
    b"2 0 obj\n<<\n/Type /Pages\n/Count 1\n/Kids [ 3 0 R ]\n>>\nendobj\n"
    b"3 0 obj\n<<\n/Type /Page\n/Resources <<\n>>\n/MediaBox [ 0.0 0.0 200 200 ]\n/Parent 2 0 R\n"
    b">>\nendobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n0000000064 00000 n \n"
    b"0000000123 00000 n \ntrailer\n<<\n/Size 4\n/Root 1 0 R\n>>\nstartxref\n217\n%%EOF\n"
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


OPC_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def office_document(part: str, creator: str, modified_by: str, company: str) -> bytes:
    """An Office Open XML package as Word or Excel saves one: ``part`` (``word/document.xml``,
    ``xl/workbook.xml``) and its properties in docProps: core (creator, last modified by, title,
    dates…), extended (company, manager, application…) and custom, each with its relationship
    and content type. The values are escaped as XML text."""
    creator, modified_by, company = (escape(v) for v in (creator, modified_by, company))
    main = "spreadsheetml.sheet" if part.startswith("xl/") else "wordprocessingml.document"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="application/'
            f'vnd.openxmlformats-officedocument.{main}.main+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            '<Override PartName="/docProps/custom.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{OPC_REL}">'
            f'<Relationship Id="rId1" Type="{OFFICE_REL}/officeDocument" Target="{part}"/>'
            f'<Relationship Id="rId2" Type="{OPC_REL}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{OFFICE_REL}/extended-properties" '
            'Target="docProps/app.xml"/>'
            f'<Relationship Id="rId4" Type="{OFFICE_REL}/custom-properties" '
            'Target="docProps/custom.xml"/>'
            "</Relationships>",
        )
        archive.writestr(part, "<x>Revenue rose 12%.</x>")
        archive.writestr(
            "docProps/core.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            f'xmlns:cp="{CORE_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>Draft for {creator}</dc:title><dc:subject>{company}</dc:subject>"
            f"<dc:creator>{creator}</dc:creator><cp:keywords>{company}</cp:keywords>"
            f"<cp:lastModifiedBy>{modified_by}</cp:lastModifiedBy><cp:revision>41</cp:revision>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-10-01T08:12:00Z</dcterms:created>'
            "</cp:coreProperties>",
        )
        archive.writestr(
            "docProps/app.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
            f'xmlns="{APP_NS}" xmlns:vt="{VT_NS}"><Application>Microsoft Office Word</Application>'
            f"<Company>{company}</Company><Manager>{modified_by}</Manager>"
            f"<TotalTime>312</TotalTime><Template>{creator}.dotm</Template></Properties>",
        )
        archive.writestr(
            "docProps/custom.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
            f'xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}"><property '
            'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Reviewer">'
            f"<vt:lpwstr>{modified_by}</vt:lpwstr></property></Properties>",
        )
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
