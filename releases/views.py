from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.generic import DetailView, ListView, TemplateView

from irsite.middleware import mark_private

from . import search, seo
from .cache import cache_publicly
from .models import Category, PendingCorrection, Release, SlugRedirect
from .pagination import UncountedPaginator
from .previews import corrected_copy, resolve_preview_token


@method_decorator(cache_publicly, name="dispatch")
class HomeView(TemplateView):
    template_name = "releases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = Release.objects.public().for_listing()[:5]
        return context


@method_decorator(cache_publicly, name="dispatch")
class ReleaseListView(ListView):
    """`/news/`, year archives and category archives: public releases, newest first."""

    template_name = "releases/release_list.html"
    context_object_name = "releases"
    paginate_by = settings.IRSITE_RELEASES_PER_PAGE
    paginator_class = UncountedPaginator

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
            # Index probes, not scans: constant cost as releases accumulate (see models).
            years=public.years(),
            categories=public.categories(),
        )
        return context

    def paginate_queryset(self, queryset, page_size):
        if self.request.GET.get(self.page_kwarg) == "last":
            raise Http404("Pages are not counted, so there is no “last”.")
        return super().paginate_queryset(queryset, page_size)

    def get_allow_empty(self) -> bool:
        # An empty year is no archive at all; an empty category or site is just quiet.
        return "year" not in self.kwargs


@method_decorator(cache_publicly, name="dispatch")
class ReleaseDetailView(DetailView):
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
        context = self.get_context_data(object=release)
        response = self.render_to_response(context)
        # The page changes when the release is corrected, and when a newer one adds the
        # "next" link; the ETag (from the bytes) catches everything else.
        changed = [release.last_modified, context["next"] and context["next"].published_at]
        response.headers["Last-Modified"] = http_date(max(filter(None, changed)).timestamp())
        return response

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
        context["previous"], context["next"] = Release.objects.public().neighbours(release)
        url = self.request.build_absolute_uri(release.get_absolute_url())
        context["canonical_url"] = url
        context["structured_data"] = seo.news_article(release, url)
        return context


@method_decorator(cache_publicly, name="dispatch")
class SearchView(ListView):
    """`/news/search/?q=...&year=...&category=...`: public releases only, best match first.

    Any input gives a normal page: the query is reduced to plain words (`search.parse`),
    unknown years and categories are ignored, and a page number out of range shows the last.
    """

    template_name = "releases/search.html"
    context_object_name = "releases"
    paginate_by = 10

    def get_queryset(self):
        params = self.request.GET
        self.query = search.parse(params.get("q"))
        year = params.get("year", "")
        self.year = int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None
        slug = params.get("category", "")
        self.category = Category.objects.filter(slug=slug).first() if slug.isascii() else None
        releases = Release.objects.public().for_search()
        if self.year:
            releases = releases.filter(published_at__year=self.year)
        if self.category:
            releases = releases.filter(categories=self.category)
        return search.search(releases, self.query)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Release.objects.public()
        context.update(
            query=self.query,
            year=self.year,
            category=self.category,
            results=search.results(context["releases"], self.query),
            years=public.years(),
            categories=public.categories(),
        )
        return context


@method_decorator(cache_publicly, name="dispatch")
class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context


def preview_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """A reviewer's share link: the release as it will look, marked PREVIEW, never cached."""
    link = resolve_preview_token(token)
    if link is None:
        raise Http404("No such release.")
    if link.correction_id:
        # A link made for a pending correction shows it only while it still waits.
        if link.correction.status != PendingCorrection.Status.PENDING:
            raise Http404("No such release.")
        with corrected_copy(link.correction) as release:
            return render_preview(request, release, correction=link.correction)
    release = Release.objects.for_page().get(pk=link.release_id)
    return render_preview(request, release)


def render_preview(
    request: HttpRequest, release: Release, correction: PendingCorrection | None = None
) -> HttpResponse:
    """The release page marked PREVIEW (with the pending ``correction`` applied, if given),
    rendered now and never cached."""
    context = {"release": release, "preview": True, "pending_correction": correction}
    response = render(request, "releases/release_detail.html", context)
    return mark_private(response)
