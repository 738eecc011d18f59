"""Events in the sitemap: a section of their own beside the releases' (the index lists it)."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest

from irsite import clock
from releases.public.sitemaps import _OnePage

from ..models import Event


class EventSitemap(Sitemap):
    """Every public event's page, dated by its last public change: one page (the releases'
    one-page paginator: the index need not count the rows to say so)."""

    @property
    def paginator(self) -> _OnePage:  # type: ignore[override]  # as the views use it
        return _OnePage(self)

    def items(self):
        return Event.objects.public(clock.now()).order_by("pk")

    def lastmod(self, event: Event) -> datetime | None:
        return event.last_modified

    def get_latest_lastmod(self) -> datetime | None:
        latest = Event.objects.public(clock.now()).aggregate(
            at=Max(Greatest("announce_at", Coalesce("corrected_at", "announce_at")))
        )
        return latest["at"]
