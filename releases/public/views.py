import functools
from collections.abc import Callable

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.validators import slug_re
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date, urlencode
from django.views.generic import DetailView, ListView, TemplateView

from irsite import clock
from irsite.contacts.models import CompanyProfile
from irsite.http import StoredFile, cache_publicly, file_response, serve_file
from irsite.http.private import mark_private

from ..models import (
    Attachment,
    Category,
    CategorySlugRedirect,
    PendingCorrection,
    Release,
    SlugRedirect,
)
from ..models.fields import json_datetime
from ..models.querysets import ReleaseQuerySet
from ..previews import corrected_copy, resolve_preview_token
from ..record import rendering, seo
from . import notes, search
from .converters import archive_year
from .pagination import UncountedPage, UncountedPaginator


def slug_param(params: QueryDict, name: str) -> str:
    """A slug from the query string, or "" for anything a slug cannot be: what a reader typed
    or a crawler invented (a NUL, which PostgreSQL refuses in any string, other controls,
    spaces, markup) is ignored like an unknown category, never sent to the database."""
    value = params.get(name, "")
    return value if slug_re.fullmatch(value) else ""


def public_category(request: HttpRequest, slug: str) -> Category | HttpResponse:
    """The public category at ``slug`` for a category page or feed; for a slug the category
    had before, a 301 to the same page or feed under its current slug; else Http404, the same
    for a category not yet public as for one that never existed."""
    category = Category.objects.public().filter(slug=slug).first()
    if category is not None:
        return category
    redirects = CategorySlugRedirect.objects.filter(
        old_slug=slug, category__in=Category.objects.public()
    ).select_related("category")
    if moved := redirects.first():
        match = request.resolver_match
        assert match is not None  # called from the view the URL resolved to
        url = reverse(match.view_name, kwargs={**match.kwargs, "slug": moved.category.slug})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    raise Http404("No such category.")


@method_decorator(cache_publicly(reads=("category", "page", "year")), name="dispatch")
class ReleaseListView(ListView):
    """`/news/`, year archives and category archives: public releases, newest first.

    `/news/?year=2003&category=earnings` filters the list itself (the form above it); like
    search, an unknown year or category in the query is ignored rather than an error.
    """

    template_name = "releases/release_list.html"
    context_object_name = "releases"
    paginate_by = settings.IRSITE_RELEASES_PER_PAGE
    paginator_class = UncountedPaginator

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.category = None
        if slug := kwargs.get("slug"):
            found = public_category(request, slug)
            if isinstance(found, HttpResponse):
                return found
            self.category = found
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        releases = Release.objects.public().for_listing()
        params = self.request.GET
        self.year = self.kwargs.get("year")
        self.filtered = {}  # what the query string added to the path's own archive
        if self.year is None and (year := archive_year(params.get("year", ""))):
            self.year = self.filtered["year"] = year
        if self.category is None and (slug := slug_param(params, "category")):
            # Only a public category filters: an embargoed one is as unknown as a typo.
            self.category = Category.objects.public().filter(slug=slug).first()
            if self.category:
                self.filtered["category"] = self.category.slug
        if self.year:
            releases = releases.filter(published_at__year=self.year)
        if self.category:
            releases = releases.filter(categories=self.category)
        return releases

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Release.objects.public()
        context.update(
            year=self.year,
            category=self.category,
            filtered=bool(self.filtered),
            # Pagination links keep the filters: "year=2003&category=earnings&".
            filter_query="".join(f"{urlencode({k: v})}&" for k, v in self.filtered.items()),
            # Index probes, not scans: constant cost as releases accumulate (see models).
            years=public.years(),
            categories=Category.objects.public(),
        )
        return context

    def paginate_queryset(self, queryset, page_size):
        if self.request.GET.get(self.page_kwarg) == "last":
            raise Http404("Pages are not counted, so there is no “last”.")
        return super().paginate_queryset(queryset, page_size)

    def get_allow_empty(self) -> bool:
        # An empty year is no archive at all; an empty category or site is just quiet.
        return "year" not in self.kwargs


def not_public(request: HttpRequest, slug: str, url_of: Callable[[Release], str]) -> HttpResponse:
    """The answer at a release URL (``url_of``: its page or its PDF) whose slug names no public
    release: a 301 from an old slug to the public release's current URL, 410 Gone for a release
    withdrawn under this slug or any slug it was public under, else 404 as for a slug that never
    existed (a scheduled release's included)."""
    redirect = SlugRedirect.objects.filter(old_slug=slug).select_related("release").first()
    if redirect and redirect.release.is_public:
        return HttpResponsePermanentRedirect(url_of(redirect.release))
    gone = Release.objects.withdrawn().filter(Q(slug=slug) | Q(old_slugs__old_slug=slug)).first()
    if gone:
        return render(request, "releases/withdrawn.html", {"release": gone}, status=410)
    raise Http404("No such release.")


@functools.cache
def _page_statement() -> ReleaseQuerySet:
    """The page's queryset, built once per process (its four subqueries cost more to build than
    the rest of a render), as a generic view's ``queryset`` is; each request adds its slug. It
    decides what is public when it runs (`irsite.clock.WhenRun`: in a page's render, the
    render's instant), never when it was built."""
    when = clock.WhenRun()
    return (
        Release.objects.public(when).for_public_page(when).annotate(company=CompanyProfile.column())
    )


def public_page(
    request: HttpRequest, slug: str
) -> tuple[Release, tuple[Release | None, Release | None]] | None:
    """The public release at ``slug`` (its categories and stored record loaded) and its
    neighbours as links, or None; one statement (`ReleaseQuerySet.for_public_page`), which
    also reads the company profile the site's header prints (kept as ``request``'s:
    `CompanyProfile.for_request`), so the page is rendered from one snapshot."""
    release = _page_statement().filter(slug=slug).first()
    if release is None:
        return None
    CompanyProfile.from_column(request, release.company)  # type: ignore[attr-defined]  # annotated
    release.prefetched_categories = [Category(**row) for row in release.category_rows]
    return release, (_link(release.previous_link), _link(release.next_link))


def _link(columns: dict | None) -> Release | None:
    """A neighbour from its JSON column: only what a link to it prints."""
    if columns is None:
        return None
    return Release(**{**columns, "published_at": json_datetime(columns["published_at"])})


@method_decorator(cache_publicly, name="dispatch")
class ReleaseDetailView(DetailView):
    """The permanent URL of a public release.

    A release that is not public answers exactly like a slug that never existed, so the
    existence of a scheduled release cannot be probed; a withdrawn one answers 410 Gone.
    The record itself (letterhead, contacts, text, standard texts) is printed as stored at
    publication or correction (`releases.record.rendering`); the row, that, its neighbours and
    categories and the company profile are one ORM statement (`public_page`).
    """

    template_name = "releases/release_detail.html"
    context_object_name = "release"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        slug = kwargs["slug"]
        found = public_page(request, slug)
        if found is None:
            return not_public(request, slug, Release.get_absolute_url)
        release, neighbours = found
        local = timezone.localtime(release.published_at)
        if (local.year, local.month, local.day) != (kwargs["year"], kwargs["month"], kwargs["day"]):
            raise Http404("No such release.")
        page = rendering.stored_record(release)
        if page is None:
            # Not stored for this version and these templates yet (the worker catches up in
            # the background): rendered from the rows now, as a preview is.
            release = Release.objects.for_page().get(pk=release.pk)
            page = rendering.render_record(release)
        self.object = release
        # What other apps print under it (`releases.public.notes`: the 8-K it was filed with).
        added = notes.notes_for(release)
        context = self.get_context_data(object=release, page=page, neighbours=neighbours)
        context["notes"] = [n.line for n in added if n.line]
        context["filing_url"] = (
            "" if any(n.replaces_filing_url for n in added) else release.filing_url
        )
        response = self.render_to_response(context)
        # The page changes when the release is corrected, when a newer one adds the "next"
        # link, and when a note changes; the ETag (from the bytes) catches everything else.
        changed = [release.last_modified, context["next"] and context["next"].published_at]
        changed += [n.changed_at for n in added]
        response.headers["Last-Modified"] = http_date(max(filter(None, changed)).timestamp())
        return response

    def get_context_data(self, **kwargs):
        neighbours = kwargs.pop("neighbours")
        context = super().get_context_data(**kwargs)
        release, page = self.object, kwargs["page"]
        context["previous"], context["next"] = neighbours
        url = self.request.build_absolute_uri(release.get_absolute_url())
        context["canonical_url"] = url
        image = page.image
        context["image_url"] = image and self.request.build_absolute_uri(image["url"])
        if not image:
            # A release without its own image is previewed with the company's logo.
            company = CompanyProfile.for_request(self.request)
            if company.logo:
                context["logo_url"] = self.request.build_absolute_uri(company.get_logo_url())
        context["structured_data"] = seo.news_article(
            release,
            url,
            image_url=context["image_url"] or context.get("logo_url"),
            description=page.excerpt,
            publisher=page.publisher,
        )
        return context


@method_decorator(cache_publicly(reads=("category", "page", "q", "year")), name="dispatch")
class SearchView(ListView):
    """`/news/search/?q=...&year=...&category=...`: public releases only, best match first.

    Any input gives a normal page: the query is reduced to plain words (`search.parse`),
    unknown years and categories are ignored, a page number that is not one shows the first
    page and one past the end says there are no more. Matches are never counted (Previous and
    Next, as the lists): a page costs the same whether a word is in twenty releases or in
    all of them (`search.Matches`).
    """

    template_name = "releases/search.html"
    context_object_name = "releases"
    paginate_by = 10
    paginator_class = UncountedPaginator

    def get_queryset(self):
        params = self.request.GET
        self.query = search.parse(params.get("q"))
        self.year = archive_year(params.get("year", ""))
        slug = slug_param(params, "category")
        self.category = Category.objects.public().filter(slug=slug).first() if slug else None
        releases = Release.objects.public().for_search()
        if self.year:
            releases = releases.filter(published_at__year=self.year)
        if self.category:
            releases = releases.filter(categories=self.category)
        return search.Matches(releases, self.query)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        self.past_end = False
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            # Past the last page (or before the first): said so, with a link to the first.
            self.past_end = True
            page = UncountedPage([], 1, paginator, has_next=False)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Release.objects.public()
        context.update(
            query=self.query,
            year=self.year,
            category=self.category,
            results=search.results(context["releases"], self.query),
            past_end=self.past_end,
            years=public.years(),
            categories=Category.objects.public(),
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
    if link.correction is not None:
        # A link made for a pending correction (valid only while it waits) shows it applied.
        with corrected_copy(link.correction) as release:
            return render_preview(request, release, correction=link.correction)
    release = Release.objects.for_page().get(pk=link.release_id)
    return render_preview(request, release)


def render_preview(
    request: HttpRequest, release: Release, correction: PendingCorrection | None = None
) -> HttpResponse:
    """The release page marked PREVIEW (with the pending ``correction`` applied, if given),
    rendered now and never cached."""
    context = {
        "release": release,
        "page": rendering.render_record(release, preview=True),
        "preview": True,
        "pending_correction": correction,
    }
    response = render(request, "releases/release_detail.html", context)
    return mark_private(response)


def attachment_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """``/news/files/<random>.<ext>``: an attachment of a public release, streamed from storage.

    Exactly as the release page: while the release is not public the URL answers like a name
    that never existed (the same queries, the same 404), and after a withdrawal it answers 410
    Gone. Served through `serve_public`, with the one caching policy; the front cache is purged
    at each go-live, correction and withdrawal (`irsite.http.frontcache`). Streamed, not
    redirected to a signed storage URL, so that nothing but this view ever hands a file out
    and a withdrawal takes effect at once (docs/deployment.md).
    """
    return serve_file(request, lambda: _attachment_response(request, name))


def _attachment_response(request: HttpRequest, name: str) -> HttpResponseBase:
    # Nothing of the request but the name is read before the release is known to be public.
    stored = f"attachments/{name}"
    attachment = Attachment.objects.filter(
        file=stored, release__in=Release.objects.public()
    ).first()
    if attachment is None:
        gone = Release.objects.withdrawn().filter(attachments__file=stored).first()
        if gone:
            return render(request, "releases/withdrawn.html", {"release": gone}, status=410)
        raise Http404("No such file.")
    last_modified = attachment.release.last_modified
    assert last_modified is not None  # the release is public: it was published
    return file_response(
        request,
        StoredFile(
            open=lambda: attachment.file.open("rb"),
            size=attachment.size,
            content_type=attachment.content_type,
            # The stored bytes never change under a name (a replaced file gets a new one).
            etag=f'"{attachment.sha256[:40]}"',
            last_modified=last_modified,
            filename=attachment.download_name,
            as_attachment=attachment.content_type not in INLINE_TYPES,
        ),
    )


# Shown in the browser; office files and CSV are downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp"}


def release_pdf(
    request: HttpRequest, year: int, month: int, day: int, slug: str
) -> HttpResponseBase:
    """The release's PDF rendition (`releases.media.pdf`) at its page's URL plus ``.pdf``: public
    exactly when the page is, answered like the page otherwise (404 as for a slug that never
    existed, 410 after a withdrawal, an old slug redirected)."""
    return serve_file(request, lambda: _pdf_response(request, year, month, day, slug))


def _pdf_response(request: HttpRequest, year: int, month: int, day: int, slug: str):
    release = Release.objects.public().for_page().filter(slug=slug).first()
    if release is None:
        return not_public(request, slug, Release.get_pdf_url)
    local = timezone.localtime(release.published_at)
    if (local.year, local.month, local.day) != (year, month, day):
        raise Http404("No such release.")
    from ..media.pdf import RenditionPending, rendition_for  # WeasyPrint loads only where asked for

    try:
        rendition = rendition_for(release)
    except RenditionPending:
        response = render(request, "releases/pdf_pending.html", {"release": release}, status=503)
        response["Retry-After"] = "5"
        return mark_private(response)
    last_modified = release.last_modified
    assert last_modified is not None  # the release is public: it was published
    return file_response(
        request,
        StoredFile(
            open=lambda: rendition.file.open("rb"),
            size=rendition.size,
            content_type="application/pdf",
            etag=f'"{rendition.sha256[:40]}"',
            last_modified=last_modified,
            filename=f"{release.slug}.pdf",
        ),
    )
