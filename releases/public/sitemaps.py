"""The sitemap: an index (`/sitemap.xml`) of sections, each a sitemap of at most
`IRSITE_SITEMAP_SECTION_SIZE` (default 50,000) URLs, the protocol's limit
(https://www.sitemaps.org/protocol.html#index).

Releases fall into sections by id (section n holds ids n*size to (n+1)*size-1), so a section
keeps its releases as more are published, never holds more than the limit, and is read by one
range scan of the primary key; the index is one grouped query giving every section's lastmod.

A release section is written by `section_view` from three columns a row (slug, publication,
correction), its URLs from one reversed pattern: Django's view, with a model instance, a
`reverse()` and a template node per URL, took 6-7 s for 50,000 (bench/results/search-*.md).
The other sections are few URLs and keep Django's view.
"""

import html
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap, x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage
from django.db.models import F, Max
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from ..models import Category, Release

SECTION_PREFIX = "releases-"


def section_size() -> int:
    return getattr(settings, "IRSITE_SITEMAP_SECTION_SIZE", 50_000)


class _OnePage:
    """A section is one page; Django's paginator would count its rows just to say so."""

    num_pages = 1

    def __init__(self, sitemap: Sitemap) -> None:
        self.sitemap = sitemap

    def page(self, number) -> SimpleNamespace:
        if str(number) != "1":
            raise EmptyPage("A sitemap section is one page.")
        return SimpleNamespace(object_list=self.sitemap.items())


class ReleaseSitemap(Sitemap):
    """The public releases of one section, dated by their last correction (or publication)."""

    def __init__(self, number: int, latest: datetime | None = None) -> None:
        self.number = number
        self.latest_lastmod = latest

    @property
    def paginator(self) -> _OnePage:  # type: ignore[override]  # a Paginator as the views use it
        return _OnePage(self)

    def items(self):
        return self._releases().only("slug", "published_at", "corrected_at")

    def rows(self) -> Iterator[tuple[str, datetime, datetime | None]]:
        """(slug, published_at, corrected_at) of each release of the section: what its URL
        and lastmod are made of, and nothing else (`section_view`)."""
        rows = self._releases().values_list("slug", "published_at", "corrected_at")
        return rows.iterator(chunk_size=5000)

    def _releases(self):
        size = section_size()
        return (
            Release.objects.public()
            .filter(pk__gte=self.number * size, pk__lt=(self.number + 1) * size)
            .order_by("pk")
        )

    def lastmod(self, release: Release):
        return release.last_modified

    def get_latest_lastmod(self):
        return self.latest_lastmod


class CategorySitemap(Sitemap):
    """The page of every public category (one with a public release); they change when a
    release does."""

    def __init__(self, latest: datetime | None = None) -> None:
        self.latest_lastmod = latest

    def items(self):
        return Category.objects.public().order_by("name")

    def lastmod(self, category: Category) -> datetime | None:
        return self.latest_lastmod

    def get_latest_lastmod(self) -> datetime | None:
        return self.latest_lastmod


class PageSitemap(Sitemap):
    """The public pages that are not releases; they change when a release does."""

    def __init__(self, latest: datetime | None = None) -> None:
        self.latest_lastmod = latest

    def items(self) -> list[str]:
        return ["home", "releases:list", "contacts:list"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str) -> datetime | None:
        return self.latest_lastmod

    def get_latest_lastmod(self) -> datetime | None:
        return self.latest_lastmod


class Sections(Mapping):
    """The sections of the sitemap as Django's sitemap views take them, found at request time:
    "pages", "categories" (the public ones), "releases-<n>" for each id range holding a
    public release, and the sections of other apps given as ``more`` (name: a sitemap class;
    the URLconf passes them: this app imports none of them)."""

    def __init__(self, more: Mapping[str, Callable[[], Sitemap]] | None = None) -> None:
        self.more = dict(more or {})

    # One object, equal to itself only: URL reversing compares a route's defaults, and the
    # Mapping's own equality would query the sections twice and find them unequal.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __getitem__(self, section: str) -> Sitemap:
        if section in {"pages", "categories"}:
            sections = self._release_sections()
            latest = max(filter(None, (r.latest_lastmod for _, r in sections)), default=None)
            return (PageSitemap if section == "pages" else CategorySitemap)(latest)
        if section in self.more:
            return self.more[section]()
        number = section.removeprefix(SECTION_PREFIX)
        # Twelve digits at most: a larger number is no section, and no 500 from a bigint overflow.
        if section.startswith(SECTION_PREFIX) and number.isascii() and number.isdigit():
            if len(number) > 12:
                raise KeyError(section)
            return ReleaseSitemap(int(number))
        raise KeyError(section)

    def _release_sections(self) -> list[tuple[str, ReleaseSitemap]]:
        size = section_size()
        # A correction is later than the publication; SQLite's MAX(a, NULL) is NULL.
        modified = Greatest("published_at", Coalesce("corrected_at", "published_at"))
        rows = (
            Release.objects.public()
            .order_by()
            .annotate(section=F("pk") / size)
            .values("section")
            .annotate(latest=Max(modified))
            .order_by("section")
        )
        return [
            (f"{SECTION_PREFIX}{row['section']}", ReleaseSitemap(row["section"], row["latest"]))
            for row in rows
        ]

    # A list, not a view: the sections are found by one query, not looked up key by key.
    def items(self) -> list[tuple[str, Sitemap]]:  # type: ignore[override]
        releases = self._release_sections()
        latest = max(filter(None, (s.latest_lastmod for _, s in releases)), default=None)
        others = [(name, make()) for name, make in self.more.items()]
        pages = [("pages", PageSitemap(latest)), ("categories", CategorySitemap(latest))]
        return [*pages, *releases, *others]

    def __iter__(self) -> Iterator[str]:
        return iter(key for key, _ in self.items())

    def __len__(self) -> int:
        return len(self.items())


SITEMAPS = Sections()

# Placeholders reversed once per response; `_release_url` puts each release's values in their
# place. Values no release has, so the pattern's own text is never mistaken for them.
_SLOT_ARGS = (9999, 88, 77, "sitemap-slug-slot")
_SLOT = "9999/88/77/sitemap-slug-slot"
# What `reverse` leaves unquoted in a path (django.urls.resolvers).
_SAFE = "!$&'()*+,;=/~:@"


def _release_url() -> Callable[[datetime, str], str]:
    """A function of (local publication time, slug) giving `Release.get_absolute_url`, with
    one `reverse()` in all; that pattern or, should the URL's shape change, `reverse()` each."""
    head, slot, tail = reverse("releases:detail", args=_SLOT_ARGS).partition(_SLOT)
    if not slot:
        return lambda local, slug: Release(slug=slug, published_at=local).get_absolute_url()

    def url(local: datetime, slug: str) -> str:
        if not _PLAIN.fullmatch(slug):
            slug = quote(slug, _SAFE)
        return f"{head}{local.year:04d}/{local.month:02d}/{local.day:02d}/{slug}{tail}"

    return url


_PLAIN = re.compile(r"[-a-zA-Z0-9_]+")


def _release_section(sitemap: ReleaseSitemap, prefix: str) -> tuple[str, datetime | None]:
    """The ``<url>`` elements of a release section as Django's template writes them (the
    location escaped, lastmod to the second in the issuer's zone), and the latest lastmod."""
    url_of = _release_url()
    zone = timezone.get_current_timezone()
    parts = []
    latest = None
    for slug, published_at, corrected_at in sitemap.rows():
        local = published_at.astimezone(zone)
        modified = local
        if corrected_at is not None and corrected_at > published_at:
            modified = corrected_at.astimezone(zone)
        if latest is None or modified > latest:
            latest = modified
        # What the template's autoescape does (django.utils.html.escape is html.escape).
        location = html.escape(prefix + url_of(local, slug))
        parts.append(f"<url><loc>{location}</loc><lastmod>{modified.isoformat()}</lastmod></url>")
    return "".join(parts), latest


HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)


@x_robots_tag
def section_view(
    request: HttpRequest,
    sitemaps: Mapping[str, Sitemap],
    section: str,
    template_name: str = "sitemap.xml",
    content_type: str = "application/xml",
) -> HttpResponse:
    """`/sitemap-<section>.xml`: a release section written here (the same bytes and headers
    as Django's view, in a tenth of the time), any other section by Django's `sitemap`."""
    try:
        found = sitemaps[section]
    except KeyError:
        raise Http404(f"No sitemap available for section: {section!r}") from None
    if not isinstance(found, ReleaseSitemap):
        # Already wrapped by x_robots_tag: the header is set twice to the same value.
        # Django's view only looks ``section`` up (its stubs ask for a dict).
        return sitemap(request, sitemaps, section, template_name, content_type)  # type: ignore[arg-type]
    if request.GET.get("p", "1") != "1":
        raise Http404("A sitemap section is one page.")
    domain = found.get_domain(get_current_site(request))
    urls, latest = _release_section(found, f"{found.get_protocol(request.scheme)}://{domain}")
    response = HttpResponse(f"{HEAD}{urls}\n</urlset>\n", content_type=content_type)
    if latest is not None:
        response.headers["Last-Modified"] = http_date(latest.timestamp())
    return response
