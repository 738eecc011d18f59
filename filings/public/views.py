"""`/filings/`: the issuer's SEC filings, newest first, filtered by form group and year.

Every filter value is checked before anything is asked of the database: an unknown group, a
year that is no archive year or a page that is no page number answers 400 with a short page
(a list URL nobody links to), never a 500 and never a page pretending to be filtered.
"""

from django.conf import settings
from django.core.paginator import EmptyPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from irsite.http import cache_publicly
from releases.public.converters import archive_year
from releases.public.pagination import UncountedPaginator

from ..groups import BY_SLUG, GROUPS
from ..models import EdgarSource, Filing

PER_PAGE = 50
# Seven digits of pages (350 million filings) is more than any issuer has.
PAGE_MAX_DIGITS = 7


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "filings/bad_request.html", {"message": message}, status=400)


@cache_publicly(reads=("group", "year", "page"))
def filing_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    slug, year_text = params.get("group", ""), params.get("year", "")
    page_text = params.get("page", "1")
    group = BY_SLUG.get(slug) if slug else None
    if slug and group is None:
        return bad_request(request, f"There is no form group of that name. Choose one of: "
                           f"{', '.join(g.slug for g in GROUPS)}.")  # fmt: skip
    year = archive_year(year_text) if year_text else None
    if year_text and year is None:
        return bad_request(request, "A year is four digits, such as 2026.")
    if not (page_text.isascii() and page_text.isdigit() and len(page_text) <= PAGE_MAX_DIGITS):
        return bad_request(request, "A page is a number, such as 2.")
    public = Filing.objects.public()
    filings = public.newest_first()
    if group:
        filings = filings.in_group(group)
    if year:
        filings = filings.filter(filing_date__year=year)
    try:
        page = UncountedPaginator(filings, PER_PAGE).page(int(page_text))
    except EmptyPage as error:
        raise Http404("No such page.") from error
    filtered = {k: v for k, v in (("group", slug), ("year", year_text)) if v}
    source = EdgarSource.objects.filter(pk=1).first()
    context = {
        "filings": page.object_list,
        "page_obj": page,
        "group": group,
        "year": year,
        "groups": GROUPS,
        "years": public.years(),
        "filtered": bool(filtered),
        "filter_query": "".join(f"{urlencode({k: v})}&" for k, v in filtered.items()),
        "updated_at": source.shown_at if source else None,
        "edgar_name": source.name if source else "",
        "edgar_url": settings.IRSITE_EDGAR_ARCHIVES_URL.rstrip("/"),
        "cik": source.cik if source else "",
    }
    return render(request, "filings/filing_list.html", context)
