"""EDGAR exhibits in and out: the bridge between `releases.exhibits` (pure parsing and rendering)
and the models.

Importing is a write with side effects (a release, contacts, standard texts, the audit trail), so
it is one atomic function per exhibit, built on `releases.actions` like every other write.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers.models import Disclaimer, DisclaimerVersion
from irsite.richtext import sanitize_html

from . import actions
from .exhibits import (
    ExhibitContact,
    ExhibitDocument,
    ExhibitError,
    ExhibitSection,
    parse_exhibit,
    split_submission,
)
from .models import Release, SlugRedirect

# Exhibits give a date, not a time; releases of the kind crossed the wire before the open.
IMPORT_TIME = time(8, 0, 0)


@dataclass
class ImportResult:
    source: str
    status: str  # "imported" | "unchanged"
    release: Release | None
    document: ExhibitDocument
    warnings: list[str] = field(default_factory=list)


def parse_file(
    data: bytes, filename: str, default_date: date | None = None, default_headline: str = ""
) -> list[tuple[str, bytes, ExhibitDocument]]:
    """(source, bytes, parsed) for each exhibit in a file: itself, or the EX-99 documents of an
    EDGAR submission, whose filing date stands in for a dateline without one.

    ``default_headline`` is the headline of an exhibit that prints none (a wire continuation),
    as ``default_date`` is the date of one whose dateline has none; ExhibitError otherwise.
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
    if not doc.headline:
        raise ExhibitError("no headline found; pass --headline")
    if doc.date is None:
        raise ExhibitError("no date in the dateline; pass --date YYYY-MM-DD")

    warnings = [] if company_profile else company_warnings(doc)
    if company_profile:
        _write_company(doc)
    contacts = [_match_contact(c) for c in doc.contacts]
    versions = [_version(Disclaimer.Kind.ABOUT, s) for s in doc.abouts]
    if doc.safe_harbor:
        versions.append(_version(Disclaimer.Kind.SAFE_HARBOR, doc.safe_harbor))

    release = Release(
        headline=doc.headline[:300],
        subheadline="\n".join(doc.subheadlines),
        slug=_unique_slug(doc.headline, doc.date),
        dateline_city=doc.dateline_city[:100],
        published_at=timezone.make_aware(datetime.combine(doc.date, IMPORT_TIME)),
        body=doc.body_html,
        exhibit_label=doc.exhibit_label[:50],
        release_instruction=_instruction(doc)[:200],
        wire_tag=doc.wire_tag[:100],
        end_mark=doc.end_mark[:20],
        notes="\n".join(" ".join(n.split()) for n in doc.notes),
        source_hash=digest,
    )

    def write_related() -> None:
        for position, contact in enumerate(dict.fromkeys(contacts)):
            release.releasecontact_set.create(contact=contact, position=position)
        for position, version in enumerate(dict.fromkeys(versions)):
            release.releasedisclaimer_set.create(version=version, position=position)

    actions.save_release(release, actor, write_related=write_related, note=f"imported {source}")
    actions.audit(actor, actions.AuditEntry.Action.IMPORTED, release, source)
    if publish:
        actions.record_past_publication(release, actor, f"SEC exhibit {source}")
    return ImportResult(source, "imported", release, doc, warnings)


def _instruction(doc: ExhibitDocument) -> str:
    return doc.release_instruction or ("FOR IMMEDIATE RELEASE" if doc.for_immediate_release else "")


def _write_company(doc: ExhibitDocument) -> None:
    """The exhibit's company details as the company profile (the user confirmed them); what the
    exhibit does not print is left as it was."""
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
        profile.save()


def _match_contact(parsed: ExhibitContact) -> Contact:
    """The existing contact with that name and that e-mail address (both, as printed: people
    sharing a team mailbox stay apart); a new one otherwise."""
    found = Contact.objects.filter(
        name__iexact=parsed.name.strip(), email__iexact=parsed.email.strip()
    ).first()
    if found:
        return found
    return Contact.objects.create(
        name=parsed.name[:200],
        title=parsed.title[:200],
        organization=parsed.organization[:200],
        telephone=parsed.telephone[:50],
        email=parsed.email[:254],
        audience=parsed.audience,  # "" when the exhibit does not say whom the contact serves
    )


def _version(kind: str, section: ExhibitSection) -> DisclaimerVersion:
    """The version carrying exactly this text: reused if any standing text has it."""
    text = sanitize_html(section.html)
    heading = section.heading[:300]
    for version in DisclaimerVersion.objects.filter(disclaimer__kind=kind, heading=heading):
        if version.text == text:
            return version
    name = (heading or Disclaimer.Kind(kind).label)[:200]
    disclaimer, _ = Disclaimer.objects.get_or_create(kind=kind, name=name)
    return disclaimer.revise(heading, text)


def _unique_slug(headline: str, day: date) -> str:
    base = slugify(headline)[:80].strip("-") or f"release-{day:%Y-%m-%d}"
    slug, n = base, 2
    # Not a slug another release was published under either: its old links lead there.
    while (
        Release.objects.filter(slug=slug).exists()
        or SlugRedirect.objects.filter(old_slug=slug).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- export --------------------------------------------------------------------------------


def to_exhibit(release: Release) -> ExhibitDocument:
    """A release as the exhibit a filing agent would attach to its 8-K."""
    release = Release.objects.for_page().get(pk=release.pk)
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
        body_html=str(sanitize_html(release.body)),
        abouts=[ExhibitSection(v.heading, str(v.html)) for v in release.abouts()],
        safe_harbor=ExhibitSection(safe_harbors[0].heading, str(safe_harbors[0].html))
        if safe_harbors
        else None,
    )
