"""``/api/v1/releases``: public press releases, newest first, and one release by its id.

Built on `ReleaseQuerySet.public()` with the shapes the feeds and pages load (`for_feed`,
`for_page`): what is here is what a page shows, from the second it shows it. A release's id
is the UUID of its feed GUID (`releases.public.feeds.guid`), so a feed item and an API item
are one and the same to a reader of both.
"""

import uuid
from datetime import datetime

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Query, Router, Schema, Status
from pydantic import Field

from releases.models import Category, Release
from releases.public.feeds import guid

from .cursors import Cursors, Position
from .errors import ApiError, Error, not_found
from .params import CURSOR_MESSAGE, DEFAULT_LIMIT, CategorySlug, Cursor, Id, Limit, Year
from .responses import read

router = Router(tags=["releases"])
CURSORS = Cursors("releases", time_field="published_at")


# --- what a release is, as JSON --------------------------------------------------------------


class CategoryLink(Schema):
    slug: str = Field(description="As in the category's page URL and the `category` filter.")
    name: str


class ReleaseItem(Schema):
    """A release as a list shows it."""

    id: uuid.UUID = Field(description="The UUID of the release's feed GUID (`urn:uuid:…`).")
    url: str = Field(description="Its permanent page.", json_schema_extra={"format": "uri"})
    headline: str
    subheadlines: list[str]
    published_at: datetime = Field(description="Its go-live second; never changes.")
    updated_at: datetime = Field(description="Publication or the latest correction.")
    summary: str = Field(description="Plain text: the summary, or the text's first sentences.")
    categories: list[CategoryLink]


class AttachmentLink(Schema):
    title: str
    url: str = Field(json_schema_extra={"format": "uri"})
    content_type: str
    size: int = Field(description="Bytes.")


class ContactCard(Schema):
    """A contact as the release prints it (as approved)."""

    name: str
    title: str
    organization: str
    telephone: str
    email: str
    audience: str = Field(description='"investors", "media", or "" where the release does not say.')


class CorrectionNote(Schema):
    corrected_at: datetime
    note: str


class ReleaseDetail(ReleaseItem):
    """A release as its page shows it."""

    dateline: str
    body_html: str = Field(
        description="The text as the page prints it: sanitized HTML, the dateline leading "
        "into its first paragraph, images at absolute URLs."
    )
    pdf_url: str = Field(description="Its PDF rendition.", json_schema_extra={"format": "uri"})
    attachments: list[AttachmentLink]
    contacts: list[ContactCard]
    corrections: list[CorrectionNote] = Field(description="Oldest first.")
    exhibit_label: str = Field(description='As filed with the SEC, e.g. "EXHIBIT 99.1"; or "".')
    filing_url: str = Field(description='The 8-K on EDGAR it was filed with, or "".')


class ReleasePage(Schema):
    """One page of a list. There is no count and no last page: follow ``next``."""

    items: list[ReleaseItem]
    next_cursor: str | None = Field(
        description="Give as `cursor` for the next (older) page; null on the last page."
    )
    next: str | None = Field(
        description="The next page's URL (these filters and `next_cursor`); null on the last.",
        json_schema_extra={"format": "uri"},
    )


class Withdrawn(Error):
    """410: the release was public and has been withdrawn; its page says the same."""

    id: uuid.UUID
    headline: str
    published_at: datetime
    withdrawn_at: datetime | None
    reason: str


class ReleaseFilters(Schema):
    category: CategorySlug | None = None
    year: Year | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def id_of(release: Release) -> uuid.UUID:
    """The API's id of ``release``: the UUID its feed GUID names."""
    return uuid.UUID(guid(release))


def item(request: HttpRequest, release: Release) -> dict:
    published, updated = release.published_at, release.last_modified
    assert published is not None and updated is not None  # public: published
    return {
        "id": id_of(release),
        "url": request.build_absolute_uri(release.get_absolute_url()),
        "headline": release.headline,
        "subheadlines": release.subheadlines,
        "published_at": published,
        "updated_at": updated,
        "summary": release.excerpt(),
        "categories": [{"slug": c.slug, "name": c.name} for c in release.category_list],
    }


def detail(request: HttpRequest, release: Release) -> dict:
    absolute = request.build_absolute_uri
    return {
        **item(request, release),
        "dateline": release.dateline,
        "body_html": str(release.body_html(lambda a: absolute(a.get_absolute_url()))),
        "pdf_url": absolute(release.get_pdf_url()),
        "attachments": [
            {
                "title": a.title,
                "url": absolute(a.get_absolute_url()),
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in release.attachment_list
        ],
        "contacts": [c.as_dict() for c in release.ordered_contacts()],
        "corrections": [
            {"corrected_at": c.corrected_at, "note": c.note} for c in release.correction_notes()
        ],
        "exhibit_label": release.exhibit_label,
        "filing_url": release.filing_url,
    }


# --- the operations ----------------------------------------------------------------------------


def public_category(slug: str) -> Category:
    """The public category at ``slug`` or at a slug it had before; a 400 otherwise, the same
    for a category not yet public (its first release is scheduled) as for one that never
    existed."""
    public = Category.objects.public()
    found = public.filter(slug=slug).first() or public.filter(old_slugs__old_slug=slug).first()
    if found is None:
        raise ApiError(
            400, "invalid_parameter", "category: no public category has this slug", "category"
        )
    return found


@read(router, "/releases", response={200: ReleasePage, 400: Error}, operation_id="listReleases")
def list_releases(request: HttpRequest, filters: Query[ReleaseFilters]):
    """Public releases, newest first, a page at a time (``limit``, 20 by default), optionally of
    one category and one year. Follow ``next`` (or pass ``next_cursor`` as ``cursor``) for
    older ones: a page starts right after the last item of the one before, so releases going
    live meanwhile never repeat or skip an item. There is no count and no last page number."""
    start: Position | None = None
    if filters.cursor is not None:
        try:
            start = CURSORS.read(filters.cursor)
        except ValueError:
            raise ApiError(400, "invalid_parameter", CURSOR_MESSAGE, "cursor") from None
    releases = Release.objects.public().for_feed()
    if filters.category is not None:
        releases = releases.filter(categories=public_category(filters.category))
    if filters.year is not None:
        releases = releases.filter(published_at__year=filters.year)
    rows, end = CURSORS.page(releases, start, filters.limit)
    cursor = CURSORS.after(end.at, end.id) if end else None
    return Status(
        200,
        {
            "items": [item(request, release) for release in rows],
            "next_cursor": cursor,
            "next": cursor and next_url(request, filters, cursor),
        },
    )


def next_url(request: HttpRequest, filters: ReleaseFilters, cursor: str) -> str:
    """The next page's URL: this list's filters (as parsed; nothing else of the query string)
    and ``cursor``."""
    query = {
        "category": filters.category,
        "year": filters.year,
        "limit": filters.limit if filters.limit != DEFAULT_LIMIT else None,
        "cursor": cursor,
    }
    given = urlencode({name: value for name, value in query.items() if value is not None})
    return request.build_absolute_uri(f"{request.path}?{given}")


@read(
    router,
    "/releases/{release_id}",
    response={200: ReleaseDetail, 400: Error, 404: Error, 410: Withdrawn},
    operation_id="getRelease",
)
def get_release(request: HttpRequest, release_id: Id):
    """One public release by its id. A release not public answers exactly as an id that never
    existed (404); a withdrawn one answers 410 with the reason its page gives."""
    release = Release.objects.public().for_page().filter(uuid=release_id).first()
    if release is not None:
        return Status(200, detail(request, release))
    gone = Release.objects.withdrawn().filter(uuid=release_id).first()
    if gone is None:
        raise not_found("release")
    assert gone.published_at is not None  # withdrawn after going live
    return Status(
        410,
        {
            "status": 410,
            "error": "withdrawn",
            "message": "This press release has been withdrawn.",
            "id": id_of(gone),
            "headline": gone.headline,
            "published_at": gone.published_at,
            "withdrawn_at": gone.withdrawn_at,
            "reason": gone.withdrawal_reason,
        },
    )
