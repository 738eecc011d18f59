from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from irsite.http.files import StoredFile, file_response, serve_file
from irsite.http.pagecache import cache_publicly, serve_public

from .models import CompanyProfile, Contact, Letterhead, printed_letterheads


@method_decorator(cache_publicly, name="dispatch")
class ContactListView(ListView):
    template_name = "contacts/contact_list.html"
    context_object_name = "contacts"

    def get_queryset(self):
        return Contact.objects.filter(is_active=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["by_audience"] = [
            (label, [c for c in context["contacts"] if c.audience == value])
            for value, label in Contact.Audience.choices
        ]
        return context


def logo(request: HttpRequest, name: str) -> HttpResponseBase:
    """A logo (``/contacts/logo/<random>.<ext>``), public like every page (`serve_public`): the
    company's current one, and every earlier one a public release was approved with (its
    letterhead keeps it, docs/brand.md); any other name is a 404 like one that never existed."""
    return serve_file(request, lambda: _logo_response(request, f"brand/{name}"))


def _logo_response(request: HttpRequest, stored: str) -> HttpResponseBase:
    profile = CompanyProfile.load()
    found: CompanyProfile | Letterhead | None
    if profile.logo and profile.logo.name == stored:
        found = profile
    else:
        found = printed_letterheads().filter(logo=stored).first()
    if found is None:
        raise Http404("No such file.")
    storage = found.logo.storage
    # Named by the profile or a letterhead but lost from storage: `serve_file` answers 404 for
    # the file itself (logged); the pages and the PDF print without it.
    size, modified = storage.size(stored), storage.get_modified_time(stored)
    return file_response(
        request,
        StoredFile(
            open=lambda: found.logo.open("rb"),
            size=size,
            content_type=found.logo_type,
            # A logo's name is random and its bytes never change: the name is its identity.
            etag=f'"{stored.rpartition("/")[2].partition(".")[0]}"',
            last_modified=modified,
        ),
    )


def brand_css(request: HttpRequest) -> HttpResponseBase:
    """``/brand.css``: the company's colour as the ``--accent`` custom property of every public
    page (their Content-Security-Policy allows no inline style), cached like a page; the pages
    link it with the colour in the query, so a new colour is a new URL."""

    def respond() -> HttpResponse:
        colour = CompanyProfile.for_request(request).colour  # always a valid #rrggbb
        return HttpResponse(f":root {{ --accent: {colour}; }}\n", content_type="text/css")

    return serve_public(request, respond)
