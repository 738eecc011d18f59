"""Admin lists and searches that cost the same at a million rows as at a thousand.

Django's change list counts its rows twice (`COUNT(*)` of the filtered list for the paginator
and of the whole table for "N total"), which at 1,000,000 releases or audit entries reads every
row on each page view. Here the whole-table count is off (`show_full_result_count = False`) and
the paginator counts at most `EXACT_UP_TO` rows; past that it shows the planner's estimate
("about 1,000,000"), which PostgreSQL answers from its statistics without reading the rows.
A search for releases reads the search documents' full-text index (`search_releases`).
"""

import json
from functools import cached_property
from typing import TypeVar, cast

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.postgres.search import SearchQuery
from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.db.models import Q, QuerySet

from ..models import SEARCH_CONFIG, ReleaseQuerySet

_Rows = TypeVar("_Rows", bound=QuerySet)

# Below this many rows the count is exact (and cheap); above it, an estimate.
EXACT_UP_TO = 1000


def planner_estimate(queryset) -> int | None:
    """How many rows PostgreSQL's planner expects ``queryset`` to return, without running it
    (`EXPLAIN`, read from statistics: constant time). None where the database gives none."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def narrowed(queryset: _Rows, limit: int | None = None) -> tuple[_Rows, int | None]:
    """``queryset`` and its number of rows if it has at most ``limit`` (default `EXACT_UP_TO`),
    read as that many primary keys in one bounded query; then the queryset returned reads
    exactly those rows by key. Else ``queryset`` as it was and None.

    Why by key: asked for "the newest 100 that match", PostgreSQL's planner, which cannot know
    how rare a word or an action is, may walk the date index testing every row (a second and
    more at a million rows for a word in 0.1 % of them); asked for "any 1,001 that match" it
    takes the full-text or filter index, and sorting a thousand rows costs nothing.
    """
    limit = EXACT_UP_TO if limit is None else limit
    keys = list(queryset.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(keys) > limit:
        return queryset, None
    return queryset.filter(pk__in=keys), len(keys)


class EstimatedCountPaginator(Paginator):
    """A paginator whose count reads at most `EXACT_UP_TO` + 1 primary keys (`narrowed`).

    ``estimated`` says the count is the planner's figure. A page past the last real one is
    empty rather than an error: an estimate may be a little high or low.
    """

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)  # the change list's
        if connections[queryset.db].vendor != "postgresql":
            # SQLite (development, small sites): no statistics to estimate from; a count.
            return queryset.count()
        # Both, always, so a page costs the same queries whatever its number of rows: at
        # most EXACT_UP_TO + 1 keys (bounded whatever the filter), and the planner's estimate
        # (no rows read), shown past the bound.
        estimate = planner_estimate(queryset)
        self.object_list, found = narrowed(queryset)
        if found is not None or estimate is None:
            return found if found is not None else EXACT_UP_TO + 1
        self.estimated = True
        return max(estimate, EXACT_UP_TO + 1)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past an underestimated last page: let the query say whether rows are there.
            if self.estimated and int(number) >= 1:
                return int(number)
            raise


class ScaledChangeList(ChangeList):
    """The change list, loading only the columns its rows print (`ScaledAdmin.list_only`: a
    release's body can weigh megabytes), and linking each row to its change form with the
    list's filters kept, as Django does, without resolving each row's URL again (a walk of the
    URL patterns per row: ~40 % of a filtered list's time)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        only = getattr(self.model_admin, "list_only", None)
        return queryset.only(*only) if only else queryset

    def get_results(self, request):
        # Kept for the rows' links (`url_for_result`); emptied so Django's template tag, which
        # would resolve every row's URL to merge them in, has nothing to merge.
        self.row_filters, self.preserved_filters = self.preserved_filters, ""
        super().get_results(request)

    def url_for_result(self, result) -> str:
        url = super().url_for_result(result)
        return f"{url}?{self.row_filters}" if self.row_filters else url


class ScaledAdmin(admin.ModelAdmin):
    """What every large list shares: no whole-table count, no facet counts, the paginator
    above, the templates that say "about N" for an estimate, and the change list above."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    # The fields a list row needs (None: all of them).
    list_only: tuple[str, ...] | None = None

    def get_changelist(self, request, **kwargs):
        return ScaledChangeList


def search_releases(releases: ReleaseQuerySet, words: str) -> ReleaseQuerySet | None:
    """``releases`` with every word of ``words`` (web-search syntax: "a phrase", -word, or),
    found through the GIN index of the search documents (headline, subheadline and the body's
    first megabyte; what public search reads). None where the database has no such index
    (SQLite): the caller searches its own way."""
    if connections[releases.db].vendor != "postgresql":
        return None
    query = SearchQuery(words, search_type="websearch", config=SEARCH_CONFIG)
    return releases.filter(search_document__vector=query)


def search_releases_by_headline(releases: ReleaseQuerySet, words: str) -> ReleaseQuerySet:
    """`search_releases`, or on SQLite every word in the headline."""
    found = search_releases(releases, words)
    if found is not None:
        return found
    return releases.filter(*[Q(headline__icontains=word) for word in words.split()])
