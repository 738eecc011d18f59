"""``/api/v1/reports``: the public reports library, newest publication first, and one report by
its id (the UUID of its feed GUID).

Built on `ReportQuerySet.public()`: what is here is what `/reports/` shows, from the second it
shows it; a report not public answers exactly as an id that never existed (404), a withdrawn one
410 (its files answer 410 too).
"""

import uuid
from datetime import datetime

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Query, Router, Schema, Status
from pydantic import Field

from reports.models import Report, ReportVersion

from .cursors import Cursors, Position
from .errors import ApiError, Error, not_found
from .params import CURSOR_MESSAGE, DEFAULT_LIMIT, Cursor, Id, Limit, Year
from .responses import read

router = Router(tags=["reports"])
CURSORS = Cursors("reports", time_field="published_at")


class ReportItem(Schema):
    id: uuid.UUID = Field(description="The UUID of the report's feed GUID (`urn:uuid:…`).")
    title: str
    kind: str = Field(
        description='"annual_report", "proxy_statement", "sustainability_report" or "other".'
    )
    fiscal_year: int
    description: str
    url: str = Field(description="The report's PDF.", json_schema_extra={"format": "uri"})
    content_type: str
    size: int = Field(description="Bytes.")
    cover_url: str | None = Field(
        description="Its cover image, or null.", json_schema_extra={"format": "uri"}
    )
    published_at: datetime = Field(description="Its publication second; never changes.")
    updated_at: datetime = Field(description="Publication or the latest correction.")


class EarlierVersion(Schema):
    title: str
    url: str = Field(description="The PDF as it was.", json_schema_extra={"format": "uri"})
    replaced_at: datetime
    note: str


class ReportDetail(ReportItem):
    earlier_versions: list[EarlierVersion] = Field(description="Newest first.")


class ReportPage(Schema):
    """One page of the list. There is no count and no last page: follow ``next``."""

    items: list[ReportItem]
    next_cursor: str | None
    next: str | None = Field(json_schema_extra={"format": "uri"})


class ReportFilters(Schema):
    year: Year | None = Field(None, description="A fiscal year.")
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def item(request: HttpRequest, report: Report) -> dict:
    absolute = request.build_absolute_uri
    published, updated = report.published_at, report.last_modified
    assert published is not None and updated is not None  # public: published
    return {
        "id": report.uuid,
        "title": report.title,
        "kind": report.kind,
        "fiscal_year": report.fiscal_year,
        "description": report.description,
        "url": absolute(report.get_file_url()),
        "content_type": report.content_type,
        "size": report.size,
        "cover_url": absolute(report.get_cover_url()) if report.cover else None,
        "published_at": published,
        "updated_at": updated,
    }


@read(router, "/reports", response={200: ReportPage, 400: Error}, operation_id="listReports")
def list_reports(request: HttpRequest, filters: Query[ReportFilters]):
    """Public reports, newest publication first, a page at a time, optionally of one fiscal
    year. Follow ``next`` for older ones; nothing repeats or is skipped as reports go live."""

    start: Position | None = None
    if filters.cursor is not None:
        try:
            start = CURSORS.read(filters.cursor)
        except ValueError:
            raise ApiError(400, "invalid_parameter", CURSOR_MESSAGE, "cursor") from None
    reports = Report.objects.public()
    if filters.year is not None:
        reports = reports.filter(fiscal_year=filters.year)
    rows, end = CURSORS.page(reports, start, filters.limit)
    cursor = CURSORS.after(end.at, end.id) if end else None
    query = {
        "year": filters.year,
        "limit": filters.limit if filters.limit != DEFAULT_LIMIT else None,
        "cursor": cursor,
    }
    given = urlencode({name: value for name, value in query.items() if value is not None})
    return Status(
        200,
        {
            "items": [item(request, report) for report in rows],
            "next_cursor": cursor,
            "next": cursor and request.build_absolute_uri(f"{request.path}?{given}"),
        },
    )


@read(
    router,
    "/reports/{report_id}",
    response={200: ReportDetail, 400: Error, 404: Error, 410: Error},
    operation_id="getReport",
)
def get_report(request: HttpRequest, report_id: Id):
    """One public report by its id, with the files corrections replaced."""
    report = Report.objects.public().filter(uuid=report_id).first()
    if report is not None:
        absolute = request.build_absolute_uri
        earlier = [
            {
                "title": v.title,
                "url": absolute(v.get_file_url()),
                "replaced_at": v.replaced_at,
                "note": v.note,
            }
            for v in ReportVersion.objects.filter(report=report)
        ]
        return Status(200, {**item(request, report), "earlier_versions": earlier})
    if Report.objects.withdrawn().filter(uuid=report_id).exists():
        return Status(
            410, {"status": 410, "error": "withdrawn", "message": "This report was withdrawn."}
        )
    raise not_found("report")
