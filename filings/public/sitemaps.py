"""The filings section of the sitemap: `/filings/`, dated by the "last updated" it prints.
Filtered lists are noindex; the filings themselves live on sec.gov."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..models import EdgarSource


class FilingsSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["filings:list"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str) -> datetime | None:
        source = EdgarSource.objects.filter(pk=1).first()
        return source.shown_at if source else None
