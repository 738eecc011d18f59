"""RSS and Atom of public reports, newest publication first (built on the releases' feed
generators: one write, XML-safe text). Each item links the report's PDF."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed

from irsite import clock
from releases.public.feeds import AtomFeedWrittenAtOnce, RssFeedWrittenAtOnce

from ..models import Report


class ReportsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = RssFeedWrittenAtOnce
    title = "Reports"
    description = "Annual reports, proxy statements and sustainability reports."

    def link(self) -> str:
        return reverse("reports:list")

    def items(self):
        return Report.objects.public(clock.now()).order_by("-published_at", "-pk")[:20]

    def item_title(self, item: Report) -> str:
        return item.title

    def item_description(self, item: Report) -> str:
        words = f"{item.get_kind_display()}, fiscal year {item.fiscal_year}."
        return f"{words} {item.description}".strip()

    def item_link(self, item: Report) -> str:
        return item.get_file_url()

    def item_pubdate(self, item: Report):
        return item.published_at

    def item_updateddate(self, item: Report):
        return item.last_modified

    def item_guid(self, item: Report) -> str:
        # Stable whatever the file becomes (a correction replaces it).
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_enclosure_url(self, item: Report) -> str:
        return item.get_file_url()

    def item_enclosure_length(self, item: Report) -> int:
        return item.size

    item_enclosure_mime_type = "application/pdf"


class ReportsAtomFeed(ReportsRssFeed):
    feed_type = AtomFeedWrittenAtOnce
    subtitle = ReportsRssFeed.description
