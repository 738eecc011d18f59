"""RSS and Atom of public results kits, the latest first (built on the releases' feed
generators: one write, XML-safe text)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed

from irsite import clock
from releases.public.feeds import AtomFeedWrittenAtOnce, RssFeedWrittenAtOnce

from ..models import ResultsKit


class KitsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = RssFeedWrittenAtOnce
    title = "Results"
    description = "Quarterly and full-year results: the earnings release, slides, supplemental "
    description += "tables, financial statements and the earnings call."

    def link(self) -> str:
        return reverse("results:list")

    def items(self):
        kits = ResultsKit.objects.public(clock.now()).select_related("release")
        return kits.latest_first()[:20]

    def item_title(self, item: ResultsKit) -> str:
        return item.title

    def item_description(self, item: ResultsKit) -> str:
        return f"{item.period_words}. {item.release.headline}"

    def item_pubdate(self, item: ResultsKit):
        # Dated by its results (the release), not by when a second person approved the kit: a
        # kit added for an old quarter is that quarter's, not today's.
        return item.release.published_at

    def item_updateddate(self, item: ResultsKit):
        return item.last_modified


class KitsAtomFeed(KitsRssFeed):
    feed_type = AtomFeedWrittenAtOnce
    subtitle = KitsRssFeed.description
