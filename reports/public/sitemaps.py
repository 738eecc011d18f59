"""Reports in the sitemap: a section of their own beside the releases' (the index lists it):
the library's page and each fiscal year's, dated by their newest public report."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from irsite import clock
from releases.public.sitemaps import _OnePage

from ..models import Report

_MODIFIED = Greatest("published_at", Coalesce("corrected_at", "published_at"))


class ReportSitemap(Sitemap):
    @property
    def paginator(self) -> _OnePage:  # type: ignore[override]  # as the views use it
        return _OnePage(self)

    def items(self) -> list[tuple[int | None, datetime]]:
        rows = (
            Report.objects.public(clock.now())
            .order_by()
            .values("fiscal_year")
            .annotate(at=Max(_MODIFIED))
            .order_by("-fiscal_year")
        )
        years = [(row["fiscal_year"], row["at"]) for row in rows]
        if not years:
            return []
        return [(None, max(at for _, at in years)), *years]

    def location(self, item: tuple[int | None, datetime]) -> str:
        year = item[0]
        return reverse("reports:list") if year is None else reverse("reports:year", args=[year])

    def lastmod(self, item: tuple[int | None, datetime]) -> datetime:
        return item[1]

    def get_latest_lastmod(self) -> datetime | None:
        return Report.objects.public(clock.now()).aggregate(at=Max(_MODIFIED))["at"]
