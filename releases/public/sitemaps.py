"""The sitemap: an index (`/sitemap.xml`) of sections, each a sitemap of at most
`IRSITE_SITEMAP_SECTION_SIZE` (default 50,000) URLs, the protocol's limit
(https://www.sitemaps.org/protocol.html#index).

Releases fall into sections by id (section n holds ids n*size to (n+1)*size-1), so a section
keeps its releases as more are published, never holds more than the limit, and is read by one
range scan of the primary key; the index is one grouped query giving every section's lastmod.
"""

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import SimpleNamespace

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage
from django.db.models import F, Max
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

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
        size = section_size()
        return (
            Release.objects.public()
            .filter(pk__gte=self.number * size, pk__lt=(self.number + 1) * size)
            .only("slug", "published_at", "corrected_at")
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
