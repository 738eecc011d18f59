"""The home page as an investor-relations landing page (issue 29).

On results day an investor lands here for the results: the latest results release with its
call (time, webcast, slides, as the event's materials rule shows them), then the upcoming events,
the latest SEC filings, the latest press releases and the e-mail sign-up. The first screen on a
phone holds the newest release's headline and its minute.

The view lives here, in the layer over releases, events and filings (pyproject's import-linter
contract: ``irsite.home`` sits with alerts, webhooks and the API), because it reads all three and
releases may import neither events nor filings. Each part is read through its app's own
publication rule (`ReleaseQuerySet.public`, `EventQuerySet.public`/`with_materials`,
`FilingQuerySet.public`) at the database's clock, so nothing reaches this page before its
second. The page is cached and purged like `/news/`: it carries the ``list`` surrogate key,
which every release, event and filing change purges, and the page cache keeps no copy past the
next go-live of any registered schedule (`irsite.http.schedule`).
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from events.models import Event, EventDocument
from filings.models import Filing
from irsite import clock
from irsite.http import cache_publicly
from releases.models import Category, Release
from results.models import ResultsKit

# How many filings, releases and upcoming events the landing page lists (the rest are one link
# away: /filings/, /news/, /events/).
FILINGS = 5
RELEASES = 5
UPCOMING = 3


def results_release(now: datetime) -> Release | None:
    """The newest public release that reports results: in a public category named in
    ``IRSITE_RESULTS_CATEGORIES`` (slugs), linked to a public earnings call, or the release of a
    public results kit."""
    results = Category.objects.public(now).filter(slug__in=settings.IRSITE_RESULTS_CATEGORIES)
    calls = Event.objects.public(now).filter(kind=Event.Kind.EARNINGS_CALL)
    kits = ResultsKit.objects.public(now).values("release")
    public = Release.objects.public(now)
    found = public.filter(Q(categories__in=results) | Q(events__in=calls) | Q(pk__in=kits)).values(
        "pk"
    )
    return public.filter(pk__in=found).for_listing().order_by("-published_at", "-pk").first()


def results_call(release: Release, now: datetime) -> dict | None:
    """The public event linked to ``release`` (its call), with its webcast and slides only
    when its materials are public (`Event.materials_visible`); None without one."""
    event = Event.objects.public(now).filter(releases=release).order_by("starts_at").first()
    if event is None:
        return None
    materials = event.materials_visible(now)
    slides = list(event.documents.filter(kind=EventDocument.Kind.SLIDES)) if materials else []
    return {"event": event, "materials": materials, "slides": slides}


@method_decorator(cache_publicly, name="dispatch")
class HomeView(TemplateView):
    template_name = "home/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = clock.now()
        latest = list(Release.objects.public(now).for_listing()[:RELEASES])
        results = results_release(now)
        call = results_call(results, now) if results else None
        upcoming = Event.objects.public(now).upcoming(now)
        if call:  # the call is shown with its results: it is not listed a second time
            upcoming = upcoming.exclude(pk=call["event"].pk)
        # The kit of that release (public with it, by the kit's own rule), with its documents.
        kit = ResultsKit.objects.public(now).filter(release=results).first() if results else None
        context.update(
            lead=latest[0] if latest else None,
            results=results,
            kit=kit,
            kit_documents=list(kit.documents.current()) if kit else [],
            call=call,
            upcoming=list(upcoming[:UPCOMING]),
            filings=list(Filing.objects.public().newest_first()[:FILINGS]),
            latest=latest,
        )
        return context
