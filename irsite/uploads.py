"""Uploaded files (a release's attachments and images, the company logo): what is accepted,
how it is stored, and how nothing is left behind.

A file's type is decided by its bytes (magic numbers, read by the `filetype` library; CSV, which
has none, must be plain UTF-8 text that is not markup), never by its name or the browser's
Content-Type. Images are decoded and their pixels saved as a new image with Pillow
(`_pixels_only`), so what is stored carries no EXIF (GPS position, camera), XMP, comment, ICC
profile or text chunk from the original. Documents keep their content and lose
their properties the same way (`_without_properties`): a PDF is written again without its
document information dictionary, XMP streams or file identifier; an XLSX or DOCX without its core,
extended and custom properties. SVG is refused, not sanitized: it is a script-capable document,
and a release's images need no vector format.

Stored names are ``attachments/<32 random hex>.<ext>``: nothing of the release (slug, headline,
date) and nothing guessable. The storage (`settings.STORAGES["default"]`: a folder under
MEDIA_ROOT, or a private S3 bucket) is never exposed; each app serves a file through
`irsite.http.file_response` only while its owner is public (`releases.public.views`).
"""

import csv
import hashlib
import io
import logging
import re
import secrets
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from lxml import etree
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger("irsite.uploads")

FOLDER = "attachments"
# Office files are ZIP containers; a broken one is refused.
_OOXML = {"xlsx", "docx"}


@dataclass(frozen=True)
class Kind:
    """An accepted file type: its extension as stored, its media type, and a reader's label."""

    extension: str
    content_type: str
    label: str


KINDS: dict[str, Kind] = {
    k.extension: k
    for k in [
        Kind("pdf", "application/pdf", "PDF"),
        Kind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel workbook",
        ),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document",
        ),
        Kind("csv", "text/csv", "CSV"),
        Kind("png", "image/png", "PNG image"),
        Kind("jpg", "image/jpeg", "JPEG image"),
        Kind("webp", "image/webp", "WebP image"),
    ]
}
# Pillow's format name for each image kind, for re-encoding.
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}
ACCEPTED = "PDF, XLSX, CSV, DOCX, PNG, JPEG or WebP"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, as it will be stored."""

    kind: Kind
    content: bytes
    original_name: str
    dimensions: tuple[int, int] | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"upload.{self.kind.extension}")


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_attachment")


def check_upload(upload) -> CheckedFile:
    """Read an uploaded file (a Django ``UploadedFile``) and decide whether it may be attached.

    Returns the `CheckedFile` to store (images re-encoded, documents written again, both without
    their metadata). Raises `ValidationError` with one sentence for the editor: too large
    (``IRSITE_ATTACHMENT_MAX_BYTES``), a type not in `KINDS` judged by content, SVG, a damaged,
    encrypted or signed PDF, a damaged office file or image, or an image over
    ``IRSITE_IMAGE_MAX_PIXELS``.
    """
    name = getattr(upload, "name", "") or "file"
    limit = settings.IRSITE_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _refuse(f"“{name}” is {filesizeformat(upload.size)}; the limit per file is "
                      f"{filesizeformat(limit)}.")  # fmt: skip
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _refuse(f"“{name}” is larger than the limit per file, {filesizeformat(limit)}.")
    if not content:
        raise _refuse(f"“{name}” is empty.")
    kind = _kind_of(content, name)
    dimensions = None
    if kind.extension in IMAGE_FORMATS:
        content, dimensions = _reencoded(content, kind, name)
    elif kind.extension in DOCUMENT_KINDS:
        content = _without_properties(content, kind, name)
    return CheckedFile(kind=kind, content=content, original_name=name, dimensions=dimensions)


def _kind_of(content: bytes, name: str) -> Kind:
    if _looks_like_svg(content):
        raise _refuse(f"“{name}” is an SVG image; SVG can carry scripts and is not accepted. "
                      "Upload a PNG, JPEG or WebP instead.")  # fmt: skip
    guessed = filetype.guess(content)
    if guessed is not None:
        kind = KINDS.get(guessed.extension)
        if kind is None:
            raise _refuse(f"“{name}” is a {guessed.mime} file; accepted are {ACCEPTED}.")
        if kind.extension in _OOXML and not _is_sound_zip(content):
            raise _refuse(
                f"“{name}” is a damaged {kind.label}, or unpacks to more than a document holds "
                f"(over {ZIP_MAX_UNPACKED // 1024 // 1024} MB, or {ZIP_MAX_RATIO} times its size)."
            )
        return kind
    if _is_csv(content):
        return KINDS["csv"]
    raise _refuse(f"The content of “{name}” is not a type irsite accepts ({ACCEPTED}).")


def _looks_like_svg(content: bytes) -> bool:
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in content.lower()


# An office document is a zip: what it may unpack to, checked by reading it, never trusting its
# directory. A DOCX "zip bomb" of 2 GiB was once decompressed inside the upload request.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200  # a member unpacking to more than this many times its packed size


def _is_sound_zip(content: bytes) -> bool:
    """A readable archive (every member's CRC checked) that stays within the bounds above,
    read in chunks that stop at the first bound crossed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                return False
            total = 0
            for member in members:
                limit = min(ZIP_MAX_UNPACKED, max(member.compress_size, 1024) * ZIP_MAX_RATIO)
                read = 0
                with archive.open(member) as stream:  # checks the CRC at the end
                    while chunk := stream.read(64 * 1024):
                        read += len(chunk)
                        total += len(chunk)
                        if read > limit or total > ZIP_MAX_UNPACKED:
                            return False
            return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


def _is_csv(content: bytes) -> bool:
    """Plain UTF-8 text in rows of comma-, semicolon- or tab-separated fields, not markup."""
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    if text.lstrip().startswith("<"):
        return False
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return False
    return len(rows) > 1 or any(len(row) > 1 for row in rows)


def _reencoded(content: bytes, kind: Kind, name: str) -> tuple[bytes, tuple[int, int]]:
    """The image decoded and written again in its own format (pixels only, no metadata), and
    its width and height."""
    max_pixels = settings.IRSITE_IMAGE_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise _refuse(f"“{name}” is {width}×{height} pixels; the limit is "
                              f"{max_pixels:,} pixels.")  # fmt: skip
            probe.load()
            image = probe.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise _refuse(f"“{name}” is a damaged {kind.label}.") from error
    image = _pixels_only(image)
    out = io.BytesIO()
    fmt = IMAGE_FORMATS[kind.extension]
    if fmt == "JPEG":
        if image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        image.save(out, fmt, quality=90, optimize=True)
    elif fmt == "WEBP":
        image.save(out, fmt, quality=90)
    else:
        image.save(out, fmt, optimize=True)
    return out.getvalue(), image.size


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of ``image``'s pixels (with its palette and transparency, which are
    part of them) and nothing else it read: Pillow writes back what an image carries (a JPEG's
    comment from ``info``, an ICC profile, EXIF, XMP, a GIF's comment), so what is saved is an
    image that never carried any."""
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode in {"P", "PA"} and image.palette is not None:
        palette_mode = image.palette.mode
        fresh.putpalette(image.getpalette(palette_mode) or [], palette_mode)
    if "transparency" in image.info:
        fresh.info["transparency"] = image.info["transparency"]
    return fresh


# --- documents without their properties -------------------------------------------------------

# The document kinds that carry properties of their author (CSV has none).
DOCUMENT_KINDS = {"pdf"} | _OOXML


def _without_properties(content: bytes, kind: Kind, name: str) -> bytes:
    """The document as it is stored: its content, none of its properties (who wrote it, with
    what, when, for which company). Runs after `_kind_of`, so an office file's bounds are
    already checked."""
    if kind.extension == "pdf":
        return _pdf_without_properties(content, name)
    return _ooxml_without_properties(content)


# Where a PDF keeps what its author's tools recorded: XMP packets (on the catalog, and on any page,
# image or font) and applications' private data.
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")
_PDF_HEADER = re.compile(r"%PDF-[12]\.\d")


def _pdf_without_properties(content: bytes, name: str) -> bytes:
    """The PDF written again from its catalog down (streams copied as they are encoded, so pages
    keep their bytes), without the information dictionary (/Author, /Creator, /Producer, /Title,
    dates…), XMP streams or the trailer's /ID. Only objects the document still uses are written,
    so no earlier revision (an incremental update's old /Info) survives either."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        encrypted = reader.is_encrypted
    except Exception as error:  # a parser of untrusted bytes fails in many ways: all "damaged"
        logger.info("refused PDF %r: %r", name, error)
        raise _refuse(f"“{name}” is a damaged PDF; it cannot be read.") from error
    if encrypted:
        raise _refuse(f"“{name}” is an encrypted PDF; upload a copy without a password or "
                      "restrictions.")  # fmt: skip
    try:
        signed = _is_signed(reader)
    except Exception as error:
        raise _refuse(f"“{name}” is a damaged PDF; it cannot be read.") from error
    if signed:
        # Writing it again without its properties would break the signature, which a reader's
        # viewer then reports as a document altered after signing.
        raise _refuse(
            f"“{name}” is a digitally signed PDF; its author's properties cannot be removed "
            "without breaking the signature. Upload an unsigned copy."
        )
    try:
        # The catalog and what it uses, never the trailer: no /Info, and no /ID pair (a hash of
        # the original's path, time and properties that ties the stored file to the author's
        # copy; a PDF needs none unless encrypted, and without it an upload is stored as the
        # same bytes each time).
        # The XMP streams are let go before the copy, so they are not written even as unused
        # objects (and a stored PDF, uploaded again, is stored as the same bytes).
        _drop_pdf_metadata(reader.root_object)
        writer = PdfWriter()
        writer.clone_reader_document_root(reader)
        if _PDF_HEADER.fullmatch(reader.pdf_header):
            writer.pdf_header = reader.pdf_header
        out = io.BytesIO()
        writer.write(out)
        _ = len(PdfReader(io.BytesIO(out.getvalue()), strict=False).pages)  # it still opens
    except Exception as error:
        logger.info("refused PDF %r: %r", name, error)
        raise _refuse(f"“{name}” is a damaged PDF; it cannot be read.") from error
    return out.getvalue()


def _is_signed(reader: PdfReader) -> bool:
    """A signature field with a value (or a certification's /Perms) in the document's form."""
    root = reader.root_object
    if "/Perms" in root:
        return True
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if not isinstance(form, DictionaryObject):
        return False
    fields = form.get("/Fields")
    fields = fields.get_object() if fields is not None else None
    stack: list = list(fields) if isinstance(fields, ArrayObject) else []
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
        field = item.get_object()
        if not isinstance(field, DictionaryObject):
            continue
        if field.get("/FT") == "/Sig" and field.get("/V") is not None:
            return True
        kids = field.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        if isinstance(kids, ArrayObject):
            stack.extend(kids)
    return False


def _drop_pdf_metadata(root: DictionaryObject) -> None:
    """Remove the metadata keys from every dictionary reachable from the catalog (each object
    visited once, without recursion, so a deep or cyclic document cannot exhaust the stack)."""
    seen: set[int] = set()
    stack: list = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # stream objects are dictionaries too
            for key in _PDF_METADATA_KEYS:
                item.pop(key, None)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


# An Office Open XML package names its property parts by relationship type in _rels/.rels.
_OPC_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OPC_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_EXTENDED = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
)
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_EMPTY_EXTENDED = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
# No DTD, no entity, no network: the package's XML is the uploader's.
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _ooxml_without_properties(content: bytes) -> bytes:
    """The package again, member by member: the core properties (dc:creator,
    cp:lastModifiedBy, dc:title, cp:keywords, cp:revision, dates…) and the extended ones
    (Company, Manager, Application, TotalTime, Template…) emptied, the custom properties removed
    with their relationship and content-type override. Every other member is copied unchanged
    (streamed; `_is_sound_zip` has bounded what it unpacks to); the archive's and members'
    comments, extra fields and timestamps are not carried over."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        root_rels = archive.read("_rels/.rels") if "_rels/.rels" in names else None
        targets = _property_parts(root_rels)
        core = targets.get(_CORE, set()) | {"docProps/core.xml"}
        extended = targets.get(_EXTENDED, set()) | {"docProps/app.xml"}
        custom = targets.get(_CUSTOM, set()) | {"docProps/custom.xml"}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as cleaned:
            for member in archive.infolist():
                if member.filename in custom:
                    continue
                info = zipfile.ZipInfo(member.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                if member.is_dir():
                    cleaned.writestr(info, b"")
                elif member.filename in core:
                    cleaned.writestr(info, _EMPTY_CORE)
                elif member.filename in extended:
                    cleaned.writestr(info, _EMPTY_EXTENDED)
                elif member.filename == "_rels/.rels" and root_rels is not None:
                    cleaned.writestr(info, _without(root_rels, "Relationship", "Type", {_CUSTOM}))
                elif member.filename == "[Content_Types].xml":
                    types = archive.read(member)
                    cleaned.writestr(info, _without(types, "Override", "PartName",
                                                     {"/" + part for part in custom}))  # fmt: skip
                else:
                    with archive.open(member) as source, cleaned.open(info, "w") as target:
                        shutil.copyfileobj(source, target, 64 * 1024)
    return out.getvalue()


def _property_parts(rels: bytes | None) -> dict[str, set[str]]:
    """The package's parts by relationship type, from its _rels/.rels."""
    parts: dict[str, set[str]] = {}
    if rels is None:
        return parts
    try:
        root = etree.fromstring(rels, _XML)
    except etree.XMLSyntaxError:
        return parts
    for rel in root.iter(f"{{{_OPC_RELATIONSHIPS}}}Relationship"):
        if rel.get("TargetMode") != "External":
            parts.setdefault(rel.get("Type", ""), set()).add(rel.get("Target", "").lstrip("/"))
    return parts


def _without(xml: bytes, element: str, attribute: str, values: set[str]) -> bytes:
    """``xml`` without its ``element`` children whose ``attribute`` is one of ``values`` (the
    XML unchanged when there is none, or when it does not parse: the package was so already)."""
    try:
        root = etree.fromstring(xml, _XML)
    except etree.XMLSyntaxError:
        return xml
    drop = [child for child in root if etree.QName(child).localname == element
            and child.get(attribute) in values]  # fmt: skip
    if not drop:
        return xml
    for child in drop:
        root.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def check_release_total(sizes: list[int]) -> None:
    """Refuse (`ValidationError`) attachments of one release that add up to more than
    ``IRSITE_RELEASE_FILES_MAX_BYTES``; ``sizes`` are the bytes of each file it will have."""
    limit = settings.IRSITE_RELEASE_FILES_MAX_BYTES
    total = sum(sizes)
    if total > limit:
        raise _refuse(f"The attachments of this release would add up to "
                      f"{filesizeformat(total)}; the limit per release is "
                      f"{filesizeformat(limit)}.")  # fmt: skip


def new_name(extension: str, folder: str = FOLDER) -> str:
    """A storage name for a new file: random, carrying nothing of its release."""
    return f"{folder}/{secrets.token_hex(16)}.{extension}"


# --- nothing left behind ---------------------------------------------------------------------

_written: ContextVar[list[str] | None] = ContextVar("irsite_files_written", default=None)


def note_written(name: str) -> None:
    """Record a file stored during `removed_if_failed()`, to delete if the save fails."""
    written = _written.get()
    if written is not None:
        written.append(name)


@contextmanager
def removed_if_failed() -> Iterator[None]:
    """Files stored inside this block are deleted again if it raises: a save that rolls back its
    rows leaves no object in storage (a crashed process can; `clean_orphan_files` finds those)."""
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    finally:
        _written.reset(token)
