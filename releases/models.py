import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, connection, connections, models, transaction
from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify

from irsite.contacts.models import CompanyProfile, Contact, ContactDetails, Letterhead
from irsite.disclaimers.models import Disclaimer, DisclaimerVersion
from irsite.plaintext import MultiLineTextField, SingleLineCharField
from irsite.richtext import EDITOR_EXTENSIONS, RichTextField, sanitize_html
from irsite.urlcache import reverse_cached

from . import attachments as files
from . import body_images
from .fields import JSONRows, SearchVectorField, weighted_vector
from .text import first_paragraph_with_dateline, mark_figure_cells, plain_text, summary

# The text-search configuration (language) of the search vector and of every query.
SEARCH_CONFIG = "english"
# Characters of a headline; the importer refuses a longer one rather than cut it.
HEADLINE_MAX_LENGTH = 500
# The largest body a release may have, in bytes of stored HTML (UTF-8): four times the largest
# earnings release seen (1 MB, many tables). The admin and the importer refuse a larger one.
BODY_MAX_BYTES = 4 * 1024 * 1024
# How much of the body's text (bytes of UTF-8) the PostgreSQL search vector indexes: a tsvector
# holds at most 1 MB, and text of unique short words makes one 2.3 times its size.
SEARCH_INDEX_MAX_BYTES = 384 * 1024


def validate_body_size(html: str) -> None:
    """Refuse a body over `BODY_MAX_BYTES`, saying how large it is and what the limit is."""
    size = len((html or "").encode("utf-8", "replace"))
    if size > BODY_MAX_BYTES:
        raise ValidationError(
            f"The body is {size / 1024 / 1024:.1f} MB of HTML; the limit is "
            f"{BODY_MAX_BYTES / 1024 / 1024:.0f} MB. Split it, or move tables to an exhibit.",
            code="body_too_large",
        )


def search_prefix(text: str, limit: int = SEARCH_INDEX_MAX_BYTES) -> str:
    """The first ``limit`` bytes of ``text`` (UTF-8), cut at a word: what search indexes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", "ignore")
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


class CategoryQuerySet(models.QuerySet):
    def public(self, now: datetime | None = None) -> "CategoryQuerySet":
        """Categories readers may see: those with a release `ReleaseQuerySet.public()` shows.

        Before its first release goes live a category is as absent as one that never existed
        (its page, feeds, sign-up choice, menus and sitemap entry), so a category named for an
        embargoed deal cannot leak it; it leaves again when its last release is withdrawn.
        """
        return Release.objects.public(now).categories(self)


class Category(models.Model):
    name = SingleLineCharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The last part of the category's page and feed URLs. If you change it, the "
        "old URLs keep working as permanent redirects.",
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_cached("releases:category", self.slug)


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


class ReleaseQuerySet(models.QuerySet):
    """Table logic for releases. `public()` is THE publication rule, used by every public view."""

    def public(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """Releases readers may see: published, and their publication time has come.

        Visibility is decided here, at query time, so a release scheduled for 08:00:00 is
        public from 08:00:00 on, with no job flipping a flag.
        """
        return self.filter(status=Release.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def scheduled(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """Approved and published with a go-live time still ahead."""
        return self.filter(status=Release.Status.PUBLISHED, published_at__gt=now or timezone.now())

    def withdrawn(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """Once public, since withdrawn: their URLs answer 410 Gone."""
        return self.filter(status=Release.Status.WITHDRAWN, published_at__lte=now or timezone.now())

    def in_state(self, state: str, now: datetime | None = None) -> "ReleaseQuerySet":
        """Releases whose `Release.state` is ``state`` (one of `Release.State`) at ``now``."""
        if state == Release.State.LIVE:
            return self.public(now)
        if state == Release.State.SCHEDULED:
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

    def categories(self, among: models.QuerySet["Category"] | None = None) -> models.QuerySet:
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

    def for_public_page(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """The public page of a release whose record is stored (`releases.rendering`), as one
        ``.values()`` row: the release without body and summary (the stored record has what is
        made of them), its stored record as ``rendering__<field>`` (all None without one), its
        neighbours as ``previous_link`` and ``next_link`` (JSON, None at either end) and its
        categories as ``category_rows`` (JSON, by name). `releases.publicpage` compiles it once."""
        own = [f.attname for f in self.model._meta.concrete_fields if f.name not in PAGE_DEFERRED]
        record = [f"rendering__{f.attname}" for f in ReleaseRendering._meta.concrete_fields]
        categories = Category.objects.filter(releases=OuterRef("pk"))
        return self.annotate(
            **self._neighbour_columns(now),
            category_rows=JSONRows(categories, CATEGORY_LINK_FIELDS, order_by="name"),
        ).values(*own, *record, "previous_link", "next_link", "category_rows")

    @staticmethod
    def _neighbour_columns(now: datetime | None) -> dict[str, Subquery]:
        # `neighbours()` as two subqueries of the page's own query, each an index probe giving
        # what a link needs as one JSON object (one subquery per value costs six to compile).
        at, pk = OuterRef("published_at"), OuterRef("pk")
        public = Release.objects.public(now).order_by()
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


class Release(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        # Public from `published_at` on; "scheduled" until then (see `state`).
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class State(models.TextChoices):
        """What an editor sees (`state`): a published release is scheduled, then live.

        The transitions in `releases.actions` accept and the admin's filter offers these.
        """

        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Fields an editor writes; everything a revision records and a correction may change.
    CONTENT_FIELDS = (
        "headline",
        "subheadline",
        "slug",
        "dateline_city",
        "published_at",
        "summary",
        "body",
        "exhibit_label",
        "filing_url",
        "release_instruction",
        "wire_tag",
        "end_mark",
        "notes",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Long enough for any headline filed so far (the longest seen: 334 characters).
    headline = SingleLineCharField(max_length=HEADLINE_MAX_LENGTH)
    subheadline = MultiLineTextField(
        blank=True,
        help_text="Optional; one subheadline or bullet per line, printed under the headline.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text=(
            "The last part of the permanent URL. After publication the old URL keeps working "
            "as a permanent redirect if you change it."
        ),
    )
    dateline_city = SingleLineCharField(
        max_length=100, help_text="As printed before the date, e.g. “CAMBRIDGE, MA”."
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text=(
            "To the second, in the company's time zone. The release becomes public at exactly "
            "this time once an approver publishes it; until then nothing of it is public."
        ),
    )
    summary = MultiLineTextField(
        blank=True,
        help_text="One or two sentences for feeds and search engines; blank uses the first "
        "paragraph.",
    )
    body = RichTextField(
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        validators=[validate_body_size],
        help_text="Starts with the first paragraph; the dateline is put in front of it.",
    )
    contacts = models.ManyToManyField(Contact, through="ReleaseContact", blank=True)
    # The company letterhead as approved (`freeze_borrowed`); drafts print the profile's.
    letterhead = models.ForeignKey(
        Letterhead,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
    )
    disclaimers = models.ManyToManyField(DisclaimerVersion, through="ReleaseDisclaimer", blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="releases")
    exhibit_label = SingleLineCharField(
        max_length=50, blank=True, help_text="If filed with the SEC, e.g. “EXHIBIT 99.1”."
    )
    filing_url = models.URLField(
        "SEC filing", blank=True, help_text="The 8-K on EDGAR this release was filed with."
    )
    # What a filed exhibit prints around the text, kept as filed (an import never invents them).
    release_instruction = models.CharField(
        max_length=200,
        blank=True,
        default="FOR IMMEDIATE RELEASE",
        help_text="Printed above the headline, e.g. “FOR IMMEDIATE RELEASE” or “FOR RELEASE AT "
        "4:05 P.M. ET”; blank prints none.",
    )
    wire_tag = models.CharField(
        max_length=100, blank=True, help_text="Printed in the dateline, e.g. “/PRNewswire/”."
    )
    end_mark = models.CharField(
        max_length=20, blank=True, help_text="Printed after the text, e.g. “###”."
    )
    notes = models.TextField(
        blank=True,
        help_text="Notices printed after the end mark (notes to editors, trademarks), one per "
        "line.",
    )

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Optimistic locking: a save based on an older version is refused, never merged blindly.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_changed_at = models.DateTimeField(null=True, editable=False)
    content_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, editable=False)
    # The version last approved (kept when returned to draft): the next review diffs against it.
    approved_version = models.PositiveIntegerField(null=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    corrected_at = models.DateTimeField("last corrected", null=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, editable=False)
    withdrawal_reason = MultiLineTextField(blank=True, editable=False)
    # SHA-256 of the exhibit file a release was imported from: importing it again is a no-op.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="release_public_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_release_has_time",
            )
        ]
        permissions = [
            ("submit_release", "Can submit a release for approval"),
            ("approve_release", "Can approve or return a release"),
            ("publish_release", "Can publish, schedule and unschedule a release"),
            ("correct_release", "Can correct a published release"),
            ("withdraw_release", "Can withdraw a published release"),
            ("share_release_preview", "Can create and revoke preview share links"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        # Publication times are stated to the second; sub-second parts would make "exactly
        # at 08:00:00" ambiguous between the admin, the feeds and the database.
        if self.published_at is not None:
            self.published_at = self.published_at.replace(microsecond=0)
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        local = timezone.localtime(self.published_at)
        return reverse_cached("releases:detail", local.year, local.month, local.day, self.slug)

    def get_pdf_url(self) -> str:
        """The PDF rendition ("Download PDF"), public exactly when the page is."""
        local = timezone.localtime(self.published_at)
        return reverse_cached("releases:pdf", local.year, local.month, local.day, self.slug)

    # --- state -----------------------------------------------------------------------------
    @property
    def is_public(self) -> bool:
        """Row form of `ReleaseQuerySet.public()`, for one release already in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def state(self) -> str:
        """The state an editor sees (a `Release.State`): a published release is "scheduled"
        until its time comes, then "live"."""
        if self.status == self.Status.PUBLISHED:
            return self.State.LIVE if self.is_public else self.State.SCHEDULED
        return self.State(self.status)

    @property
    def state_label(self) -> str:
        """The state in plain words: "In review", "Scheduled"."""
        return self.State(self.state).label

    @property
    def is_frozen(self) -> bool:
        """Approved, scheduled, live or withdrawn: it prints the contact details and letterhead
        it was approved with (`freeze_borrowed`); a draft or a release in review prints the
        current ones, so returning to draft unfreezes them and approving again re-freezes."""
        return self.status in {self.Status.APPROVED, self.Status.PUBLISHED, self.Status.WITHDRAWN}

    @property
    def is_editable(self) -> bool:
        """Drafts take edits; a live release takes corrections. A release in review is frozen
        (what the approver reviews is what they approve) until taken back to draft."""
        return self.status == self.Status.DRAFT

    @property
    def category_list(self) -> list[Category]:
        """Its categories by name, from the queryset's prefetch (`for_listing()` and the like)
        when there was one."""
        if hasattr(self, "prefetched_categories"):
            return self.prefetched_categories
        return list(self.categories.all())

    @property
    def attachment_list(self) -> list["Attachment"]:
        """Its attachments in print order, from the queryset's prefetch when there was one."""
        if hasattr(self, "prefetched_attachments"):
            return self.prefetched_attachments
        return list(self.attachments.order_by("position", "pk"))

    @property
    def release_image(self) -> "Attachment | None":
        """The attachment marked as the release's image (link previews, JSON-LD), if any."""
        return next((a for a in self.attachment_list if a.is_release_image), None)

    @property
    def subheadlines(self) -> list[str]:
        return [line.strip() for line in self.subheadline.splitlines() if line.strip()]

    def can_be_changed_by(self, user) -> bool:
        """Whether ``user`` may change the content now: edit a draft, or prepare a correction
        of a live release (which a second person with `correct_release` approves)."""
        if self.pk is None or self.is_editable or self.state == self.State.LIVE:
            return user.has_perm("releases.change_release")
        return False

    def slug_reserved_by(self) -> "Release | None":
        """The other release whose permanent URL once had this slug (its old link redirects
        to it, or answers 410 if it was withdrawn), if any: that slug is not free."""
        old = SlugRedirect.objects.filter(old_slug=self.slug).exclude(release_id=self.pk)
        found = old.select_related("release").first()
        return found.release if found else None

    @property
    def last_modified(self) -> datetime | None:
        """When readers last saw the content change: publication or the latest correction."""
        return max(filter(None, [self.published_at, self.corrected_at]), default=None)

    # --- what the page prints --------------------------------------------------------------
    @property
    def dateline(self) -> str:
        """“CAMBRIDGE, MA, January 24, 2003 –” in the company's time zone."""
        date = timezone.localtime(self.published_at) if self.published_at else None
        parts = [self.dateline_city, f"{date:%B} {date.day}, {date.year}" if date else ""]
        text = ", ".join(p for p in parts if p)
        return f"{text} {self.wire_tag} –" if self.wire_tag else f"{text} –"

    @property
    def note_list(self) -> list[str]:
        return [line.strip() for line in self.notes.splitlines() if line.strip()]

    def body_html(self, image_src: "Callable[[Attachment], str] | None" = None) -> SafeString:
        """The sanitized body with the dateline leading into its first paragraph, figures in
        tables marked to align right, and only the release's own images (`body_images`), each
        at ``image_src(attachment)`` if given (else its relative file URL)."""
        body = mark_figure_cells(sanitize_html(self.body))
        if "<img" in body:
            own = body_images.image_attachments(self.attachment_list)
            body = body_images.with_images(body, own, image_src)
        return first_paragraph_with_dateline(body, self.dateline)

    def body_html_embedded(self) -> SafeString:
        """`body_html` with its images' bytes embedded (``data:`` URLs), for what staff and
        reviewers see before go-live, when the images' URLs answer 404 to everyone."""
        return self.body_html(image_src=body_images.data_url)

    def excerpt(self, words: int = 40) -> str:
        """Plain text (escaped again by whoever prints it): the summary, or whole sentences of
        the body's paragraphs (headings, bullets and tables left out; see `text.summary`)."""
        return " ".join(self.summary.split()) or summary(self.body, words)

    def correction_notes(self) -> list["Correction"]:
        """The recorded corrections, oldest first. `actions.save_release` stamps `corrected_at`
        with each one, so a release never corrected (nearly all) costs no query."""
        if self.corrected_at is None:
            return []
        return list(self.corrections.order_by("corrected_at"))

    def ordered_contacts(self) -> list[ContactDetails]:
        """The contacts in print order, as printed: frozen copies once approved."""
        return [rc.printed(self.is_frozen) for rc in self.releasecontact_set.all()]

    def contacts_by_audience(self) -> list[tuple[str, list[ContactDetails]]]:
        """Investors beside media, as the letterhead prints them."""
        contacts = self.ordered_contacts()
        return [
            (label, [c for c in contacts if c.audience == value])
            for value, label in Contact.Audience.choices
            if any(c.audience == value for c in contacts)
        ]

    @property
    def printed_letterhead(self) -> "Letterhead | CompanyProfile":
        """The letterhead as printed: the one frozen at approval, else the company profile now."""
        if self.is_frozen and self.letterhead_id is not None:
            return self.letterhead
        if not hasattr(self, "_current_letterhead"):
            self._current_letterhead = CompanyProfile.load()
        return self._current_letterhead

    def freeze_borrowed(self, *, correction: bool = False) -> None:
        """Copy what the release borrows onto it, so it prints them as approved from now on:
        each contact's details onto its `ReleaseContact` row and the company profile as a
        `Letterhead` (the approve step and `actions.record_past_publication` call this).

        Later edits of a contact or of the profile reach drafts and future releases only.
        With ``correction``, only the rows a correction added or re-pointed (those not frozen)
        take the contact's current details; the rest and the letterhead stay as published.
        """
        rows = list(self.releasecontact_set.select_related("contact"))
        if correction:
            rows = [row for row in rows if row.frozen_at is None]
        now = timezone.now()
        for row in rows:
            for name, value in ContactDetails.of(row.contact).as_dict().items():
                setattr(row, name, value)
            row.frozen_at = now
        ReleaseContact.objects.bulk_update(rows, [*ContactDetails.field_names(), "frozen_at"])
        if not (correction and self.letterhead_id):
            self.letterhead = Letterhead.of(CompanyProfile.load())
            self.save(update_fields=["letterhead"])

    def disclaimer_versions(self, kind: str) -> list[DisclaimerVersion]:
        return [
            rd.version
            for rd in self.releasedisclaimer_set.all()
            if rd.version.disclaimer.kind == kind
        ]

    def abouts(self) -> list[DisclaimerVersion]:
        return self.disclaimer_versions(Disclaimer.Kind.ABOUT)

    def safe_harbors(self) -> list[DisclaimerVersion]:
        return self.disclaimer_versions(Disclaimer.Kind.SAFE_HARBOR)

    def update_search_document(self) -> None:
        """Refresh what search finds of this release; `actions.save_release` calls it."""
        body_text = plain_text(self.body)
        SearchDocument.objects.update_or_create(release=self, defaults={"body_text": body_text})
        if connection.vendor != "postgresql":
            return
        # The text of a body past the first SEARCH_INDEX_MAX_BYTES is not indexed (a tsvector
        # holds 1 MB); should a pathological text still not fit, half as much, and so on.
        indexed = search_prefix(body_text)
        while True:
            vector = weighted_vector(self.headline, self.subheadline, indexed, SEARCH_CONFIG)
            try:
                with transaction.atomic():
                    SearchDocument.objects.filter(pk=self.pk).update(vector=vector)
                return
            except DataError:
                if not indexed:
                    raise
                indexed = search_prefix(indexed, len(indexed.encode("utf-8")) // 2)

    def snapshot(self) -> dict:
        """The content as a revision records it: JSON, comparable, restorable."""
        data = {name: getattr(self, name) for name in self.CONTENT_FIELDS}
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        # Details as printed, not only ids: a contact's later edits must not rewrite history.
        rows = self.releasecontact_set.select_related("contact").order_by("position", "pk")
        data["contacts"] = [
            {"contact": row.contact_id, **row.printed(self.is_frozen).as_dict()} for row in rows
        ]
        data["letterhead"] = self.printed_letterhead.letterhead_fields()
        data["disclaimers"] = list(
            self.releasedisclaimer_set.order_by("position").values_list("version_id", flat=True)
        )
        data["categories"] = sorted(self.categories.values_list("pk", flat=True))
        # Stored names: a revision keeps its files in storage (`attachments.referenced_names`).
        data["attachments"] = [a.snapshot() for a in self.attachments.order_by("position", "pk")]
        return data


def _attachment_name(instance: "Attachment", filename: str) -> str:
    name = files.new_name(filename.rpartition(".")[2].lower())
    # Deleted again if the save it belongs to fails (`attachments.removed_if_failed`).
    files.note_written(name)
    return name


class Attachment(models.Model):
    """A file published with a release: a PDF, a spreadsheet, a document or an image.

    Served only by `releases.views.attachment_file`, and only while `ReleaseQuerySet.public()`
    holds the release; its stored name is random (`attachments.new_name`). A file is never
    deleted from storage while a revision refers to it: replacing or removing one in a
    correction leaves the old file to the revision history.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200, help_text="As readers see it, e.g. “Q3 financial "
                             "statements”.")  # fmt: skip
    position = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=_attachment_name, max_length=100)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    # Pixels of an image (None for documents), for link previews.
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    is_release_image = models.BooleanField(
        "release image",
        default=False,
        help_text="Shown in link previews (Open Graph, Twitter card) and to search engines; "
        "one image per release. Its title is the image's alt text.",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("releases:file", args=[self.key])

    def take(self, checked: "files.CheckedFile") -> None:
        """Make ``checked`` (an upload that passed `attachments.check_upload`) this file."""
        self.file = checked.as_file()
        self.content_type = checked.kind.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        self.original_name = checked.original_name[:255]
        self.width, self.height = checked.dimensions or (None, None)

    @property
    def key(self) -> str:
        """The stored file's random name, as its public URL carries it: ``<hex>.<ext>``."""
        return self.file.name.rpartition("/")[2]

    @property
    def is_image(self) -> bool:
        return self.extension in files.IMAGE_FORMATS

    @property
    def extension(self) -> str:
        return self.key.rpartition(".")[2]

    @property
    def kind_label(self) -> str:
        kind = files.KINDS.get(self.extension)
        return kind.label if kind else self.extension.upper()

    @property
    def download_name(self) -> str:
        """The file name a reader's browser saves it under: the title, not the upload's name."""
        return f"{slugify(self.title) or 'attachment'}.{self.extension}"

    def snapshot(self) -> dict:
        return {
            "title": self.title,
            "position": self.position,
            "file": self.file.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "original_name": self.original_name,
            "width": self.width,
            "height": self.height,
            "is_release_image": self.is_release_image,
        }


def _rendition_name(instance: "Rendition", filename: str) -> str:
    return files.new_name("pdf", folder="renditions")


class Rendition(models.Model):
    """The PDF of one published version of a release (`releases.pdf`), kept like a revision."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="renditions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=_rendition_name, max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "version"], name="one_pdf_per_version")
        ]

    def __str__(self) -> str:
        return f"PDF of “{self.release}”, version {self.version}"


class ReleaseContact(models.Model):
    """A contact a release lists; from approval on, with the details it was approved with."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)
    # The contact's details as approved (`Release.freeze_borrowed`); unset until then.
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    name = models.CharField(max_length=200, blank=True, editable=False)
    title = models.CharField(max_length=200, blank=True, editable=False)
    organization = models.CharField(max_length=200, blank=True, editable=False)
    telephone = models.CharField(max_length=50, blank=True, editable=False)
    email = models.EmailField(blank=True, editable=False)
    audience = models.CharField(
        max_length=20, choices=Contact.Audience.choices, blank=True, editable=False
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "contact"
        constraints = [
            models.UniqueConstraint(fields=["release", "contact"], name="contact_once_per_release")
        ]

    def __str__(self) -> str:
        return str(self.contact)

    @staticmethod
    def recorded(entry: "dict | int") -> dict:
        """A row's fields from a revision's record of it: the contact and the details as then
        printed (kept frozen), or, from revisions older than that record, the contact's id."""
        if not isinstance(entry, dict):
            return {"contact_id": entry}
        details = {name: entry.get(name, "") for name in ContactDetails.field_names()}
        return {"contact_id": entry["contact"], "frozen_at": timezone.now(), **details}

    def printed(self, frozen: bool) -> ContactDetails:
        """The details printed on a release that is (``frozen``) or is not approved yet."""
        if frozen and self.frozen_at is not None:
            return ContactDetails.of(self)
        return ContactDetails.of(self.contact)


class ReleaseDisclaimer(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE)
    # PROTECT here and the foreign key in the database: a version a release uses stays.
    version = models.ForeignKey(DisclaimerVersion, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "standard text"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "version"], name="disclaimer_version_once_per_release"
            )
        ]

    def __str__(self) -> str:
        return str(self.version)


class ReleaseRendering(models.Model):
    """The frozen part of a release's public page as `releases.rendering` rendered it at its
    publication or last correction: derived data, sanitized, replaced whole, never edited."""

    release = models.OneToOneField(
        Release, on_delete=models.CASCADE, primary_key=True, related_name="rendering"
    )
    # Which version of the release, and what produced it (`rendering.fingerprint`): a row that
    # does not match both is not used.
    release_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    rendered_at = models.DateTimeField()
    letterhead_html = models.TextField()
    content_html = models.TextField()
    excerpt = models.TextField()
    image = models.JSONField(null=True)
    publisher = models.JSONField()

    def __str__(self) -> str:
        return f"Rendered record of “{self.release_id}”, version {self.release_version}"


class SearchDocument(models.Model):
    """What search reads of a release: the body as plain text and, on PostgreSQL, a stored
    tsvector weighting headline (A) over subheadline (B) over body (C).

    A table of its own, so release queries never carry the vector, and one migration serves
    both databases: on SQLite the vector column is plain text left empty and the fallback
    search reads ``body_text``. The GIN index is created by migration 0004 on PostgreSQL only.
    """

    release = models.OneToOneField(
        Release, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    body_text = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return f"Search document of “{self.release_id}”"


class Revision(models.Model):
    """The content of a release as one save left it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField()
    note = SingleLineCharField(max_length=500, blank=True)

    class Meta:
        ordering = ["release", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["release", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of “{self.release}”"


class Correction(models.Model):
    """A recorded change to a published release, shown on its page."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="corrections")
    revision = models.OneToOneField(Revision, on_delete=models.PROTECT)
    corrected_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = MultiLineTextField()

    class Meta:
        ordering = ["release", "corrected_at"]

    def __str__(self) -> str:
        return f"Correction of “{self.release}” on {self.corrected_at:%Y-%m-%d %H:%M:%S}"


class PendingCorrection(models.Model):
    """A correction of a published release, prepared and waiting for a second person.

    Nothing public changes until someone with the right to correct, other than who prepared
    it, approves it (`actions.approve_correction`); then its content becomes the release's, as
    a `Correction` with its note. ``data`` is the content as `Release.snapshot` records it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and public"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later correction"

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="pending_corrections"
    )
    # The release's version this correction was prepared on: applied only onto that version.
    base_version = models.PositiveIntegerField()
    data = models.JSONField()
    note = models.TextField()
    prepared_at = models.DateTimeField(default=timezone.now)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_by_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at", "-pk"]

    def __str__(self) -> str:
        return f"Correction of “{self.release}” prepared {self.prepared_at:%Y-%m-%d %H:%M:%S}"


class SlugRedirect(models.Model):
    """A slug a published release had before: its old URL redirects permanently."""

    old_slug = models.SlugField(max_length=200, unique=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.release.slug}"


class CategorySlugRedirect(models.Model):
    """A slug a category had before: its old page and feed URLs redirect permanently."""

    old_slug = models.SlugField(max_length=100, unique=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.category.slug}"


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows one unpublished release to a reviewer."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="preview_links")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A link made for a pending correction shows the release as that correction would make it.
    correction = models.ForeignKey(
        PendingCorrection, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = SingleLineCharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. “counsel”."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview link {self.pk} for “{self.release}”"

    def get_absolute_url(self) -> str:
        from .previews import preview_token

        return reverse("releases:preview", kwargs={"token": preview_token(self)})

    @property
    def is_valid(self) -> bool:
        """Shows the release: not revoked, not expired, and the release not withdrawn (a
        withdrawal ends every way of reading it)."""
        return self.status == "valid"

    @property
    def status(self) -> str:
        """In plain words: "valid", "revoked", "expired", or "stopped: …" once the release is
        withdrawn or the correction it shows is decided."""
        if self.revoked_at is not None:
            return "revoked"
        if self.release.status == Release.Status.WITHDRAWN:
            return "stopped: release withdrawn"
        if self.correction_id and self.correction.status != PendingCorrection.Status.PENDING:
            return f"stopped: correction {self.correction.get_status_display().lower()}"
        return "valid" if timezone.now() < self.expires_at else "expired"


class AuditEntry(models.Model):
    """Append-only: who did what to which release, and when. The admin cannot edit it."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        UNSCHEDULED = "unscheduled", "Unscheduled"
        PUBLISHED = "published", "Published"
        CORRECTION_PREPARED = "correction_prepared", "Correction prepared"
        CORRECTION_REJECTED = "correction_rejected", "Correction rejected"
        CORRECTED = "corrected", "Corrected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESTORED = "restored", "Revision restored"
        PREVIEW_LINK_CREATED = "preview_link_created", "Preview link created"
        PREVIEW_LINK_REVOKED = "preview_link_revoked", "Preview link revoked"
        IMPORTED = "imported", "Imported"
        # Not about a release: an address locked out of the admin after failed sign-ins.
        LOGIN_LOCKED_OUT = "login_locked_out", "Sign-in locked out"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    release = models.ForeignKey(
        Release, null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    release_headline = models.CharField(max_length=HEADLINE_MAX_LENGTH, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or 'system'} {self.action}"


class PublicChange(models.Model):
    """One row: when the public site last changed by a committed action, the Last-Modified
    second given to that state (`releases.lastmodified`), and a count of changes."""

    changed_at = models.DateTimeField()
    last_modified = models.BigIntegerField(help_text="Epoch seconds, strictly increasing.")
    # Counts every change of the public pages or of the schedule: part of the cache's generation,
    # so an invalidation lost on its way to Redis is caught up from here (`releases.cache`).
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"public change at {self.changed_at:%Y-%m-%d %H:%M:%S.%f}"
