"""`/filings/feed/rss/` and one feed per form group: the 20 newest public filings, each
linking to its document on EDGAR (EDGAR's viewer for inline XBRL) and identified by its
accession number, which never changes."""

from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed

from irsite.contacts.models import CompanyProfile
from releases.public.feeds import RssFeedWrittenAtOnce

from ..groups import BY_SLUG, Group
from ..models import Filing


class FilingsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = RssFeedWrittenAtOnce

    def get_object(self, request, group: str | None = None) -> Group | None:
        self.company = CompanyProfile.load()
        return BY_SLUG[group] if group else None

    def title(self, group: Group | None) -> str:
        name = self.company.short_name or "Company"
        return f"{name} SEC filings{f': {group.label}' if group else ''}"

    def link(self, group: Group | None) -> str:
        url = reverse("filings:list")
        return f"{url}?group={group.slug}" if group else url

    def description(self, group: Group | None) -> str:
        name = self.company.legal_name or "the company"
        what = f"{group.label} ({group.description})" if group else "Filings"
        return f"{what} of {name} on SEC EDGAR."

    def items(self, group: Group | None):
        filings = Filing.objects.public().newest_first()
        if group:
            filings = filings.in_group(group)
        return filings[:20]

    def item_title(self, filing: Filing) -> str:
        return f"{filing.form}: {filing.title}"

    def item_description(self, filing: Filing) -> str:
        return (
            f"Form {filing.form} filed {filing.filing_date:%B} {filing.filing_date.day}, "
            f"{filing.filing_date.year}; accession number {filing.accession_number}."
        )

    def item_link(self, filing: Filing) -> str:
        return filing.document_url or filing.index_url

    def item_pubdate(self, filing: Filing) -> datetime:
        # EDGAR's acceptance time; the filing date's midnight (UTC) where EDGAR gives none.
        day = filing.filing_date
        return filing.accepted_at or datetime(day.year, day.month, day.day, tzinfo=UTC)

    def item_guid(self, filing: Filing) -> str:
        return f"urn:sec-accession:{filing.accession_number}"

    item_guid_is_permalink = False

    def item_categories(self, filing: Filing) -> list[str]:
        return [filing.group_info.label]
