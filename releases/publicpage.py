"""What the public page of one release reads: one statement, compiled once per process.

The release page is the page read most, and the one a cache cannot hold across a correction or
a go-live. Its record is stored rendered (`releases.rendering`); what is left per request is
the row, that stored record, its neighbours and categories (`ReleaseQuerySet.for_public_page`),
the company profile the site header prints and the site's Last-Modified state: one statement,
so the page and its Last-Modified come from one snapshot. It is an
`irsite.prepared.PreparedQuery`: built by the same queryset methods as every other surface (the
publication rule is `ReleaseQuerySet.public()`), compiled to SQL once and prepared on
PostgreSQL, so a request costs its execution, not Django building it again
(bench/results/uncached-release-prepared-20261130.md: 6 queries and 9.7 ms of CPU → 1 and 2 ms).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest
from django.utils import timezone

from irsite.contacts.models import CompanyProfile
from irsite.prepared import PreparedQuery

from .fields import json_datetime
from .lastmodified import last_modified_from, state_columns
from .models import (
    CATEGORY_LINK_FIELDS,
    NEIGHBOUR_FIELDS,
    PAGE_DEFERRED,
    Category,
    Release,
    ReleaseRendering,
)

_PAGE = PreparedQuery(
    lambda now, slug: (
        Release.objects.public(now)
        .filter(slug=slug)
        .for_public_page(now)
        .annotate(company=CompanyProfile.column(), **state_columns(now))
        .order_by()[:1]
    ),
    now=datetime,
    slug=str,
)

_RELEASE_FIELDS = tuple(
    f.attname for f in Release._meta.concrete_fields if f.name not in PAGE_DEFERRED
)
_RECORD_FIELDS = tuple(f.attname for f in ReleaseRendering._meta.concrete_fields)


@dataclass(frozen=True)
class PublicPage:
    """A public release (its ``category_list`` and stored record, ``rendering``, loaded), its
    neighbours in publication order, as links (headline, slug, time), and the site's
    Last-Modified second (`releases.lastmodified`) in the same snapshot."""

    release: Release
    previous: Release | None
    next: Release | None
    site_last_modified: int


def public_page(request: HttpRequest, slug: str, now: datetime | None = None) -> PublicPage | None:
    """The public release at ``slug`` at ``now`` (default: this instant), or None. The company
    profile the site's header prints is read with it and kept as ``request``'s
    (`CompanyProfile.for_request`): the page is rendered from one snapshot."""
    rows = _PAGE(now=now or timezone.now(), slug=slug)
    if not rows:
        return None
    row = rows[0]
    release = Release.from_db(
        DEFAULT_DB_ALIAS, _RELEASE_FIELDS, [row[name] for name in _RELEASE_FIELDS]
    )
    if row["rendering__release_id"] is not None:
        release.rendering = ReleaseRendering.from_db(
            DEFAULT_DB_ALIAS,
            _RECORD_FIELDS,
            [row[f"rendering__{name}"] for name in _RECORD_FIELDS],
        )
    fields = CATEGORY_LINK_FIELDS
    release.prefetched_categories = [
        Category.from_db(DEFAULT_DB_ALIAS, fields, [c[f] for f in fields])
        for c in row["category_rows"]
    ]
    CompanyProfile.from_column(request, row["company"])
    return PublicPage(
        release, _link(row["previous_link"]), _link(row["next_link"]), last_modified_from(row)
    )


def _link(link: dict | None) -> Release | None:
    if link is None:
        return None
    fields = {name: link[name] for name in NEIGHBOUR_FIELDS}
    return Release(**{**fields, "published_at": json_datetime(link["published_at"])})
