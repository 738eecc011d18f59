"""The filings webhook: ``filing.new``, once per filing the EDGAR poller lists as new.

New is the filings app's own word (`Filing.new_on_edgar`: listed by a poll after the list was
first read, and filed within the last days), so the first read's history, or an older page read
late, is never announced; public is its rule (`FilingQuerySet.public`: not hidden), so a filing
hidden before the worker's next check is never announced. A filing is public on EDGAR before it
is here: nothing of it is scheduled, and the payload is what the filings page lists.
"""

from datetime import datetime
from typing import Any

from filings.models import Filing

from .registry import EventType, Occurrence, register


def _new(now: datetime, since: datetime) -> list[Occurrence]:
    rows = (
        Filing.objects.public()
        .filter(new_on_edgar=True, first_seen_at__gte=since, first_seen_at__lte=now)
        .only("pk", "first_seen_at")
    )
    return [Occurrence(f"filing.new:{f.pk}", f.first_seen_at, f.pk) for f in rows]


def _payload(filing_id: int) -> dict[str, Any]:
    filing = Filing.objects.get(pk=filing_id)
    return {
        "accession_number": filing.accession_number,
        "form": filing.form,
        "group": filing.group_info.slug,
        "title": filing.title,
        "filing_date": filing.filing_date.isoformat(),
        "accepted_at": filing.accepted_at.isoformat() if filing.accepted_at else None,
        "items": [i for i in filing.items.split(",") if i],
        "index_url": filing.index_url,
        "document_url": filing.document_url,
    }


def register_filing_events() -> None:
    register(EventType("filing.new", "a new SEC filing was listed from EDGAR", _new, _payload))
