"""What readers reach of events: the list, an event's page, its calendar file, the calendar of
every event and the documents. Each asks `EventQuerySet.public()` (and `materials_visible` for
the webcast, dial-in and documents), through the page cache (`cache_publicly`): an event not
yet announced answers exactly like a slug that never existed, on every one of them."""

from itertools import groupby

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.http.response import HttpResponseBase
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.generic import TemplateView

from irsite import clock
from irsite.contacts.models import CompanyProfile
from irsite.http import StoredFile, cache_publicly, file_response, serve_file
from releases.models import Release

from ..models import Event, EventChange, EventDocument
from ..models.states import Kind
from . import calendar, seo

# How many past events the list shows (an IR calendar holds a few dozen a year).
PAST_SHOWN = 200


def _kind(request: HttpRequest) -> str:
    value = request.GET.get("kind", "")
    return value if value in Kind.values else ""


@method_decorator(cache_publicly(reads=("kind",)), name="dispatch")
class EventListView(TemplateView):
    """`/events/`: upcoming events first (soonest first), then past ones by year;
    ``?kind=earnings_call`` filters (an unknown kind is ignored)."""

    template_name = "events/event_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = clock.now()
        public = Event.objects.public(now)
        kind = _kind(self.request)
        if kind:
            public = public.filter(kind=kind)
        past = list(public.past(now)[:PAST_SHOWN])
        context.update(
            upcoming=list(public.upcoming(now)),
            past_by_year=[(y, list(e)) for y, e in groupby(past, lambda e: e.local_start.year)],
            kind=kind,
            kinds=Kind.choices,
            now=now,
        )
        return context


def public_event(year: int, month: int, day: int, slug: str) -> Event | HttpResponse:
    """The public event at ``slug``; a 301 to its current URL when the date in the URL is not
    its date (it was rescheduled); Http404 otherwise, the same for an event not yet announced
    as for one that never existed."""
    event = Event.objects.public().filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    local = event.local_start
    if (local.year, local.month, local.day) != (year, month, day):
        return HttpResponsePermanentRedirect(event.get_absolute_url())
    return event


@method_decorator(cache_publicly, name="dispatch")
class EventDetailView(TemplateView):
    template_name = "events/event_detail.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        found = public_event(kwargs["year"], kwargs["month"], kwargs["day"], kwargs["slug"])
        if isinstance(found, HttpResponse):
            return found
        self.event = found
        response = super().get(request, *args, **kwargs)
        if modified := found.last_modified:
            response.headers["Last-Modified"] = http_date(modified.timestamp())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event, now = self.event, clock.now()
        materials = event.materials_visible(now)
        url = self.request.build_absolute_uri(event.get_absolute_url())
        company = CompanyProfile.for_request(self.request)
        context.update(
            event=event,
            now=now,
            materials=materials,
            replay=event.replay_visible(now),
            documents=list(event.documents.all()) if materials else [],
            # Only public releases: a results release linked before its go-live stays unseen.
            releases=list(
                Release.objects.public(now).filter(events=event).order_by("published_at")
            ),
            changes=list(
                event.changes.filter(status=EventChange.Status.APPROVED).order_by("decided_at")
            ),
            canonical_url=url,
            structured_data=seo.event_data(
                event, url, company.legal_name or company.short_name, now
            ),
        )
        return context


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@cache_publicly
def event_ics(request: HttpRequest, year: int, month: int, day: int, slug: str) -> HttpResponse:
    """One event as a calendar file, at its page's URL with ``.ics``."""
    found = public_event(year, month, day, slug)
    if isinstance(found, HttpResponse):
        return HttpResponsePermanentRedirect(f"{found['Location'].rstrip('/')}.ics")
    now = clock.now()

    def url_of(e: Event) -> str:
        return request.build_absolute_uri(e.get_absolute_url())

    name = CompanyProfile.for_request(request).short_name
    return _ics_response(calendar.calendar([found], url_of, name, now), f"{found.slug}.ics")


@cache_publicly
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """`/events/calendar.ics`: every public event, to subscribe to."""
    now = clock.now()
    events = Event.objects.public(now).order_by("starts_at", "pk")

    def url_of(e: Event) -> str:
        return request.build_absolute_uri(e.get_absolute_url())

    company = CompanyProfile.for_request(request)
    name = f"{company.short_name} events".strip()
    return _ics_response(calendar.calendar(events, url_of, name, now), "events.ics")


def event_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """``/events/files/<random>.<ext>``: a document of an event whose materials are public;
    before that, as a name that never existed (404)."""
    return serve_file(request, lambda: _document_response(request, name))


def _document_response(request: HttpRequest, name: str) -> HttpResponseBase:
    # Nothing of the request but the name is read before the materials are known to be public.
    document = (
        EventDocument.objects.filter(
            file=f"event-files/{name}", event__in=Event.objects.with_materials()
        )
        .select_related("event")
        .first()
    )
    if document is None:
        raise Http404("No such file.")
    last_modified = document.event.last_modified
    assert last_modified is not None  # public: announced
    return file_response(
        request,
        StoredFile(
            open=lambda: document.file.open("rb"),
            size=document.size,
            content_type=document.content_type,
            etag=f'"{document.sha256[:40]}"',
            last_modified=last_modified,
            filename=document.download_name,
            as_attachment=document.content_type not in INLINE_TYPES,
        ),
    )


INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp"}
