"""Demo filings for `load_demo` (shipped with the project: the running site never reads
../shared). ImmunoGen's CIK is its real one; the filings are illustrative, in EDGAR's shapes
(an 8-K furnishing the demo release as Exhibit 99.1, a 10-K, a 10-Q, a proxy, a Form 4 and an
8-K/A), so the list, its filters and feeds have something to show. Their accession numbers
start with 9999999999, a filer no accession number of EDGAR's has, so they can never be taken
for (or collide with) a real filing; their links on sec.gov lead nowhere. A site with a
User-Agent set polls the real list beside them (docs/filings.md)."""

from dataclasses import replace
from datetime import UTC, date, datetime

from .edgar import FilingRecord

CIK = "0000855654"
NAME = "IMMUNOGEN INC"


def _record(number: str, form: str, filed: date, report: date | None, **extra) -> FilingRecord:
    record = FilingRecord(
        accession_number=number,
        form=form,
        filing_date=filed,
        report_date=report,
        accepted_at=datetime(filed.year, filed.month, filed.day, 12, 5, tzinfo=UTC),
        act="34",
        file_number="000-17999",
        film_number="",
        items="",
        size=250_000,
        is_xbrl=False,
        is_inline_xbrl=False,
        primary_document=f"d{number[-6:]}.txt",
        description="",
    )
    return replace(record, **extra)


FILINGS = [
    _record(
        "9999999999-03-000001",
        "8-K",
        date(2003, 1, 24),
        date(2003, 1, 24),
        items="5,7",
        description="CURRENT REPORT",
    ),
    _record("9999999999-03-000002", "8-K/A", date(2003, 1, 28), date(2003, 1, 24),
            items="5,7", description="AMENDMENT NO. 1 TO FORM 8-K"),
    _record("9999999999-02-000003", "10-K", date(2002, 9, 27), date(2002, 6, 30),
            description="ANNUAL REPORT"),
    _record("9999999999-02-000004", "10-Q", date(2002, 11, 13), date(2002, 9, 30),
            description="QUARTERLY REPORT"),
    _record("9999999999-02-000005", "DEF 14A", date(2002, 10, 15), date(2002, 11, 12),
            description="DEFINITIVE PROXY STATEMENT"),
    _record("9999999999-03-000006", "4", date(2003, 1, 10), date(2003, 1, 8), act="",
            primary_document="xslF345X02/doc4.xml", description=""),
]  # fmt: skip
