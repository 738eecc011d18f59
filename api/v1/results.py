"""``/api/v1/results``: public results kits, the latest first, and one kit by its fiscal
period (``/api/v1/results/2027/q1``).

Built on `KitQuerySet.public()` (a kit is public exactly when its release is, once approved):
what is here is what the kit's page shows, from the second it shows it. The call's time shows
only while its event is public by the event's rule, its webcast once the event's materials are.
A company reports five times a year: the list is one answer, never paged.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, PlainValidator, WithJsonSchema

from events.models import Event
from irsite import clock
from releases.public.converters import ARCHIVE_YEARS
from results.models import Period, ResultsKit

from .errors import Error, not_found
from .params import parse_year
from .releases import id_of
from .responses import read

router = Router(tags=["results"])
# Decades of kits in one answer.
LISTED = 200


def _one(parse):
    def validate(value: object):
        if not isinstance(value, str):
            raise ValueError("one value expected")
        return parse(value)

    return validate


def parse_period(text: str) -> str:
    if text not in Period.values:
        raise ValueError("period: q1, q2, q3, q4 or fy")
    return text


FiscalYear = Annotated[
    int,
    PlainValidator(_one(parse_year)),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": ARCHIVE_YEARS.start,
            "maximum": ARCHIVE_YEARS.stop - 1,
            "description": "A fiscal year, named by the calendar year it ends in.",
        }
    ),
]
FiscalPeriod = Annotated[
    str,
    PlainValidator(_one(parse_period)),
    WithJsonSchema({"type": "string", "enum": list(Period.values)}),
]


class ReleaseLink(Schema):
    id: str = Field(description="The release's id in `/api/v1/releases/{release_id}`.")
    url: str = Field(json_schema_extra={"format": "uri"})
    headline: str


class KitItem(Schema):
    url: str = Field(description="The kit's page.", json_schema_extra={"format": "uri"})
    fiscal_year: int
    period: str = Field(description="q1, q2, q3, q4 or fy.")
    title: str
    period_end: date = Field(description="The last day of the fiscal period.")
    published_at: datetime = Field(description="The second the kit became public.")
    updated_at: datetime = Field(description="Its latest public change (or its release's).")
    release: ReleaseLink


class Call(Schema):
    title: str
    url: str = Field(json_schema_extra={"format": "uri"})
    starts_at: datetime
    ends_at: datetime
    schedule: str = Field(description="scheduled, rescheduled, postponed or cancelled.")
    webcast_url: str | None = Field(description="Once the event's materials are public.")


class Document(Schema):
    title: str
    category: str = Field(description="slides, supplemental, statements, transcript or other.")
    url: str = Field(json_schema_extra={"format": "uri"})
    content_type: str
    size: int = Field(description="Bytes.")
    updated_at: datetime | None = Field(description="When a correction put it here, or null.")
    note: str = Field(description='What the correction changed, or "".')


class KitDetail(KitItem):
    call: Call | None = Field(description="The earnings call, while its event is public.")
    documents: list[Document] = Field(description="In the editor's order.")


class KitList(Schema):
    items: list[KitItem]


class KitFilters(Schema):
    year: FiscalYear | None = None


def item(request: HttpRequest, kit: ResultsKit) -> dict:
    absolute = request.build_absolute_uri
    release = kit.release
    return {
        "url": absolute(kit.get_absolute_url()),
        "fiscal_year": kit.fiscal_year,
        "period": kit.period,
        "title": kit.title,
        "period_end": kit.period_end,
        "published_at": kit.release.published_at,
        "updated_at": kit.last_modified,
        "release": {
            "id": str(id_of(release)),
            "url": absolute(release.get_absolute_url()),
            "headline": release.headline,
        },
    }


def detail(request: HttpRequest, kit: ResultsKit) -> dict:
    absolute = request.build_absolute_uri
    now = clock.now()
    event = Event.objects.public(now).filter(pk=kit.event_id).first() if kit.event_id else None
    call = event and {
        "title": event.title,
        "url": absolute(event.get_absolute_url()),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "schedule": event.schedule,
        "webcast_url": (event.webcast_url or None) if event.materials_visible(now) else None,
    }
    documents = [
        {
            "title": d.title,
            "category": d.category,
            "url": absolute(d.get_absolute_url()),
            "content_type": d.content_type,
            "size": d.size,
            "updated_at": d.decided_at if d.is_update else None,
            "note": d.note if d.is_update else "",
        }
        for d in kit.documents.current()
    ]
    return {**item(request, kit), "call": call or None, "documents": documents}


@read(router, "/results", response={200: KitList, 400: Error}, operation_id="listResults")
def list_results(request: HttpRequest, filters: Query[KitFilters]):
    """Public results kits, the latest first, optionally of one fiscal year (``year``)."""
    kits = ResultsKit.objects.public().select_related("release").latest_first()
    if filters.year is not None:
        kits = kits.filter(fiscal_year=filters.year)
    return Status(200, {"items": [item(request, kit) for kit in kits[:LISTED]]})


@read(
    router,
    "/results/{fiscal_year}/{period}",
    response={200: KitDetail, 400: Error, 404: Error, 410: Error},
    operation_id="getResultsKit",
)
def get_results_kit(request: HttpRequest, fiscal_year: FiscalYear, period: FiscalPeriod):
    """One public kit. A kit whose release is not public answers exactly as a period with no
    kit (404); one whose release was withdrawn answers 410."""
    found = ResultsKit.objects.filter(fiscal_year=fiscal_year, period=period)
    kit = found.public().select_related("release").first()
    if kit is not None:
        return Status(200, detail(request, kit))
    if found.withdrawn().exists():
        body = {"status": 410, "error": "withdrawn", "message": "Withdrawn with its release."}
        return Status(410, body)
    raise not_found("results kit")
