from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from releases.cache import cache_publicly, serve_public

from .models import CompanyProfile, Contact


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


def logo(request: HttpRequest, name: str) -> HttpResponse:
    """The company's current logo (``/contacts/logo/<random>.<ext>``), public like every page
    (`serve_public`); any other name, an earlier logo's included, is a 404."""
    return serve_public(request, lambda: _logo_response(name))


def _logo_response(name: str) -> HttpResponse:
    profile = CompanyProfile.load()
    if not profile.logo or profile.logo.name != f"brand/{name}":
        raise Http404("No such file.")
    return FileResponse(profile.logo.open("rb"), content_type=profile.logo_type)
