"""A kit's periodic report on EDGAR: "Quarterly report on Form 10-Q (filed …)" once the filings
list holds it (issue 26: "a kit links its 10-Q/10-K when it appears, suggested by report date
and form").

The filing is found, not typed: the public filing (`FilingQuerySet.public`: not hidden) of form
10-Q for a quarter, 10-K for the full year, whose report date (EDGAR's "period of report") is
the kit's fiscal period end. The first one filed is the report; an amendment (10-Q/A) has a
form of its own and never replaces it. A filing is public on EDGAR before it is here, so it
needs no second of its own: it shows on a public kit's page from the poll that lists it.

The kit page carries the ``list`` surrogate key (it is not an edge item view), which
`filings.actions` purges when a filing arrives, is hidden or shown again; the page cache is
bumped by the same actions (`public_pages_changed`).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Max, Q

from filings.models import Filing, FilingAudit

from ..models import ResultsKit

FORMS = {"10-Q": "Quarterly report on Form 10-Q", "10-K": "Annual report on Form 10-K"}


@dataclass(frozen=True)
class PeriodicReport:
    label: str  # "Quarterly report on Form 10-Q"
    filed_on: date
    url: str  # on EDGAR: the document (its inline XBRL viewer), or the filing's index
    accession_number: str


def _candidates(kit: ResultsKit):
    form = "10-K" if kit.period == ResultsKit.Period.FY else "10-Q"
    return form, Filing.objects.filter(form=form, report_date=kit.period_end)


def periodic_report(kit: ResultsKit) -> PeriodicReport | None:
    form, candidates = _candidates(kit)
    filing = (
        candidates.public()
        .order_by("filing_date", F("accepted_at").asc(nulls_last=True), "accession_number")
        .first()
    )
    if filing is None:
        return None
    return PeriodicReport(
        label=FORMS[form],
        filed_on=filing.filing_date,
        url=filing.document_url or filing.index_url,
        accession_number=filing.accession_number,
    )


def changed_at(kit: ResultsKit) -> datetime | None:
    """When the line last appeared, went or changed (a filing listed, hidden or shown again):
    part of the page's Last-Modified, so a conditional request never keeps an old page."""
    _form, candidates = _candidates(kit)
    audited = Q(audit_entries__action__in=[FilingAudit.Action.HIDDEN, FilingAudit.Action.SHOWN])
    found = candidates.aggregate(
        seen=Max("first_seen_at"), audited=Max("audit_entries__at", filter=audited)
    )
    return max(filter(None, [found["seen"], found["audited"]]), default=None)
