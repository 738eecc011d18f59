"""THE publication rule (`ReleaseQuerySet.public`) and the table logic built on it."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections, models
from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from irsite import clock

from .category import Category, CategoryQuerySet
from .fields import JSONRows
from .files import Attachment
from .parts import ReleaseContact, ReleaseDisclaimer
from .states import State, Status

if TYPE_CHECKING:
    from .release import Release

# What a link to a neighbouring release needs (`ReleaseQuerySet.for_public_page`).
NEIGHBOUR_FIELDS = ("headline", "slug", "published_at")
# What a link to a category needs (the release page's categories).
CATEGORY_LINK_FIELDS = ("id", "name", "slug")
# What the public page does not load: its stored record has what is made of them.
PAGE_DEFERRED = ("body", "summary")

# What a row of a release list prints; `for_listing()` loads nothing else.
LISTING_FIELDS = ("headline", "subheadline", "slug", "published_at")


def _categories() -> models.Prefetch:
    # Into a plain list (`Release.category_list`): a related manager per row and per read
    # costs more than the query itself.
    return models.Prefetch("categories", to_attr="prefetched_categories")


def _attachments() -> models.Prefetch:
    return models.Prefetch(
        "attachments",
        queryset=Attachment.objects.order_by("position", "pk"),
        to_attr="prefetched_attachments",
    )


class ReleaseQuerySet(models.QuerySet["Release"]):
    """Table logic for releases. `public()` is THE publication rule, used by every public view."""

    def public(self, now: "datetime | clock.WhenRun | None" = None) -> "ReleaseQuerySet":
        """Releases readers may see: published, and their publication time has come.

        Visibility is decided here, at query time, so a release scheduled for 08:00:00 is
        public from 08:00:00 on, with no job flipping a flag. "Now" is the database's
        (`irsite.clock`), whatever this host's clock says.
        """
        return self.filter(status=Status.PUBLISHED, published_at__lte=now or clock.now())

    def scheduled(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """Approved and published with a go-live time still ahead."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=now or clock.now())

    def withdrawn(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """Once public, since withdrawn: their URLs answer 410 Gone."""
        return self.filter(status=Status.WITHDRAWN, published_at__lte=now or clock.now())

    def in_state(self, state: str, now: datetime | None = None) -> "ReleaseQuerySet":
        """Releases whose `Release.state` is ``state`` (one of `Release.State`) at ``now``."""
        if state == State.LIVE:
            return self.public(now)
        if state == State.SCHEDULED:
            return self.scheduled(now)
        return self.filter(status=state)

    def next_go_live(self, now: datetime | None = None) -> datetime | None:
        """The moment the public set next changes, so no cache may outlive it."""
        return (
            self.scheduled(now).order_by("published_at").values_list("published_at", flat=True)
        ).first()

    def neighbours(self, release: "Release") -> tuple["Release | None", "Release | None"]:
        """The releases just before and just after ``release`` in publication order (ties
        broken by id), in one query where the database allows; each has only what a link to
        it needs."""
        at, pk = release.published_at, release.pk
        rows = self.only("headline", "slug", "published_at").order_by()
        older = rows.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
        newer = rows.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
        older = older.order_by("-published_at", "-pk")[:1]
        newer = newer.order_by("published_at", "pk")[:1]
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            found = list(older.union(newer, all=True))
        else:  # SQLite
            found = [*older, *newer]
        before = [r for r in found if (r.published_at, r.pk) < (at, pk)]
        after = [r for r in found if (r.published_at, r.pk) > (at, pk)]
        return (before[0] if before else None), (after[0] if after else None)

    def years(self) -> list[int]:
        """Years (in the issuer's time zone) with a release in this queryset, newest first.

        Index probes, not a scan, so the archive menu costs the same at 100,000 releases as at
        1,000 (`dates()` sorts them all, growing with the archive): on PostgreSQL one per
        year that has releases, elsewhere one per calendar year between the first and the last.
        The ORM writes the probe ("the newest release of this queryset before X") once, so the
        publication rule is not retyped; the SQL around it only repeats it.
        """
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            return self._years_by_skip_scan(connection)
        return self._years_by_probing_each(connection)

    def _years_by_skip_scan(self, connection) -> list[int]:
        # A "loose index scan": from the newest release, jump to the newest one before the
        # start of its year, and so on; one recursive query, one index descent per year.
        marker = datetime(1, 1, 1, tzinfo=UTC)
        probe = self.filter(published_at__lt=marker).order_by("-published_at")
        sql, params = probe.values("published_at")[:1].query.sql_with_params()
        adapted = connection.ops.adapt_datetimefield_value(marker)
        at = [i for i, p in enumerate(params) if p in (marker, adapted)]
        if len(at) != 1:
            return self._years_by_probing_each(connection)
        pieces = sql.split("%s")
        before = "%s".join(pieces[: at[0] + 1])
        after = "%s".join(pieces[at[0] + 1 :])
        start_of_year = "(date_trunc('year', years.at AT TIME ZONE %s) AT TIME ZONE %s)"
        newest = f"{before}'infinity'::timestamptz{after}"
        older = f"{before}{start_of_year}{after}"
        zone = settings.TIME_ZONE
        # Only ORM-compiled SQL and constants are pasted; every value is a bound parameter.
        query = (
            f"WITH RECURSIVE years(at) AS (SELECT ({newest}) UNION ALL "  # noqa: S608
            f"SELECT ({older}) FROM years WHERE years.at IS NOT NULL) "
            "SELECT EXTRACT(YEAR FROM at AT TIME ZONE %s)::int FROM years WHERE at IS NOT NULL"
        )
        bound = [
            *params[: at[0]],
            *params[at[0] + 1 :],
            *params[: at[0]],
            zone,
            zone,
            *params[at[0] + 1 :],
            zone,
        ]
        with connection.cursor() as cursor:
            cursor.execute(query, bound)
            return [row[0] for row in cursor.fetchall()]

    def _years_by_probing_each(self, connection) -> list[int]:
        # Portable: bounds first, then "a release in [1 Jan, 1 Jan)?" per calendar year.
        bounds = self.aggregate(first=Min("published_at"), last=Max("published_at"))
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(bounds[k]).year for k in ("first", "last"))
        if first == last:
            return [last]

        def start(year: int) -> datetime:
            return timezone.make_aware(datetime(year, 1, 1))

        # Building a queryset per year instead costs more Python time than the scan it replaces.
        lo, hi = start(1), start(2)
        probe = self.filter(published_at__gte=lo, published_at__lt=hi).order_by().values("pk")
        sql, params = probe[:1].query.sql_with_params()
        adapt = connection.ops.adapt_datetimefield_value
        years = range(last, first - 1, -1)
        union = " UNION ALL ".join(f"SELECT {year:d} WHERE EXISTS ({sql})" for year in years)
        bound = []
        for year in years:
            bounds_of_year = {adapt(lo): adapt(start(year)), adapt(hi): adapt(start(year + 1))}
            bound += [bounds_of_year.get(p, p) for p in params]
        with connection.cursor() as cursor:
            cursor.execute(union, bound)
            return [row[0] for row in cursor.fetchall()]

    def categories(self, among: CategoryQuerySet | None = None) -> CategoryQuerySet:
        """Categories (of ``among``, default all) with a release in this queryset.

        Asked as "the newest release of each category", which walks the publication-order
        index until it meets one, where a join with DISTINCT reads every release of every
        category (figures: bench/results/design-measurements.md).
        """
        newest = self.filter(categories=OuterRef("pk")).order_by("-published_at", "-pk")
        among = Category.objects.all() if among is None else among
        return among.alias(newest=Subquery(newest.values("pk")[:1])).filter(newest__isnull=False)

    def for_listing(self) -> "ReleaseQuerySet":
        """Only what a list row prints (headline, subheadlines, date, link, categories): a whole
        row of twenty columns takes twice as long to load."""
        return self.only(*LISTING_FIELDS).prefetch_related(_categories())

    def for_search(self) -> "ReleaseQuerySet":
        """A search result: a list row, the summary and the document text its excerpt quotes."""
        return (
            self.select_related("search_document")
            .only(*LISTING_FIELDS, "summary", "search_document__body_text")
            .prefetch_related(_categories())
        )

    def for_feed(self) -> "ReleaseQuerySet":
        """A feed item: the whole row (its GUID, correction time and the body its excerpt may
        be cut from are not in a list row) and its attachments (enclosures)."""
        return self.prefetch_related(_categories(), _attachments())

    def for_public_page(self, now: "datetime | clock.WhenRun | None" = None) -> "ReleaseQuerySet":
        """The public page of a release whose record is stored (`releases.record.rendering`), in
        one statement: the release without body and summary (its stored record, ``rendering``,
        has what is made of them), its neighbours as ``previous_link`` and ``next_link`` (JSON
        objects of `NEIGHBOUR_FIELDS`, None at either end) and its categories as
        ``category_rows`` (JSON objects of `CATEGORY_LINK_FIELDS`, by name); see
        `Release.page_links`."""
        categories = Category.objects.filter(releases=OuterRef("pk"))
        return (
            self.select_related("rendering")
            .defer(*PAGE_DEFERRED)
            .annotate(
                **self._neighbour_columns(now),
                category_rows=JSONRows(categories, CATEGORY_LINK_FIELDS, order_by="name"),
            )
        )

    def _neighbour_columns(self, now: "datetime | clock.WhenRun | None") -> dict[str, Subquery]:
        # `neighbours()` as two subqueries of the page's own query, each an index probe giving
        # what a link needs as one JSON object (one subquery per value costs six to compile).
        at, pk = OuterRef("published_at"), OuterRef("pk")
        public = self.model.objects.public(now).order_by()
        older = public.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
        newer = public.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
        sides = {
            "previous": older.filter(published_at__lte=at).order_by("-published_at", "-pk"),
            "next": newer.filter(published_at__gte=at).order_by("published_at", "pk"),
        }
        link = JSONObject(**{name: name for name in NEIGHBOUR_FIELDS})
        return {
            f"{side}_link": Subquery(rows.values(link=link)[:1]) for side, rows in sides.items()
        }

    def for_page(self) -> "ReleaseQuerySet":
        """Everything a release page prints, in a constant number of queries."""
        return self.select_related("letterhead").prefetch_related(
            _categories(),
            _attachments(),
            models.Prefetch(
                "releasecontact_set",
                queryset=ReleaseContact.objects.select_related("contact").order_by("position"),
            ),
            models.Prefetch(
                "releasedisclaimer_set",
                queryset=ReleaseDisclaimer.objects.select_related("version__disclaimer").order_by(
                    "position"
                ),
            ),
        )
