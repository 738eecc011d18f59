"""Zip-based uploads are inspected with bounded reads (issue 31): an office document that
unpacks past `irsite.uploads.ZIP_MAX_UNPACKED` in all, or past `ZIP_MAX_RATIO` times a member's
packed size, is refused with a sentence in the form and nothing is stored, without unpacking it
(a 2 GiB DOCX bomb had been unpacked inside the request, 7.5 s, and accepted). Other zip-based
types (PPTX, ODT, a plain ZIP) are refused by their type, before any unpacking.
"""

import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from irsite.uploads import ZIP_MAX_RATIO, ZIP_MAX_UNPACKED, check_upload
from releases.models import Attachment, Release

from .admin_forms import form_data
from .conftest import at
from .files import upload

CONTENT_TYPES = b'<?xml version="1.0"?><Types/>'
MiB = 1024 * 1024


def bomb(unpacked: int, part: str = "word/document.xml", declared: int | None = None) -> bytes:
    """A DOCX (or, with ``part`` ``xl/workbook.xml``, an XLSX) whose ``part`` unpacks to
    ``unpacked`` zero bytes (a multiple of 1 MiB), written by hand as bombs are: one deflated
    MiB of zeros repeated (each a whole block, byte-aligned), so 2 GiB packs to about 2 MB
    and is made in a second. ``declared``: the size its headers claim (the true one unless a
    bomb lies about it)."""
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeezer.compress(b"\0" * MiB) + squeezer.flush(zlib.Z_FULL_FLUSH)
    count = unpacked // MiB
    packed = block * count + b"\x03\x00"  # a final, empty block ends the stream
    crc, zeros = 0, b"\0" * MiB
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    size = unpacked if declared is None else declared
    out = io.BytesIO()
    # The small parts first, written by zipfile; then the bomb's member by hand.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", "<Relationships/>")
        entries = archive.infolist()
    body = out.getvalue()
    central_start = body.index(b"PK\x01\x02")
    head, central = body[:central_start], body[central_start : body.rindex(b"PK\x05\x06")]
    name = part.encode()
    offset = len(head)
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(name), 0
    )
    record = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(packed), size,
        len(name), 0, 0, 0, 0, 0, offset,
    )  # fmt: skip
    members = head + local + name + packed
    directory = central + record + name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries) + 1, len(entries) + 1, len(directory),
        len(members), 0,
    )  # fmt: skip
    return members + directory + end


def stored(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_the_handmade_bomb_is_a_sound_archive_that_unpacks_to_what_it_says():
    """The tests' bomb is a real one: zipfile reads it whole, every byte and its CRC."""
    small = bomb(3 * MiB)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.testzip() is None
        assert archive.read("word/document.xml") == b"\0" * (3 * MiB)


@pytest.mark.parametrize(
    ("name", "part"), [("results.docx", "word/document.xml"), ("tables.xlsx", "xl/workbook.xml")]
)
def test_editor_uploading_a_2_gib_office_bomb_gets_a_form_error_at_once_and_nothing_is_stored(
    client, editor, contacts, disclaimer_versions, company, _own_media, name, part
):
    content = bomb(2048 * MiB, part)
    assert len(content) < 3 * MiB  # about 2 MB on the wire
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions) | {
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-title": "Results",
        "attachments-0-position": "0",
        "attachments-0-upload": upload(name, content),
    }
    started = time.monotonic()
    with time_machine.travel(at(2026, 11, 26, 12, 0, 0), tick=False):
        response = client.post(reverse("admin:releases_release_add"), data)
    took = time.monotonic() - started
    print(f"2 GiB {name} refused in {took:.2f} s")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"“{name}” is a damaged" in page and "unpacks to more than a document holds" in page
    assert f"over {ZIP_MAX_UNPACKED // MiB} MB, or {ZIP_MAX_RATIO} times its size" in page
    assert not Release.objects.exists() and not Attachment.objects.exists()
    assert stored(_own_media) == []
    # It stops at the first bound crossed (100 MB unpacked at most), not after 2 GiB; the
    # bound is loose for a loaded machine (the whole request, form and page included).
    assert took < 10


@pytest.mark.parametrize(
    ("unpacked", "declared"),
    [
        (ZIP_MAX_UNPACKED + MiB, None),  # past the total, however packed
        (8 * MiB, 1024),  # a header that lies about its size: the CRC no longer matches
    ],
)
def test_an_office_document_past_its_bounds_or_lying_about_its_size_is_refused(unpacked, declared):
    with pytest.raises(ValidationError, match="unpacks to more than a document holds"):
        check_upload(upload("bomb.docx", bomb(unpacked, declared=declared)))


def test_a_member_unpacking_past_the_ratio_is_refused_however_small_in_all():
    content = bomb(4 * MiB)  # 4 MiB of zeros pack to about 4 KB: a ratio near 1,000
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        member = archive.getinfo("word/document.xml")
        assert member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1024)
    with pytest.raises(ValidationError, match="unpacks to more than a document holds"):
        check_upload(upload("small.docx", content))


def zip_of(*members: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


# Each packed only when its test runs: 64 MiB of zeros, past the ratio if it were unpacked.
OTHER_ZIPS = {
    "deck.pptx": [("[Content_Types].xml", CONTENT_TYPES), ("ppt/presentation.xml", None)],
    "archive.zip": [("data.bin", None)],
    # An OpenDocument text named as a Word document.
    "letter.docx": [
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", None),
    ],
}


@pytest.mark.parametrize("name", list(OTHER_ZIPS))
def test_other_zip_based_uploads_are_refused_by_their_type(name):
    members = [(part, data or b"\0" * (64 * MiB)) for part, data in OTHER_ZIPS[name]]
    with pytest.raises(ValidationError, match=r"accepted are|not a type irsite accepts"):
        check_upload(upload(name, zip_of(*members)))
