"""Results kits in the sitemap: a section of their own beside the releases' (the index lists
it, empty and undated until a kit is public)."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap

from irsite import clock
from releases.public.sitemaps import _OnePage

from ..models import ResultsKit


class ResultsSitemap(Sitemap):
    """Every public kit's page, dated by its last public change: a few a year, one page."""

    @property
    def paginator(self) -> _OnePage:  # type: ignore[override]  # as the views use it
        return _OnePage(self)

    def items(self):
        return ResultsKit.objects.public(clock.now()).select_related("release").order_by("pk")

    def lastmod(self, kit: ResultsKit) -> datetime | None:
        return kit.last_modified

    def get_latest_lastmod(self) -> datetime | None:
        return max(filter(None, (k.last_modified for k in self.items())), default=None)
