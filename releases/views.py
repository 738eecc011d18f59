from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView, TemplateView

from irsite.middleware import mark_private

from .models import Category, Release, SlugRedirect
from .previews import resolve_preview_token


def public_max_age() -> int:
    """Seconds a public response may be cached: never past the next scheduled go-live."""
    limit = settings.IRSITE_PUBLIC_MAX_AGE
    if go_live := Release.objects.next_go_live():
        limit = min(limit, max(0, int((go_live - timezone.now()).total_seconds())))
    return limit


def cache_publicly(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=public_max_age())
    return response


class PublicCacheMixin:
    """Every public view: cacheable by anyone, but only until the next go-live second."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cache_publicly(super().dispatch(request, *args, **kwargs))


class HomeView(PublicCacheMixin, TemplateView):
    template_name = "releases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = Release.objects.public().for_listing()[:5]
        return context


class ReleaseListView(PublicCacheMixin, ListView):
    """`/news/`, year archives and category archives: public releases, newest first."""

    template_name = "releases/release_list.html"
    context_object_name = "releases"
    paginate_by = settings.IRSITE_RELEASES_PER_PAGE

    def get_queryset(self):
        releases = Release.objects.public().for_listing()
        if year := self.kwargs.get("year"):
            releases = releases.filter(published_at__year=year)
        if slug := self.kwargs.get("slug"):
            self.category = get_object_or_404(Category, slug=slug)
            releases = releases.filter(categories=self.category)
        else:
            self.category = None
        return releases

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Release.objects.public()
        context.update(
            year=self.kwargs.get("year"),
            category=self.category,
            years=[d.year for d in public.dates("published_at", "year", order="DESC")],
            categories=Category.objects.filter(releases__in=public).distinct(),
        )
        return context

    def get_allow_empty(self) -> bool:
        # An empty year is no archive at all; an empty category or site is just quiet.
        return "year" not in self.kwargs


class ReleaseDetailView(PublicCacheMixin, DetailView):
    """The permanent URL of a public release.

    A release that is not public answers exactly like a slug that never existed, so the
    existence of a scheduled release cannot be probed; a withdrawn one answers 410 Gone.
    """

    template_name = "releases/release_detail.html"
    context_object_name = "release"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        slug = kwargs["slug"]
        release = Release.objects.public().for_page().filter(slug=slug).first()
        if release is None:
            return self.not_public(request, slug)
        local = timezone.localtime(release.published_at)
        if (local.year, local.month, local.day) != (kwargs["year"], kwargs["month"], kwargs["day"]):
            raise Http404("No such release.")
        self.object = release
        return self.render_to_response(self.get_context_data(object=release))

    def not_public(self, request: HttpRequest, slug: str) -> HttpResponse:
        redirect = SlugRedirect.objects.filter(old_slug=slug).select_related("release").first()
        if redirect and redirect.release.is_public:
            return HttpResponsePermanentRedirect(redirect.release.get_absolute_url())
        gone = Release.objects.withdrawn().filter(slug=slug).first()
        if gone:
            return render(request, "releases/withdrawn.html", {"release": gone}, status=410)
        raise Http404("No such release.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        release = self.object
        public = Release.objects.public().only("headline", "slug", "published_at")
        at, pk = release.published_at, release.pk
        context["previous"] = (
            public.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
            .order_by("-published_at", "-pk")
            .first()
        )
        context["next"] = (
            public.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
            .order_by("published_at", "pk")
            .first()
        )
        return context


def preview_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """A reviewer's share link: the release as it will look, marked PREVIEW, never cached."""
    link = resolve_preview_token(token)
    if link is None:
        raise Http404("No such release.")
    release = Release.objects.for_page().get(pk=link.release_id)
    return render_preview(request, release)


def render_preview(request: HttpRequest, release: Release) -> HttpResponse:
    response = render(
        request, "releases/release_detail.html", {"release": release, "preview": True}
    )
    return mark_private(response)


def cache_publicly_view(view):
    """`PublicCacheMixin` for function views such as feeds."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cache_publicly(view(request, *args, **kwargs))

    return wrapped
