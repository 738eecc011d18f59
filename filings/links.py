"""A release and the filing it was furnished with: "Filed as Exhibit 99.1 to Form 8-K,
accession 0000855654-26-000123", linked to the filing's index on EDGAR.

The link is the release's own ``filing_url`` (typed by the editor, an address on EDGAR): the
accession number in it names the filing. Filings sits above releases, which never imports it,
so the line reaches the release's page through `releases.public.notes` (registered in
`filings.apps`), and it is there only while both are public: the release page exists only for a
public release, and the note only for a filing `FilingQuerySet.public()` holds (not hidden). A
release whose filing is not (yet) in the list keeps its plain "SEC filing" link; one whose
filing the IR team hid shows neither.

When a filing arrives, is hidden or shown again, `filings.actions` purges the pages of the
public releases that name it (`release_paths`), besides the lists.
"""

import re

from django.db.models import Exists, Max, OuterRef, Q

from releases.models import Release
from releases.public.notes import Line, Note

from .models import Filing, FilingAudit

# EDGAR writes an accession number with dashes (0000855654-26-000123: filer, year, sequence) in
# file names and without them (000085565426000123) as a folder.
_DASHED = re.compile(r"(?<!\d)(\d{10})-(\d{2})-(\d{6})(?!\d)")
_FOLDER = re.compile(r"/(\d{10})(\d{2})(\d{6})(?:/|$)")
_EXHIBIT = re.compile(r"(?i)\bexhibit\s+(\d+(?:\.\d+)?[a-z]?)\b")


def accession_in(url: str) -> str:
    """The accession number an EDGAR address names (dashed), or ""."""
    if not url:
        return ""
    path = url.split("?", 1)[0].split("#", 1)[0]
    found = _DASHED.search(path) or _FOLDER.search(path)
    return "-".join(found.groups()) if found else ""


def note_for(release: Release) -> Note | None:
    """`releases.public.notes`' question for a public release."""
    accession = accession_in(release.filing_url)
    if not accession:
        return None
    # One statement: the filing and when its link last appeared or went (listed, hidden,
    # shown again).
    shown_or_hidden = Q(audit_entries__action__in=[FilingAudit.Action.HIDDEN,
                                                   FilingAudit.Action.SHOWN])  # fmt: skip
    filing = (
        Filing.objects.filter(accession_number=accession)
        .annotate(
            audited=Max("audit_entries__at", filter=shown_or_hidden),
            # THE rule of what is public (`FilingQuerySet.public`), asked in the same statement.
            is_public=Exists(Filing.objects.public().filter(pk=OuterRef("pk"))),
        )
        .first()
    )
    if filing is None:
        return None  # not in the list (yet): the release's own link stays
    changed = max(filter(None, [filing.first_seen_at, filing.audited]))
    if not filing.is_public:  # hidden: neither the line nor the release's own link
        return Note(replaces_filing_url=True, changed_at=changed)
    exhibit = _EXHIBIT.search(release.exhibit_label or "")
    before = (
        f"Filed as Exhibit {exhibit.group(1)} to Form {filing.form}, accession"
        if exhibit
        else f"Filed with Form {filing.form}, accession"
    )
    line = Line(before=before, link_text=filing.accession_number, url=filing.index_url)
    return Note(line=line, replaces_filing_url=True, changed_at=changed)


def release_paths(accession_numbers: list[str]) -> list[str]:
    """The page paths of public releases naming any of these filings (to purge). One query
    over the public releases with an SEC address (a first read of EDGAR lists thousands of
    filings: no query term per filing)."""
    wanted = set(accession_numbers)
    if not wanted:
        return []
    releases = (
        Release.objects.public()
        .exclude(filing_url="")
        .only("slug", "published_at", "filing_url")
        .order_by("pk")
    )
    return [r.get_absolute_url() for r in releases if accession_in(r.filing_url) in wanted]
