"""``/api/v1/filings``: the issuer's SEC filings as `/filings/` lists them, and one filing by
its accession number (EDGAR's own unique name of a filing).

Built on `FilingQuerySet.public` (every filing the IR team has not hidden): a hidden filing
answers exactly as an accession number never seen, and leaves the list. The documents stay on
EDGAR (``index_url``, ``document_url``), as on the page.

Order: the latest filing date first, then the accession number descending (the page sorts a
day by acceptance time, which EDGAR leaves out for some old filings; the accession number is
never missing and never changes, so a cursor can be built on it). Cursor pages as elsewhere.
"""

import re
from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Query, Router, Schema, Status
from pydantic import Field, PlainValidator, WithJsonSchema

from filings.groups import BY_SLUG, GROUPS
from filings.models import Filing

from .cursors import DayCursors, DayPosition
from .errors import ApiError, Error, not_found
from .params import CURSOR_MESSAGE, DEFAULT_LIMIT, Cursor, Limit, Year, one_value
from .responses import read

router = Router(tags=["filings"])
CURSORS = DayCursors("filings", day_field="filing_date", key_field="accession_number")

_ACCESSION = re.compile(r"[0-9]{10}-[0-9]{2}-[0-9]{6}")


def parse_group(text: str) -> str:
    if text not in BY_SLUG:
        raise ValueError(f"group: one of {', '.join(g.slug for g in GROUPS)}")
    return text


def parse_accession(text: str) -> str:
    if not _ACCESSION.fullmatch(text):
        raise ValueError("accession_number: as EDGAR writes it, e.g. 0000855654-26-000012")
    return text


FormGroup = Annotated[
    str,
    PlainValidator(one_value(parse_group)),
    WithJsonSchema(
        {
            "type": "string",
            "enum": [g.slug for g in GROUPS],
            "description": "Only filings of this form group, as the filter of /filings/.",
        }
    ),
]
AccessionNumber = Annotated[
    str,
    PlainValidator(one_value(parse_accession)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{10}-[0-9]{2}-[0-9]{6}$",
            "description": "EDGAR's accession number of the filing.",
        }
    ),
]


class GroupLink(Schema):
    slug: str = Field(description="As the `group` filter takes it.")
    label: str


class FilingItem(Schema):
    accession_number: str = Field(description="EDGAR's unique name of the filing: its id here.")
    form: str = Field(description='As EDGAR writes it, e.g. "10-K" or "8-K/A".')
    group: GroupLink
    title: str = Field(description="EDGAR's description, or the form's.")
    filing_date: date
    report_date: date | None = Field(description="The period it reports on, where it has one.")
    accepted_at: datetime | None = Field(description="EDGAR's acceptance time, where given.")
    items: list[str] = Field(description='The 8-K items it reports, e.g. ["2.02", "9.01"].')
    amendment: bool
    index_url: str = Field(description="Its index on sec.gov.", json_schema_extra={"format": "uri"})
    document_url: str = Field(
        description='The primary document on sec.gov (EDGAR\'s inline XBRL viewer for one), or "".'
    )
    xbrl: bool
    inline_xbrl: bool
    size: int = Field(description="Bytes, as EDGAR gives it.")


class FilingDetail(FilingItem):
    act: str
    file_number: str
    film_number: str


class FilingPage(Schema):
    """One page of a list. There is no count and no last page: follow ``next``."""

    items: list[FilingItem]
    next_cursor: str | None
    next: str | None = Field(json_schema_extra={"format": "uri"})


class FilingFilters(Schema):
    group: FormGroup | None = None
    year: Year | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def item(filing: Filing) -> dict:
    group = filing.group_info
    return {
        "accession_number": filing.accession_number,
        "form": filing.form,
        "group": {"slug": group.slug, "label": group.label},
        "title": filing.title,
        "filing_date": filing.filing_date,
        "report_date": filing.report_date,
        "accepted_at": filing.accepted_at,
        "items": [i for i in filing.items.split(",") if i],
        "amendment": filing.is_amendment,
        "index_url": filing.index_url,
        "document_url": filing.document_url,
        "xbrl": filing.is_xbrl,
        "inline_xbrl": filing.is_inline_xbrl,
        "size": filing.size,
    }


# --- the operations ----------------------------------------------------------------------------


@read(router, "/filings", response={200: FilingPage, 400: Error}, operation_id="listFilings")
def list_filings(request: HttpRequest, filters: Query[FilingFilters]):
    """The issuer's SEC filings, the latest filing date first, a page at a time (``limit``, 20
    by default), optionally of one form group (as on /filings/) and one year (of the filing
    date). Follow ``next`` for older ones. There is no count."""
    start: DayPosition | None = None
    if filters.cursor is not None:
        try:
            start = CURSORS.read(filters.cursor)
        except ValueError:
            raise ApiError(400, "invalid_parameter", CURSOR_MESSAGE, "cursor") from None
    filings = Filing.objects.public()
    if filters.group is not None:
        filings = filings.in_group(BY_SLUG[filters.group])
    if filters.year is not None:
        filings = filings.filter(filing_date__year=filters.year)
    rows, end = CURSORS.page(filings, start, filters.limit)
    cursor = CURSORS.after(end.day, end.key) if end else None
    return Status(
        200,
        {
            "items": [item(filing) for filing in rows],
            "next_cursor": cursor,
            "next": cursor and next_url(request, filters, cursor),
        },
    )


def next_url(request: HttpRequest, filters: FilingFilters, cursor: str) -> str:
    query = {
        "group": filters.group,
        "year": filters.year,
        "limit": filters.limit if filters.limit != DEFAULT_LIMIT else None,
        "cursor": cursor,
    }
    given = urlencode({name: value for name, value in query.items() if value is not None})
    return request.build_absolute_uri(f"{request.path}?{given}")


@read(
    router,
    "/filings/{accession_number}",
    response={200: FilingDetail, 400: Error, 404: Error},
    operation_id="getFiling",
)
def get_filing(request: HttpRequest, accession_number: AccessionNumber):
    """One filing by its accession number. A hidden filing answers exactly as a number never
    seen (404)."""
    filing = Filing.objects.public().filter(accession_number=accession_number).first()
    if filing is None:
        raise not_found("filing")
    return Status(
        200,
        {
            **item(filing),
            "act": filing.act,
            "file_number": filing.file_number,
            "film_number": filing.film_number,
        },
    )
