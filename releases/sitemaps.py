from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Category, Release


class ReleaseSitemap(Sitemap):
    """Every public release, dated by its last correction (or its publication)."""

    def items(self):
        return Release.objects.public().only("slug", "published_at", "corrected_at")

    def lastmod(self, release: Release):
        return release.last_modified


class CategorySitemap(Sitemap):
    """The page of every public category (one with a public release)."""

    def items(self):
        return Category.objects.public().order_by("name")


class PageSitemap(Sitemap):
    """The public pages that are not releases."""

    def items(self) -> list[str]:
        return ["home", "releases:list", "contacts:list"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"releases": ReleaseSitemap, "categories": CategorySitemap, "pages": PageSitemap}
