"""What readers reach of results kits: the list, a kit's page and its documents. Each asks
`KitQuerySet.public()` (its release's rule), through the page cache: a kit whose release is
not yet public answers exactly like a period that never had a kit, on every one of them.

The call's time and webcast come from the kit's event only as the event's own rules allow
(`EventQuerySet.public`, `Event.materials_visible`)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.generic import TemplateView

from events.models import Event
from irsite import clock
from irsite.http import StoredFile, cache_publicly, file_response, serve_file

from ..models import DocumentStatus, KitDocument, ResultsKit
from ..models.documents import FOLDER
from . import sec

# Shown in the browser; office files and CSV are downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp"}
# A company reports five times a year: decades fit on one page.
LISTED = 200


@method_decorator(cache_publicly, name="dispatch")
class KitListView(TemplateView):
    """`/results/`: every public kit, the latest first."""

    template_name = "results/kit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kits = ResultsKit.objects.public(clock.now()).select_related("release").latest_first()
        context["kits"] = list(kits[:LISTED])
        return context


@method_decorator(cache_publicly, name="dispatch")
class KitDetailView(TemplateView):
    template_name = "results/kit_detail.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        now = clock.now()
        found = ResultsKit.objects.filter(fiscal_year=kwargs["year"], period=kwargs["period"])
        kit = found.public(now).select_related("release").first()
        if kit is None:
            gone = found.withdrawn(now).select_related("release").first()
            if gone is not None:
                return render(
                    request, "releases/withdrawn.html", {"release": gone.release}, status=410
                )
            raise Http404("No such results kit.")
        self.kit, self.now = kit, now
        response = super().get(request, *args, **kwargs)
        # The 10-Q/10-K line (`sec`) changes the page without changing the kit.
        if modified := max(filter(None, [kit.last_modified, sec.changed_at(kit)]), default=None):
            response.headers["Last-Modified"] = http_date(modified.timestamp())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kit, now = self.kit, self.now
        event = Event.objects.public(now).filter(pk=kit.event_id).first() if kit.event_id else None
        materials = bool(event and event.materials_visible(now))
        context.update(
            kit=kit,
            release=kit.release,
            event=event,
            webcast_url=event.webcast_url if event and materials else "",
            replay=bool(event and event.replay_visible(now)),
            documents=list(kit.documents.current()),
            periodic_report=sec.periodic_report(kit),
            canonical_url=self.request.build_absolute_uri(kit.get_absolute_url()),
        )
        return context


def kit_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """``/results/files/<random>.<ext>``: a current document of a public kit; before its
    release's go-live, as a name that never existed (404); after the release's withdrawal, or
    once replaced by an approved correction, 410 Gone."""
    return serve_file(request, lambda: _document_response(request, name))


def _document_response(request: HttpRequest, name: str) -> HttpResponseBase:
    # Nothing of the request but the name is read before the kit is known to be public.
    stored = f"{FOLDER}/{name}"
    document = (
        KitDocument.objects.filter(
            file=stored, status=DocumentStatus.CURRENT, kit__in=ResultsKit.objects.public()
        )
        .select_related("kit__release")
        .first()
    )
    if document is None:
        return _not_served(request, stored)
    last_modified = max(filter(None, [document.kit.last_modified, document.decided_at]))
    return file_response(
        request,
        StoredFile(
            open=lambda: document.file.open("rb"),
            size=document.size,
            content_type=document.content_type,
            # The stored bytes never change under a name (a replaced file gets a new one).
            etag=f'"{document.sha256[:40]}"',
            last_modified=last_modified,
            filename=document.download_name,
            as_attachment=document.content_type not in INLINE_TYPES,
        ),
    )


def _not_served(request: HttpRequest, stored: str) -> HttpResponse:
    was_public = [DocumentStatus.CURRENT, DocumentStatus.REPLACED]
    withdrawn = (
        KitDocument.objects.filter(
            file=stored, status__in=was_public, kit__in=ResultsKit.objects.withdrawn()
        )
        .select_related("kit__release")
        .first()
    )
    if withdrawn is not None:
        gone: dict[str, object] = {"release": withdrawn.kit.release}
        return render(request, "releases/withdrawn.html", gone, status=410)
    replaced = (
        KitDocument.objects.filter(
            file=stored, status=DocumentStatus.REPLACED, kit__in=ResultsKit.objects.public()
        )
        .select_related("kit")
        .first()
    )
    if replaced is not None:
        notice: dict[str, object] = {"document": replaced, "kit": replaced.kit}
        return render(request, "results/replaced.html", notice, status=410)
    raise Http404("No such file.")
