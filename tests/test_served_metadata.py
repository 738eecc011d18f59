"""What a reader downloads carries nothing of its author's metadata (issue 31): an image is its
pixels (no comment, colour profile, EXIF, XMP or text chunk), a document its content (no
author, tool or company). Read back from the PUBLIC file URL with the readers a visitor's
software uses: Pillow for images, pypdf and zipfile for documents.
"""

import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter

from irsite.uploads import check_upload
from releases.models import Release

from .conftest import SYSTEM
from .files import attach, office_document, upload
from .shared import body

MARK = "IRSITE-META"
# What Pillow reads of an image's metadata, under the keys it would write back on a save.
METADATA_KEYS = {"comment", "icc_profile", "exif", "xmp", "XML:com.adobe.xmp", "Comment"}


def xmp(value: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{MARK}{escape(value)}'
        "</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def icc_profile(value: str) -> bytes:
    """An ICC profile's bytes as Pillow carries them (it does not parse them): a header
    naming its maker, then the text."""
    return b"\x00\x00\x02\x00IRSI" + (MARK + value).encode() + b"\x00" * 64


def with_metadata(fmt: str, value: str = "", comment: bytes = b"") -> bytes:
    """A 40×30 image in ``fmt`` carrying every kind of metadata the format has, each holding
    ``MARK`` and ``value``: a JPEG's or GIF's comment, PNG text chunks (tEXt, zTXt, iTXt), an ICC
    profile, EXIF (camera, software, artist) and XMP."""
    image = Image.new("RGB", (40, 30), (200, 60, 20))
    exif = Image.Exif()
    exif[0x010F] = f"{MARK} camera"  # Make
    exif[0x0131] = f"{MARK} software"  # Software
    exif[0x013B] = MARK + value.encode("ascii", "replace").decode()  # Artist (ASCII)
    options: dict = {"exif": exif.tobytes(), "icc_profile": icc_profile(value), "xmp": xmp(value)}
    if fmt in {"JPEG", "GIF"}:
        options["comment"] = f"{MARK}<script>alert(1)</script>".encode() + comment
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", f"{MARK} {value.encode('latin-1', 'replace').decode('latin-1')}")
        info.add_text("Author", f"{MARK} author", zip=True)
        info.add_itxt("Description", f"{MARK} {value}")
        info.add_itxt("XML:com.adobe.xmp", xmp(value).decode())
        options["pnginfo"] = info
    if fmt == "GIF":
        image = image.convert("P")
        options.pop("exif"), options.pop("icc_profile")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    original = buffer.getvalue()
    with Image.open(io.BytesIO(original)) as read:  # it does carry them, as Pillow reads them
        assert read.info.keys() & METADATA_KEYS, read.info
    return original


def assert_pixels_only(content: bytes, fmt: str) -> None:
    assert MARK.encode() not in content
    assert b"<script" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == fmt and image.size == (40, 30)
        assert not image.info.keys() & METADATA_KEYS, image.info
        assert not image.getexif()
        if fmt == "PNG":
            assert not image.text  # no tEXt, zTXt or iTXt chunk at all
        image.load()  # and the pixels decode


FORMATS = [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]


def test_images_served_from_the_public_url_are_their_pixels_only(client, make_release, publish):
    release = make_release()
    attach(release, SYSTEM, *[(fmt, f"photo.{ext}", with_metadata(fmt)) for fmt, ext in FORMATS])
    release = publish(Release.objects.get(pk=release.pk))
    for (fmt, _), attachment in zip(FORMATS, release.attachment_list, strict=True):
        response = client.get(attachment.get_absolute_url())
        assert response.status_code == 200, fmt
        assert_pixels_only(body(response), fmt)


def test_a_gif_is_refused_not_stored_with_its_comment():
    """GIF is not an accepted type: refused by its content, whatever its name, so its comment
    is never stored."""
    for name in ("chart.gif", "chart.png"):
        with pytest.raises(ValidationError, match="accepted are"):
            check_upload(upload(name, with_metadata("GIF")))


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40),
    comment=st.binary(max_size=200),
    format=st.sampled_from(FORMATS),
)
def test_no_metadata_value_survives_the_reencoding(value, comment, format):
    fmt, ext = format
    checked = check_upload(upload(f"photo.{ext}", with_metadata(fmt, value, comment)))
    assert_pixels_only(checked.content, fmt)


def authored_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": f"{MARK} author", "/Producer": f"{MARK} producer"})
    writer.xmp_metadata = xmp("pdf")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_documents_served_from_the_public_url_carry_no_properties(client, make_release, publish):
    release = make_release()
    author, editor, company = (f"{MARK} {who}" for who in ("author", "editor", "company"))
    attach(
        release,
        SYSTEM,
        ("Statements", "statements.pdf", authored_pdf()),
        ("Letter", "letter.docx", office_document("word/document.xml", author, editor, company)),
        ("Tables", "tables.xlsx", office_document("xl/workbook.xml", author, editor, company)),
    )
    release = publish(Release.objects.get(pk=release.pk))
    pdf, docx, xlsx = (body(client.get(a.get_absolute_url())) for a in release.attachment_list)
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.metadata and reader.xmp_metadata is None and len(reader.pages) == 1
    assert MARK.encode() not in pdf
    for served in (docx, xlsx):
        with zipfile.ZipFile(io.BytesIO(served)) as package:
            assert package.testzip() is None
            for member in package.namelist():
                assert MARK.encode() not in package.read(member), member
