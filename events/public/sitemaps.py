"""Events in the sitemap: a section of their own beside the releases' (the index lists it)."""

from collections.abc import Iterator, Mapping
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


class WithEvents(Mapping):
    """The site's sitemap sections: those of ``sections`` (the releases') and "events", always
    listed (empty, and dated by nothing, until an event is public: the same whether or not one
    is scheduled), so that the index asks no more of the database than its lastmod."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __init__(self, sections: Mapping[str, Sitemap]) -> None:
        self.sections = sections

    def __getitem__(self, section: str) -> Sitemap:
        if section == "events":
            return EventSitemap()
        return self.sections[section]

    def items(self) -> list[tuple[str, Sitemap]]:  # type: ignore[override]
        return [*self.sections.items(), ("events", EventSitemap())]

    def __iter__(self) -> Iterator[str]:
        return iter(key for key, _ in self.items())

    def __len__(self) -> int:
        return len(self.items())
