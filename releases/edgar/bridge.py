"""EDGAR exhibits in and out: the bridge between `releases.exhibits` (pure parsing and rendering)
and the models.

Importing is a write with side effects (a release, contacts, standard texts, the audit trail), so
it is one atomic function per exhibit, built on `releases.actions` like every other write.
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, TextField
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from irsite.contacts import actions as company_actions
from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers import actions as standard_texts
from irsite.disclaimers.models import Disclaimer, DisclaimerVersion
from irsite.plaintext import multi_line, single_line
from irsite.richtext import sanitize_html

from .. import actions, body_images
from ..exhibits import (
    ExhibitContact,
    ExhibitDocument,
    ExhibitError,
    ExhibitSection,
    parse_exhibit,
    render_html,
    split_submission,
)
from ..models import Attachment, AuditEntry, Release, SlugRedirect, validate_body_size

# Exhibits give a date, not a time; releases of the kind crossed the wire before the open.
IMPORT_TIME = time(8, 0, 0)


@dataclass
class ImportResult:
    source: str
    status: str  # "imported" | "unchanged"
    release: Release
    document: ExhibitDocument
    warnings: list[str] = field(default_factory=list)


def parse_file(
    data: bytes, filename: str, default_date: date | None = None, default_headline: str = ""
) -> list[tuple[str, bytes, ExhibitDocument]]:
    """(source, bytes, parsed) for each exhibit in a file: itself, or the EX-99 documents of an
    EDGAR submission, whose filing date stands in for a dateline without one.

    ``default_headline`` is the headline of an exhibit that prints none (a wire continuation;
    without it the headline is left empty, with a warning on the document), as
    ``default_date`` is the date of one whose dateline has none (ExhibitError without it).
    """
    documents, filing_date = split_submission(data)
    if not documents:
        documents, filing_date = [("", data)], None
    return [
        (
            f"{filename}#{kind}" if kind else filename,
            body,
            parse_exhibit(
                body,
                filename=filename,
                default_date=default_date or filing_date,
                default_headline=default_headline,
            ),
        )
        for kind, body in documents
    ]


def company_warnings(doc: ExhibitDocument) -> list[str]:
    """What differs between the exhibit's company and the site's company profile, as sentences
    for the person importing (the profile changes only when they confirm it)."""
    if not doc.company_name:
        return []
    profile = CompanyProfile.objects.filter(pk=1).first()
    if profile is None:
        return [
            f"The site has no company profile; this exhibit names “{doc.company_name}”. It is "
            "not used as the letterhead unless you confirm it."
        ]
    names = {_plain(profile.legal_name), _plain(profile.short_name)}
    if _plain(doc.company_name) in names or any(
        n and _plain(doc.company_name).startswith(n) for n in names
    ):
        return []
    return [
        f"This exhibit names “{doc.company_name}”, the company profile “{profile.legal_name}”: "
        "check that the exhibit is this company's."
    ]


def _plain(name: str) -> str:
    return " ".join(name.replace(",", " ").replace(".", " ").lower().split())


@transaction.atomic
def import_file(
    data: bytes,
    filename: str,
    *,
    actor,
    publish: bool = False,
    default_date: date | None = None,
    default_headline: str = "",
    company_profile: bool = False,
) -> list[ImportResult]:
    """Import every exhibit of a file in one transaction: all of it, or nothing of it.

    ``company_profile``: the user confirmed that the exhibit's company name, address and listing
    become the company profile; without it the profile is never written.

    Raises `ExhibitError` for a file that cannot be read or whose release the actions refuse
    (e.g. a date outside the accepted range), with the reason.
    """
    try:
        return [
            import_document(doc, raw, source, actor, publish, company_profile=company_profile)
            for source, raw, doc in parse_file(data, filename, default_date, default_headline)
        ]
    except actions.TransitionRefused as refused:
        raise ExhibitError(str(refused)) from refused


@transaction.atomic
def import_document(
    doc: ExhibitDocument,
    raw: bytes,
    source: str,
    actor,
    publish: bool = False,
    *,
    company_profile: bool = False,
) -> ImportResult:
    """Create a draft (or, with ``publish``, a release public since its date) from an exhibit.

    The same bytes imported twice change nothing: the release remembers their SHA-256.
    """
    digest = hashlib.sha256(raw).hexdigest()
    if existing := Release.objects.filter(source_hash=digest).first():
        return ImportResult(source, "unchanged", existing, doc)
    if doc.date is None:
        raise ExhibitError("no date in the dateline; pass --date YYYY-MM-DD")

    warnings = list(doc.warnings) + ([] if company_profile else company_warnings(doc))
    if publish and not doc.headline:
        # A release goes public with its headline: one the exhibit does not print stays a
        # draft until an editor writes it (K14).
        publish = False
        warnings.append("not published: a release is published with its headline")
    if company_profile:
        _write_company(doc, actor)
    contacts = [_match_contact(c, actor) for c in doc.contacts]
    versions = [_version(Disclaimer.Kind.ABOUT, s, actor) for s in doc.abouts]
    if doc.safe_harbor:
        versions.append(_version(Disclaimer.Kind.SAFE_HARBOR, doc.safe_harbor, actor))

    release = Release(
        headline=single_line(doc.headline),
        subheadline=multi_line("\n".join(doc.subheadlines)),
        slug=_unique_slug(doc.headline, doc.date),
        dateline_city=single_line(doc.dateline_city),
        published_at=timezone.make_aware(datetime.combine(doc.date, IMPORT_TIME)),
        body=doc.body_html,
        exhibit_label=single_line(doc.exhibit_label),
        release_instruction=single_line(_instruction(doc))[:200],
        wire_tag=single_line(doc.wire_tag)[:100],
        end_mark=single_line(doc.end_mark)[:20],
        notes="\n".join(" ".join(n.split()) for n in doc.notes),
        standard_texts_at=doc.standard_texts_at,
        source_hash=digest,
    )
    _refuse_what_does_not_fit(release, raw)

    def write_related() -> None:
        for position, contact in enumerate(dict.fromkeys(contacts)):
            release.releasecontact_set.create(contact=contact, position=position)
        for position, version in enumerate(dict.fromkeys(versions)):
            release.releasedisclaimer_set.create(version=version, position=position)

    actions.save_release(release, actor, write_related=write_related, note=f"imported {source}")
    actions.audit(actor, AuditEntry.Action.IMPORTED, release, source)
    if publish:
        actions.record_past_publication(release, actor, f"SEC exhibit {source}")
    return ImportResult(source, "imported", release, doc, warnings)


def _instruction(doc: ExhibitDocument) -> str:
    return doc.release_instruction or ("FOR IMMEDIATE RELEASE" if doc.for_immediate_release else "")


def _write_company(doc: ExhibitDocument, actor) -> None:
    """The exhibit's company details as the company profile (the user confirmed them); what the
    exhibit does not print is left as it was. Through the profile's own action, which checks
    that ``actor`` may change the profile and makes every page show it: the import is not a
    second way around the profile form's permission."""
    profile = CompanyProfile.load()
    if doc.company_name:
        profile.legal_name = doc.company_name[:200]
        profile.short_name = doc.company_name.split(",")[0][:100]
    if doc.address_lines:
        profile.address_lines = "\n".join(doc.address_lines)
    profile.telephone = doc.telephone[:50] or profile.telephone
    profile.fax = doc.fax[:50] or profile.fax
    if doc.website.startswith("http"):
        profile.website = doc.website
    if doc.ticker:
        profile.exchange, profile.ticker = doc.exchange[:50], doc.ticker[:20]
    if profile.legal_name:
        try:
            company_actions.save_company_profile(profile, actor)
        except PermissionDenied:
            raise actions.TransitionRefused(
                "You may not change the company profile: import without “Use the exhibit's "
                "company details”, or ask someone who may."
            ) from None


def _match_contact(parsed: ExhibitContact, actor) -> Contact:
    """The existing contact with that name and that e-mail address (both, as printed: people
    sharing a team mailbox stay apart); a new one otherwise, through the contacts' own action
    (``actor`` may add contacts; the audit trail records it)."""
    found = Contact.objects.filter(
        name__iexact=parsed.name.strip(), email__iexact=parsed.email.strip()
    ).first()
    if found:
        return found
    # A contact first met in a filing belongs to the releases that print it, not to today's
    # /contacts/ directory: importing years of history must not list every former spokesperson
    # as a current one. An editor makes it active in the admin (`Contact.is_active`).
    contact = Contact(
        is_active=False,
        name=parsed.name[:200],
        title=parsed.title[:200],
        organization=parsed.organization[:200],
        telephone=parsed.telephone[:50],
        email=parsed.email[:254],
        audience=parsed.audience,  # "" when the exhibit does not say whom the contact serves
    )
    try:
        company_actions.save_contact(contact, actor)
    except PermissionDenied:
        raise actions.TransitionRefused(
            f"You may not add contacts, and this exhibit names a new one ({contact.name})."
        ) from None
    return contact


def _version(kind: str, section: ExhibitSection, actor) -> DisclaimerVersion:
    """The version carrying exactly this text: reused if any standing text has it, else added
    (audited) by the standard texts' action."""
    return standard_texts.version_for(kind, section.heading[:300], section.html, actor)


def _refuse_what_does_not_fit(release: Release, raw: bytes) -> None:
    """Nothing is cut to fit: a text longer than its field, or a body over the size limit,
    refuses the exhibit with the line it starts on."""
    for name in ("headline", "subheadline", "dateline_city", "exhibit_label", "notes"):
        column = Release._meta.get_field(name)
        assert isinstance(column, CharField | TextField) and column.max_length is not None
        value, limit = getattr(release, name), column.max_length
        if len(value) > limit:
            raise ExhibitError(
                f"the {name.replace('_', ' ')} is {len(value)} characters, over the limit of "
                f"{limit}; shorten it in the file (“{value[:60]}…”)",
                line=_line_of(raw, value),
            )
    try:
        validate_body_size(release.body)
    except ValidationError as error:
        raise ExhibitError(error.messages[0]) from error


def _line_of(raw: bytes, text: str) -> int | None:
    """The line of the file where ``text`` starts (its first words), if it can be found."""
    source = raw.decode("utf-8", "replace")
    words = text.split()[:3]
    if not words:
        return None
    pattern = r"\W+(?:<[^>]*>\W*)*".join(re.escape(w) for w in words)
    found = re.search(pattern, source, re.IGNORECASE)
    return source.count("\n", 0, found.start()) + 1 if found else None


# Slugs are cut at a word, and within this many characters (the URL stays readable).
SLUG_LENGTH = 80


def _unique_slug(headline: str, day: date) -> str:
    base = slugify(headline)
    if len(base) > SLUG_LENGTH:
        cut = base[: SLUG_LENGTH + 1]
        base = cut.rsplit("-", 1)[0] if "-" in cut else base[:SLUG_LENGTH]
    base = base.strip("-") or f"release-{day:%Y-%m-%d}"
    slug, n = base, 2
    # Not a slug another release was published under either: its old links lead there.
    while (
        Release.objects.filter(slug=slug).exists()
        or SlugRedirect.objects.filter(old_slug=slug).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- export --------------------------------------------------------------------------------


# The HTML exhibit's name inside the export's zip (EDGAR names: lower case, at most 32 chars).
EXHIBIT_HTML_NAME = "ex99-1.htm"


def exhibit_image_names(release: Release) -> dict[str, str]:
    """The EDGAR file name of each image the body shows, by attachment key, in body order:
    ``ex99-1-img01.jpg``… (EDGAR takes JPEG or GIF only; `exhibit_zip` converts to JPEG)."""
    own = body_images.image_attachments(release.attachment_list)
    names: dict[str, str] = {}
    for key in re.findall(r'<img[^>]*\ssrc="[^"]*/([0-9a-f]{32}\.(?:png|jpg|webp))"', release.body):
        if key in own and key not in names:
            names[key] = f"ex99-1-img{len(names) + 1:02d}.jpg"
    return names


def _as_jpeg(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as file, Image.open(file) as opened:
        opened.load()
        image: Image.Image = opened  # the conversions below make plain images
        if image.mode in {"RGBA", "LA", "P"}:
            # JPEG has no transparency: flattened on white, as the page shows it.
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        elif image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        return out.getvalue()


def exhibit_zip(release: Release) -> bytes:
    """What a filer attaches to the 8-K for this release: the EDGAR HTML exhibit
    (`EXHIBIT_HTML_NAME`) and, as JPEG files beside it, every image its body shows, each
    referenced by that relative name."""
    release = Release.objects.for_page().get(pk=release.pk)
    names = exhibit_image_names(release)
    own = body_images.image_attachments(release.attachment_list)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(EXHIBIT_HTML_NAME, render_html(to_exhibit(release)))
        for key, name in names.items():
            archive.writestr(name, _as_jpeg(own[key]))
    return buffer.getvalue()


def to_exhibit(release: Release) -> ExhibitDocument:
    """A release as the exhibit a filing agent would attach to its 8-K; body images are
    referenced by the relative file names `exhibit_zip` gives them."""
    release = Release.objects.for_page().get(pk=release.pk)
    names = exhibit_image_names(release)
    company = release.printed_letterhead
    safe_harbors = release.safe_harbors()
    return ExhibitDocument(
        exhibit_label=release.exhibit_label or "EXHIBIT 99.1",
        company_name=company.legal_name,
        address_lines=company.address,
        telephone=company.telephone,
        fax=company.fax,
        website=company.website,
        exchange=company.exchange,
        ticker=company.ticker,
        contacts=[
            ExhibitContact(
                name=c.name,
                title=c.title,
                organization=c.organization,
                telephone=c.telephone,
                email=c.email,
                audience=c.audience,
            )
            for c in release.ordered_contacts()
        ],
        release_instruction=release.release_instruction,
        headline=release.headline,
        subheadlines=release.subheadlines,
        dateline_city=release.dateline_city,
        wire_tag=release.wire_tag,
        end_mark=release.end_mark,
        notes=release.note_list,
        date=timezone.localdate(release.published_at) if release.published_at else None,
        body_html=str(
            body_images.with_images(
                sanitize_html(release.body),
                body_images.image_attachments(release.attachment_list),
                lambda attachment: names.get(attachment.key, ""),
            )
        ),
        abouts=[ExhibitSection(v.heading, str(v.html)) for v in release.abouts()],
        safe_harbor=ExhibitSection(safe_harbors[0].heading, str(safe_harbors[0].html))
        if safe_harbors
        else None,
        standard_texts_at=release.standard_texts_at,
    )
