"""RSS and Atom of announced events, newest announcement first (built on the releases' feed
generators: one write, XML-safe text)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed

from irsite import clock
from releases.public.feeds import AtomFeedWrittenAtOnce, RssFeedWrittenAtOnce

from ..models import Event
from ..templatetags.event_times import event_when


class EventsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = RssFeedWrittenAtOnce
    title = "Events"
    description = "Earnings calls, investor days, conference presentations and annual meetings."

    def link(self) -> str:
        return reverse("events:list")

    def items(self):
        return Event.objects.public(clock.now()).order_by("-announce_at", "-pk")[:20]

    def item_title(self, item: Event) -> str:
        status = (
            "" if item.schedule == Event.Schedule.SCHEDULED else f" ({item.get_schedule_display()})"
        )
        return f"{item.title}{status}"

    def item_description(self, item: Event) -> str:
        return f"{event_when(item)}. {item.description}".strip()

    def item_pubdate(self, item: Event):
        return item.announce_at

    def item_updateddate(self, item: Event):
        return item.last_modified

    def item_guid(self, item: Event) -> str:
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False


class EventsAtomFeed(EventsRssFeed):
    feed_type = AtomFeedWrittenAtOnce
    subtitle = EventsRssFeed.description
