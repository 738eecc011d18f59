"""Documents keep their content and lose their author's properties at upload (issue 31), as
images lose their EXIF: what is stored and served of a PDF, XLSX or DOCX names no author, editor,
company, tool or date. Read back with the readers a visitor's software uses (pypdf, zipfile, an
XML parser), never by looking for our own code's traces."""

import hashlib
import io
import zipfile
from xml.sax.saxutils import escape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from irsite.uploads import check_upload
from releases.models import Release

from .admin_forms import form_data
from .conftest import at
from .files import CSV, PDF, attach, office_document, upload
from .shared import body

AUTHOR = "IRSITE-AUTHOR Jane Roe"
EDITOR = "IRSITE-EDITOR Bob Doe"
COMPANY = "IRSITE-COMPANY Acme Ltd"
MARKERS = ("IRSITE-AUTHOR", "IRSITE-EDITOR", "IRSITE-COMPANY", "IRSITE-TOOL", "IRSITE-XMP")
OFFICE = [("word/document.xml", "letter.docx"), ("xl/workbook.xml", "tables.xlsx")]


def xmp(value: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
        f"IRSITE-XMP {escape(value)}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>"
        '</x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def authored_pdf(author: str = AUTHOR, title: str = "IRSITE-AUTHOR's draft") -> bytes:
    """A two-page PDF as an office suite exports one: an information dictionary (author,
    producer, creator tool, title, dates) and an XMP packet on the catalog and on a page."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(842, 595)
    writer.add_metadata({
        "/Author": author,
        "/Creator": "IRSITE-TOOL Word for Microsoft 365",
        "/Producer": "IRSITE-TOOL Microsoft: Print To PDF",
        "/Title": title,
        "/Subject": COMPANY,
        "/Keywords": COMPANY,
        "/CreationDate": "D:20261001081200+02'00'",
        "/ModDate": "D:20261002091500+02'00'",
    })  # fmt: skip
    writer.xmp_metadata = xmp(author)
    # A page with XMP of its own (a tool that assembles a document from others leaves these).
    writer.pages[0][NameObject("/Metadata")] = writer.root_object.raw_get("/Metadata")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def assert_no_pdf_properties(content: bytes, pages: int = 2) -> None:
    reader = PdfReader(io.BytesIO(content), strict=True)
    assert not reader.metadata  # no /Info in the trailer
    assert reader.xmp_metadata is None
    assert "/ID" not in reader.trailer
    assert all("/Metadata" not in page for page in reader.pages)
    assert len(reader.pages) == pages  # and it still opens, page by page
    for marker in MARKERS:  # nor anywhere in the file, in a PDF's two text encodings
        assert marker.encode() not in content
        assert marker.encode("utf-16-be") not in content


def test_pdf_is_stored_without_its_information_dictionary_or_xmp_and_with_its_pages():
    original = authored_pdf()
    # The properties are there to begin with, read as a PDF viewer reads them.
    before = PdfReader(io.BytesIO(original))
    assert before.metadata.author == AUTHOR and before.xmp_metadata is not None
    checked = check_upload(upload("statements.pdf", original))
    assert checked.kind.extension == "pdf"
    assert_no_pdf_properties(checked.content)
    after = PdfReader(io.BytesIO(checked.content))
    # The pages themselves are unchanged: sizes and content streams, byte for byte.
    assert [p.mediabox for p in after.pages] == [p.mediabox for p in before.pages]
    assert [p.get_contents() for p in after.pages] == [p.get_contents() for p in before.pages]
    # What is recorded of the file describes the bytes stored, not those uploaded.
    assert checked.size == len(checked.content) < len(original)
    # No random file identifier: one document, one fingerprint, however often it is uploaded;
    # what is stored, or a PDF without properties, is stored again as it is.
    assert check_upload(upload("again.pdf", original)).sha256 == checked.sha256
    assert check_upload(upload("s.pdf", checked.content)).content == checked.content
    assert check_upload(upload("blank.pdf", PDF)).content == PDF


def test_an_earlier_revision_of_a_pdf_leaves_nothing_of_its_properties():
    # An incremental update appends the new /Info after the old one, which stays in the file:
    # viewers show the new author, anyone can read the old one with a text editor.
    writer = PdfWriter(io.BytesIO(authored_pdf()), incremental=True)
    writer.add_metadata({"/Author": "Investor Relations"})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert AUTHOR.encode() in buffer.getvalue()
    assert_no_pdf_properties(check_upload(upload("s.pdf", buffer.getvalue())).content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (authored_pdf()[:300], "is a damaged PDF"),  # cut short: no cross-reference table
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "is a damaged PDF"),
    ],
    ids=["truncated", "garbage"],
)
def test_pdf_that_cannot_be_read_is_refused_not_stored_as_it_is(content, message):
    with pytest.raises(ValidationError, match=message):
        check_upload(upload("broken.pdf", content))


def test_encrypted_pdf_is_refused_with_its_reason():
    # Its properties cannot be removed without its password, and readers could not open it.
    writer = PdfWriter(clone_from=io.BytesIO(authored_pdf()))
    writer.encrypt(user_password="", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError, match="encrypted PDF"):
        check_upload(upload("locked.pdf", buffer.getvalue()))


def test_signed_pdf_is_refused_rather_than_stored_with_a_broken_signature():
    # Written again without its properties, the signed byte ranges would no longer match: a
    # viewer would call the company's signed statements altered after signing.
    writer = PdfWriter(clone_from=io.BytesIO(authored_pdf()))
    signature = DictionaryObject({
        NameObject("/Type"): NameObject("/Sig"),
        NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
        NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
        NameObject("/ByteRange"): ArrayObject([NumberObject(n) for n in (0, 10, 20, 30)]),
        NameObject("/Contents"): ByteStringObject(b"\x00" * 64),
    })  # fmt: skip
    field = DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"),
        NameObject("/T"): TextStringObject("Signature1"),
        NameObject("/V"): writer._add_object(signature),
    })  # fmt: skip
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([writer._add_object(field)]),
        NameObject("/SigFlags"): NumberObject(3),
    })  # fmt: skip
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError, match="digitally signed PDF"):
        check_upload(upload("signed.pdf", buffer.getvalue()))


def members(content: bytes) -> dict[str, bytes]:
    """Every member of the package, read (CRCs checked) as an office suite would."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def assert_no_office_properties(content: bytes, part: str) -> None:
    parts = members(content)
    # Every XML part parses; the emptied properties keep their element so the package is valid.
    xml = {name: etree.fromstring(data) for name, data in parts.items()}
    core, app = xml["docProps/core.xml"], xml["docProps/app.xml"]
    assert etree.QName(core).localname == "coreProperties" and len(core) == 0 and not core.text
    assert etree.QName(app).localname == "Properties" and len(app) == 0 and not app.text
    # The custom properties are gone with their relationship and content type.
    assert "docProps/custom.xml" not in parts
    assert b"custom" not in parts["_rels/.rels"]
    assert b"/docProps/custom.xml" not in parts["[Content_Types].xml"]
    # The rest of the package is as it was: the document, and the relationships to it.
    assert parts[part] == b"<x>Revenue rose 12%.</x>"
    assert f'Target="{part}"'.encode() in parts["_rels/.rels"]
    assert f'PartName="/{part}"'.encode() in parts["[Content_Types].xml"]
    for data in parts.values():
        for marker in MARKERS:
            assert marker.encode() not in data


@pytest.mark.parametrize(("part", "name"), OFFICE, ids=["docx", "xlsx"])
def test_office_document_is_stored_without_its_core_extended_or_custom_properties(part, name):
    original = office_document(part, AUTHOR, EDITOR, COMPANY)
    assert b"IRSITE-AUTHOR" in members(original)["docProps/core.xml"]
    checked = check_upload(upload(name, original))
    assert checked.kind.extension == name.rsplit(".", 1)[1]
    assert_no_office_properties(checked.content, part)
    assert checked.size == len(checked.content)
    # What is stored is still recognised as the same kind of document.
    assert check_upload(upload(name, checked.content)).kind == checked.kind


def test_documents_attached_to_a_release_are_stored_without_their_properties(editor, make_release):
    release = make_release()
    attach(
        release,
        editor,
        ("Statements", "statements.pdf", authored_pdf()),
        ("Letter", "letter.docx", office_document("word/document.xml", AUTHOR, EDITOR, COMPANY)),
        ("Tables", "tables.xlsx", office_document("xl/workbook.xml", AUTHOR, EDITOR, COMPANY)),
        ("Data", "data.csv", CSV),
    )
    pdf, docx, xlsx, csv = release.attachment_list
    assert csv.file.open("rb").read() == CSV  # a CSV has no properties: stored as uploaded
    stored = {a.extension: a.file.open("rb").read() for a in (pdf, docx, xlsx)}
    assert_no_pdf_properties(stored["pdf"])
    assert_no_office_properties(stored["docx"], "word/document.xml")
    assert_no_office_properties(stored["xlsx"], "xl/workbook.xml")
    for attachment in (pdf, docx, xlsx):  # the recorded size and fingerprint are the stored file's
        data = stored[attachment.extension]
        assert attachment.size == len(data)
        assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_editor_uploads_documents_in_the_admin_and_staff_download_them_without_properties(
    client, editor, contacts, disclaimer_versions, company, _own_media
):
    client.force_login(editor)
    rows = [
        ("statements.pdf", authored_pdf()),
        ("letter.docx", office_document("word/document.xml", AUTHOR, EDITOR, COMPANY)),
    ]
    data = form_data(contacts, disclaimer_versions) | {
        "attachments-TOTAL_FORMS": str(len(rows)),
        "attachments-INITIAL_FORMS": "0",
    }
    for i, (name, content) in enumerate(rows):
        data |= {
            f"attachments-{i}-title": name,
            f"attachments-{i}-position": i,
            f"attachments-{i}-upload": upload(name, content),
        }
    with time_machine.travel(at(2026, 11, 26, 12, 0, 0), tick=False):
        response = client.post(reverse("admin:releases_release_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    release = Release.objects.get()
    pdf, docx = release.attachment_list
    served = [
        body(client.get(reverse("admin:releases_release_attachment", args=[release.pk, a.pk])))
        for a in (pdf, docx)
    ]
    assert_no_pdf_properties(served[0])
    assert_no_office_properties(served[1], "word/document.xml")


# Property values as people and tools type them: markup, entities, quotes, control characters,
# any script. A unique prefix makes a surviving value findable whatever surrounds it.
values = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("<>&\"';]]>-->\x00\x01\x08\x0b\x1f\x7f\r\n\t\u202e")),
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
    ),
    max_size=40,
)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(author=values, editor_name=values, company_name=values, kind=st.sampled_from(OFFICE))
def test_no_office_property_value_survives_the_upload(author, editor_name, company_name, kind):
    part, name = kind
    # Raw control characters make the properties invalid XML: still removed, never parsed.
    original = office_document(
        part,
        f"IRSITE-AUTHOR{author}",
        f"IRSITE-EDITOR{editor_name}",
        f"IRSITE-COMPANY{company_name}",
    )
    assert_no_office_properties(check_upload(upload(name, original)).content, part)


@hypothesis_settings(max_examples=40, deadline=None)
@given(author=values, title=values)
def test_no_pdf_property_value_survives_the_upload(author, title):
    original = authored_pdf(author=f"IRSITE-AUTHOR{author}", title=f"IRSITE-AUTHOR{title}")
    assert_no_pdf_properties(check_upload(upload("s.pdf", original)).content)
